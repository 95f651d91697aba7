#!/usr/bin/env node
// Installs what `npm start`, `npm test` and `npm run bench` need on a fresh machine, and
// nothing when it is already there: npm packages (from the lockfile), Debian's Chromium,
// Debian's python3-sklearn/pandas/onnx/xgboost for the parity tests and benchmarks, Debian's
// prometheus + prometheus-alertmanager for the alerts tests, and with --chdb (npm test) embedded
// ClickHouse for the collector's ClickHouse tests: chdb (~540 MB) installed once into
// node_modules/.cache/ferryml-chdb by the collector's own lazy installer
// (src/node/collector/chdb-load.ts), which `ferryml collector --store chdb` uses too.
// Usage: node scripts/ensure.mjs [--no-python] [--chdb]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (msg) => console.log(`[ensure] ${msg}`);

function run(cmd, args, opts = {}) {
  log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  return r.status === 0;
}

function npmPackages() {
  const lock = join(root, 'package-lock.json');
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs - 1) return;
  if (!run('npm', ['ci', '--no-audit', '--no-fund'])) throw new Error('npm ci failed; see the log above');
}

export function findChromium() {
  for (const p of [process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (p && existsSync(p)) return p;
  }
  return undefined;
}

const haveApt = () => spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;
let aptUpdated = false;
function aptInstall(pkgs) {
  if (!haveApt()) return false;
  const sudo = isRoot() ? [] : ['sudo', '-n'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    aptUpdated = true;
    run(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), 'update', '-qq'], { env });
  }
  return run(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), 'install', '-y', '-qq', ...pkgs], { env });
}

function chromium() {
  if (findChromium()) return;
  log("no Chromium found (CHROME_PATH, /usr/bin/chromium): installing Debian's chromium");
  if (!aptInstall(['chromium']) || !findChromium()) {
    throw new Error("Chromium is required for the browser tests: install Debian's `chromium` or set CHROME_PATH");
  }
}

function python() {
  const ok = () => spawnSync('/usr/bin/python3', ['-c', 'import sklearn, pandas, onnx, xgboost'], { stdio: 'ignore' }).status === 0;
  if (ok()) return;
  log("python3-sklearn/pandas/onnx/xgboost missing: installing Debian's packages");
  // python3-xgboost (1.7.4): the XGBoost tree-ensemble exporter cases.
  if (!aptInstall(['python3-sklearn', 'python3-pandas', 'python3-onnx', 'python3-xgboost']) || !ok()) {
    log('could not install python3-sklearn; the scikit-learn parity tests will say they are skipped and why');
  }
}

/**
 * Debian's prometheus (with promtool) and prometheus-alertmanager for the alerts tests; neither
 * starts a service here. Returns the binaries, or undefined (with the reason logged) when they
 * cannot be installed: the tests then fail saying so.
 */
export function prometheusTools() {
  const bins = { prometheus: '/usr/bin/prometheus', promtool: '/usr/bin/promtool', alertmanager: '/usr/bin/prometheus-alertmanager' };
  const ok = () => Object.values(bins).every((p) => existsSync(p));
  if (ok()) return bins;
  log("prometheus / prometheus-alertmanager missing: installing Debian's packages");
  if (!aptInstall(['prometheus', 'prometheus-alertmanager']) || !ok()) {
    log('could not install prometheus and prometheus-alertmanager; the alerts tests need them');
    return undefined;
  }
  return bins;
}

function chdb() {
  const load = "import('./src/node/collector/chdb-load.ts').then((m) => m.loadChdb())";
  if (!run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', load])) {
    throw new Error('chdb (embedded ClickHouse) could not be installed; see the log above');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  npmPackages();
  chromium();
  if (!process.argv.includes('--no-python')) python();
  prometheusTools();
  if (process.argv.includes('--chdb')) chdb();
  try {
    log(`chromium: ${execFileSync(findChromium(), ['--version']).toString().trim()}`);
  } catch {
    /* version print is informational */
  }
}
