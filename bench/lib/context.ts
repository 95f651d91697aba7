// Everything an item needs: the servers, the browser, the bundled pages, the shipped bundles,
// the ONNX model, which SDK parts exist, and the machine facts that go into latest.json.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import type { Manifest } from '../../src/index.js';
import type { Registry } from '../../src/entries/bundle.js';
import { chromiumArgs, findChromium } from './scripts.js';
import type { ChunkOrigins } from './bundle.js';
import type { CachePolicy, Started, TransferLog } from './server.js';

/** A shipped (or overridden) model bundle the benchmark runs. */
export interface BundleRef {
  name: string;
  version: string;
  /** Absolute directory. */
  dir: string;
  /** URL path of the directory, no trailing slash. */
  url: string;
  manifest: Manifest;
}

/** Run-wide state shared by the items. */
export interface BenchContext {
  root: string;
  quick: boolean;
  /** bench/.build: generated pages, the .onnx file, data files. */
  build: string;
  server: Started & { log: TransferLog; cache: { policy: CachePolicy } };
  /** The static server's routes (URL prefix → directory). */
  routes: Record<string, string>;
  sink: Started & { received(): { requests: number; bytes: number } };
  browser: Browser;
  /** URL path of each bundled page by name (only the pages whose SDK parts exist). */
  pages: Record<string, string>;
  /** What each bundled chunk is made of (package → minified bytes). */
  origins: ChunkOrigins;
  bundles: Partial<Record<'penguins' | 'digits', BundleRef>>;
  /** The penguins model as ONNX (built from the same weights), when penguins is there. */
  onnx?: { file: string; url: string; bytes: number };
  /** Which SDK parts exist, and for each missing one what it is. */
  deps: Record<Dep, string | true>;
  log(message: string): void;
}

/** SDK parts the items depend on. */
export type Dep = 'runtime' | 'compile' | 'openBundle' | 'telemetry';

/**
 * What each dependency is: a name an entry of the public contract exports (the root
 * `src/index.ts`, or a subpath entry such as `ferryml/schema`'s `src/entries/schema.ts`), or — for
 * parts the SDK loads lazily and does not export — a source file. A missing one makes the items
 * that need it print "pending: <what>".
 */
export const DEP_SOURCES: Record<Dep, { export: string; entry: string } | { file: string }> = {
  runtime: { export: 'loadModel', entry: 'src/index.ts' },
  compile: { export: 'compileSchema', entry: 'src/entries/schema.ts' },
  openBundle: { export: 'openBundle', entry: 'src/entries/bundle.ts' },
  telemetry: { file: 'src/telemetry/telemetry.ts' },
};

/** Which dependencies exist; a missing one maps to what is missing, in words. */
export function detectDeps(root: string): Record<Dep, string | true> {
  const check = (source: (typeof DEP_SOURCES)[Dep]): string | true => {
    if ('file' in source) return existsSync(join(root, source.file)) ? true : `${source.file} is not there yet`;
    const entryFile = join(root, source.entry);
    const entry = existsSync(entryFile) ? readFileSync(entryFile, 'utf8') : '';
    const m = new RegExp(`export\\s*\\{[^}]*\\b${source.export}\\b[^}]*\\}\\s*from\\s*'([^']+)'`).exec(entry);
    if (!m) return `${source.entry} does not export ${source.export}`;
    const file = join(dirname(entryFile), m[1]!.replace(/\.js$/, '.ts'));
    return existsSync(file) ? true : `${source.entry} exports ${source.export} from ${m[1]}, which is not there`;
  };
  return Object.fromEntries(Object.entries(DEP_SOURCES).map(([dep, source]) => [dep, check(source)])) as Record<Dep, string | true>;
}

const semver = (v: string) =>
  v
    .split(/[.+-]/)
    .map((p) => (/^\d+$/.test(p) ? Number(p).toString().padStart(8, '0') : p))
    .join('.');

/**
 * Finds the bundle the benchmark runs for `name`: an explicit `override` directory, else the
 * registry's stable version (models/index.json), else the highest version directory.
 */
export function findBundle(root: string, name: 'penguins' | 'digits', override?: string): BundleRef | undefined {
  let dir = override;
  if (!dir) {
    const base = join(root, 'models', name);
    const registryFile = join(root, 'models', 'index.json');
    const entry = existsSync(registryFile) ? (JSON.parse(readFileSync(registryFile, 'utf8')) as Registry).models[name] : undefined;
    const stable = entry?.channels['stable'];
    if (stable && existsSync(join(base, stable, 'manifest.json'))) dir = join(base, stable);
    else if (existsSync(base)) {
      const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'manifest.json')));
      const newest = versions.sort((a, b) => semver(a).localeCompare(semver(b))).pop();
      if (newest) dir = join(base, newest);
    }
  }
  if (!dir || !existsSync(join(dir, 'manifest.json'))) return undefined;
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const url = dir.startsWith(`${root}/`) ? `/${dir.slice(root.length + 1)}` : `/bench-bundles/${name}`;
  return { name, version: manifest.version, dir, url, manifest };
}

/**
 * How pages load `b` through the SDK: the registry pinned to the bundle's version when
 * models/index.json lists it (what an app does), else the bundle's URL.
 */
export function bundleSource(root: string, b: BundleRef): { registry: string; name: string; version: string } | { bundle: string } {
  const file = join(root, 'models', 'index.json');
  const registry = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Registry) : undefined;
  const listed = registry?.models[b.name]?.versions.includes(b.version) && b.url === `/models/${b.name}/${b.version}`;
  return listed ? { registry: '/models/index.json', name: b.name, version: b.version } : { bundle: `${b.url}/` };
}

/** Launches Debian's Chromium with the project's flags (WebGPU on SwiftShader). */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('No Chromium: run `node scripts/ensure.mjs` or set CHROME_PATH');
  return chromium.launch({ executablePath, args: chromiumArgs() });
}

/** A fresh browser context (own cache and IndexedDB) with `page` loaded and `window.bench` ready. */
export async function openPage(ctx: BenchContext, page: string, query = ''): Promise<{ page: Page; context: BrowserContext; errors: string[] }> {
  const url = ctx.pages[page];
  if (!url) throw new Error(`page ${page} was not built`);
  const context = await ctx.browser.newContext();
  const p = await context.newPage();
  const errors: string[] = [];
  p.on('pageerror', (e) => errors.push(String(e)));
  p.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes('404')) errors.push(m.text());
  });
  await p.goto(`${ctx.server.url}${url}${query}`);
  await p.waitForFunction(() => 'bench' in window, undefined, { timeout: 60_000 });
  return { page: p, context, errors };
}

/** CPU, cores, memory, Node, Chromium and commit, for latest.json and BENCHMARKS.md. */
export async function machineFacts(root: string, browser: Browser) {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: root }).toString().trim();
    } catch {
      return '';
    }
  };
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  return {
    cpu: /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: existsSync('/etc/debian_version') ? `Debian ${readFileSync('/etc/debian_version', 'utf8').trim()}` : process.platform,
    node: process.version,
    browser: `Chromium ${browser.version()} (headless, ${findChromium()})`,
    /** 1-minute load average when the run started: the machine is shared, read ratios with it. */
    loadAverageAtStart: Math.round(loadavg()[0]! * 100) / 100,
    commit: git('rev-parse', 'HEAD'),
    dirty: git('status', '--porcelain', '--untracked-files=no').length > 0,
  };
}
