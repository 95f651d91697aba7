// Real Prometheus, Alertmanager and alerting collectors for the alert tests (Debian's
// prometheus 2.42 and prometheus-alertmanager 0.25, installed on demand by scripts/ensure.mjs),
// each on a free loopback port with its own temp directory, removed at stop. Node tests import
// the start functions; browser tests drive a set through the middleware:
//
//   POST /__alerting/start  body: { rules }   → { collector, token, alertmanager }: an Alertmanager
//                           (its webhook receiver records notifications here) and a collector
//                           process posting to it, evaluating every second with `rules`
//   GET  /__alerting/alertmanager             → Alertmanager's GET /api/v2/alerts
//   GET  /__alerting/notifications            → what Alertmanager notified (webhook bodies, in order)
//   GET  /__alerting/api/…                    → the alerting collector's read API with its token
//   POST /__alerting/stop                     → stops both, removes their directories
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prometheusTools } from '../../scripts/ensure.mjs';

/** A free loopback port. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = netServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `url` until it answers 2xx (or `ms` pass). */
async function ready(url, ms, child, output) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited (${child.exitCode}):\n${output()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not listening yet */
    }
    await sleep(100);
  }
  throw new Error(`${url} not ready after ${ms} ms:\n${output()}`);
}

function launch(bin, args, dir, cwd = dir, env = {}) {
  const child = spawn(bin, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  child.stdout.on('data', (c) => (out = (out + c).slice(-20000)));
  child.stderr.on('data', (c) => (out = (out + c).slice(-20000)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(5000)]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function tools() {
  const t = prometheusTools();
  if (!t) throw new Error('prometheus and prometheus-alertmanager are needed: apt-get install prometheus prometheus-alertmanager (scripts/ensure.mjs does it)');
  return t;
}

/**
 * Alertmanager on loopback; its only receiver is a webhook (`send_resolved`) to `webhookUrl`,
 * grouped by alert with 1 s group wait/interval so tests see firing and resolved quickly.
 */
export async function startAlertmanager(webhookUrl) {
  const bins = tools();
  const dir = mkdtempSync(join(tmpdir(), 'ferryml-am-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'alertmanager.yml'),
    `route:\n  receiver: hook\n  group_by: [alertname, model, version, feature]\n  group_wait: 1s\n  group_interval: 1s\n  repeat_interval: 1h\nreceivers:\n  - name: hook\n    webhook_configs:\n      - url: ${webhookUrl}\n        send_resolved: true\n`,
  );
  const p = launch(
    bins.alertmanager,
    ['--config.file=alertmanager.yml', `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='],
    dir,
  );
  const url = `http://127.0.0.1:${port}`;
  await ready(`${url}/-/ready`, 30_000, p.child, p.output).catch(async (e) => (await p.stop(), Promise.reject(e)));
  return { url, output: p.output, stop: p.stop };
}

/** Prometheus on loopback scraping `target` (host:port) `/metrics` every second with a bearer token. */
export async function startPrometheus(target, token) {
  const bins = tools();
  const dir = mkdtempSync(join(tmpdir(), 'ferryml-prom-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: ferryml\n    metrics_path: /metrics\n    authorization:\n      credentials: ${token}\n    static_configs:\n      - targets: ['${target}']\n`,
  );
  const p = launch(
    bins.prometheus,
    ['--config.file=prometheus.yml', `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    dir,
  );
  const url = `http://127.0.0.1:${port}`;
  await ready(`${url}/-/ready`, 60_000, p.child, p.output).catch(async (e) => (await p.stop(), Promise.reject(e)));
  return { url, promtool: bins.promtool, output: p.output, stop: p.stop };
}

/** A loopback HTTP receiver that records JSON bodies; `status()` picks each answer. */
export async function startReceiver(status = () => 200) {
  const bodies = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      const code = status(bodies.length);
      bodies.push({ at: Date.now(), status: code, body });
      res.writeHead(code, { 'Content-Type': 'text/plain' });
      res.end(code < 300 ? 'ok' : 'injected failure');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    bodies,
    stop: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/** A collector process (`src/node/collector/main.ts` through tsx) with `args` (the admin token travels in `env`, never argv); resolves once it listens. */
export async function startCollectorProcess(args, env = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ferryml-alert-collector-'));
  const p = launch(
    process.execPath,
    ['--import', 'tsx', join(process.cwd(), 'src/node/collector/main.ts'), '--db', join(dir, 'telemetry.sqlite'), ...args],
    dir,
    process.cwd(),
    env,
  );
  const url = await new Promise((resolve, reject) => {
    const t = setInterval(() => {
      const m = /listening on (http:\/\/\S+)/.exec(p.output());
      if (m) (clearInterval(t), resolve(m[1]));
      else if (p.child.exitCode !== null) (clearInterval(t), reject(new Error(`collector exited:\n${p.output()}`)));
    }, 100);
  }).catch(async (e) => (await p.stop(), Promise.reject(e)));
  return { url, output: p.output, stop: p.stop };
}

// ---- middleware for the browser tests ----
let set;

async function stopSet() {
  const s = set;
  set = undefined;
  if (!s) return;
  await s.collector.stop();
  await s.am.stop();
  await s.hook.stop();
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(ctx, status, body) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  ctx.respond = false;
  ctx.res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  ctx.res.end(text);
}

async function alertingMiddleware(ctx, next) {
  const path = ctx.path;
  if (!path.startsWith('/__alerting/')) return next();
  try {
    if (path === '/__alerting/start' && ctx.method === 'POST') {
      await stopSet();
      const { rules } = JSON.parse((await readBody(ctx.req)) || '{}');
      const hook = await startReceiver();
      const am = await startAlertmanager(hook.url).catch(async (e) => (await hook.stop(), Promise.reject(e)));
      const dir = mkdtempSync(join(tmpdir(), 'ferryml-rules-'));
      writeFileSync(join(dir, 'rules.json'), JSON.stringify({ rules: rules ?? [] }));
      const token = 'alerting-test-token';
      const origin = `${ctx.protocol}://${ctx.host}`;
      const args = ['--port', '0', '--origins', origin, '--alertmanager', am.url, '--alerts-every', '1', '--alert-rules', join(dir, 'rules.json')];
      // Nothing started here outlives a failed start.
      const collector = await startCollectorProcess(args, { FERRYML_ADMIN_TOKEN: token })
        .catch(async (e) => (await am.stop(), await hook.stop(), Promise.reject(e)))
        .finally(() => rmSync(dir, { recursive: true, force: true }));
      set = { hook, am, collector, token };
      return send(ctx, 200, { collector: collector.url, token, alertmanager: am.url });
    }
    if (!set) return send(ctx, 409, { message: 'POST /__alerting/start first' });
    if (path === '/__alerting/alertmanager') return send(ctx, 200, await (await fetch(`${set.am.url}/api/v2/alerts`)).text());
    if (path === '/__alerting/notifications')
      return send(
        ctx,
        200,
        set.hook.bodies.map((b) => b.body),
      );
    if (path.startsWith('/__alerting/api/')) {
      const res = await fetch(`${set.collector.url}${path.slice('/__alerting'.length)}${ctx.search}`, { headers: { Authorization: `Bearer ${set.token}` } });
      return send(ctx, res.status, await res.text());
    }
    if (path === '/__alerting/stop' && ctx.method === 'POST') {
      await stopSet();
      return send(ctx, 200, { stopped: true });
    }
    return next();
  } catch (e) {
    return send(ctx, 500, { message: String(e?.stack ?? e) });
  }
}

export const middleware = [alertingMiddleware];

export const plugins = [{ name: 'ferryml-alerting', serverStop: stopSet }];
