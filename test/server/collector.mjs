// A real collector process for the browser tests (src/node/collector/main.ts through tsx, on a
// free loopback port, a fresh SQLite file per test run, CORS allowing the test page's origin),
// plus an OTLP fault proxy and a page-visibility command. Tests find it with:
//
//   GET  /__collector                  → { url, token, running }   (url: the collector, cross-origin)
//   GET  /__collector/api/…            → the collector's read API with the admin token (it sends no
//                                      CORS headers: an admin API is not for other origins)
//   POST /__collector/stop             → stops the process (the port then refuses connections)
//   POST /__collector/start            → starts it again on the same port and database
//   POST /__otlp-plan/<scenario>       body: [{ status, retryAfter?, forward?, times? }, …]
//                                      scripted answers for the next requests of <scenario>
//                                      (forward: also pass the request on to the collector first)
//   GET  /__otlp-plan/<scenario>       → { log: [{ at, status, batchId, records, bytes }], pending }
//   POST /__otlp/<scenario>/v1/logs    the telemetry endpoint of a fault test: answers from the
//                                      plan while it lasts, then proxies to the collector (a
//                                      stopped collector becomes a destroyed connection)
//
// Command `ferryml:page-visibility` ({ hidden: true | false }) puts another tab in front of the
// test page (Chromium then really fires visibilitychange → hidden) or brings the page back.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const token = `wtr-${randomBytes(12).toString('base64url')}`;
const dbDir = mkdtempSync(join(tmpdir(), 'ferryml-wtr-collector-'));
const db = join(dbDir, 'telemetry.sqlite');
// The test run's process exits after the collector child is stopped: the database goes with it.
process.on('exit', () => rmSync(dbDir, { recursive: true, force: true }));
let origins = ['http://localhost:8000', 'http://127.0.0.1:8000'];
let port = 0;
let url;
let child;
let exited;
const scenarios = new Map();
const cover = new Map();

function start() {
  const args = ['--import', 'tsx', 'src/node/collector/main.ts', '--port', String(port), '--host', '127.0.0.1', '--db', db, '--origins', origins.join(',')];
  child = spawn(process.execPath, args, { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FERRYML_ADMIN_TOKEN: token } });
  exited = new Promise((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        child.stdout.off('data', onData);
        url = m[1];
        port = Number(new URL(url).port);
        resolve(url);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c) => (out += c.toString()));
    child.once('exit', (code) => reject(new Error(`collector exited (${code}) before listening:\n${out}`)));
  });
}

async function stop() {
  if (!child || child.exitCode !== null) return;
  child.kill('SIGTERM');
  await exited;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Writes straight to Node's response: the test server's cache middleware must not touch these. */
function send(ctx, status, body, headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  ctx.respond = false;
  ctx.res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...headers });
  ctx.res.end(text);
}

function describe(body) {
  try {
    const json = JSON.parse(body.toString('utf8'));
    const scope = json.resourceLogs?.[0]?.scopeLogs?.[0];
    const batchId = scope?.scope?.attributes?.find((a) => a.key === 'ferryml.batch.id')?.value?.stringValue;
    return { batchId, records: (json.resourceLogs ?? []).flatMap((r) => r.scopeLogs ?? []).reduce((n, s) => n + (s.logRecords?.length ?? 0), 0) };
  } catch {
    return { batchId: undefined, records: 0 };
  }
}

async function forward(req, body) {
  const headers = { 'Content-Type': req.headers['content-type'] ?? 'application/json' };
  if (req.headers['content-encoding']) headers['Content-Encoding'] = req.headers['content-encoding'];
  if (req.headers['x-ferryml-ingest-key']) headers['X-Ferryml-Ingest-Key'] = req.headers['x-ferryml-ingest-key'];
  const res = await fetch(`${url}/v1/logs`, { method: 'POST', headers, body });
  return { status: res.status, text: await res.text(), retryAfter: res.headers.get('retry-after') };
}

async function otlp(ctx, scenario) {
  const s = scenarios.get(scenario) ?? { plan: [], log: [] };
  scenarios.set(scenario, s);
  const body = await readBody(ctx.req);
  const entry = { at: Date.now(), bytes: body.length, ...describe(body) };
  s.log.push(entry);
  const step = s.plan[0];
  if (step) {
    if (step.times === undefined || --step.times <= 0) s.plan.shift();
    if (step.forward) await forward(ctx.req, body).catch(() => undefined);
    entry.status = step.status;
    if (step.status === 0) {
      ctx.respond = false;
      ctx.req.socket.destroy();
      return;
    }
    return send(
      ctx,
      step.status,
      { code: step.status, message: `injected ${step.status}` },
      step.retryAfter !== undefined ? { 'Retry-After': String(step.retryAfter) } : {},
    );
  }
  try {
    const r = await forward(ctx.req, body);
    entry.status = r.status;
    send(ctx, r.status, r.text, r.retryAfter ? { 'Retry-After': r.retryAfter } : {});
  } catch {
    entry.status = 'network';
    ctx.respond = false;
    ctx.req.socket.destroy();
  }
}

async function collectorMiddleware(ctx, next) {
  const path = ctx.path;
  if (path === '/__collector') return send(ctx, 200, { url, token, running: child?.exitCode === null });
  if (path.startsWith('/__collector/api/')) {
    const res = await fetch(`${url}${path.slice('/__collector'.length)}${ctx.search}`, { headers: { Authorization: `Bearer ${token}` } });
    return send(ctx, res.status, await res.text());
  }
  if (path === '/__collector/stop' && ctx.method === 'POST') {
    await stop();
    return send(ctx, 200, { running: false });
  }
  if (path === '/__collector/start' && ctx.method === 'POST') {
    if (child?.exitCode === null) return send(ctx, 200, { url, running: true });
    await start();
    return send(ctx, 200, { url, running: true });
  }
  let m = /^\/__otlp-plan\/([\w-]+)$/.exec(path);
  if (m) {
    const s = scenarios.get(m[1]) ?? { plan: [], log: [] };
    scenarios.set(m[1], s);
    if (ctx.method === 'POST') s.plan.push(...JSON.parse((await readBody(ctx.req)).toString('utf8') || '[]'));
    return send(ctx, 200, { log: s.log, pending: s.plan.length });
  }
  m = /^\/__otlp\/([\w-]+)\/v1\/logs$/.exec(path);
  if (m && ctx.method === 'POST') return otlp(ctx, m[1]);
  return next();
}

export const middleware = [collectorMiddleware];

export const plugins = [
  {
    name: 'ferryml-collector',
    async serverStart({ config }) {
      const p = config.port;
      origins = [...new Set([`http://localhost:${p}`, `http://127.0.0.1:${p}`, ...(config.hostname ? [`http://${config.hostname}:${p}`] : [])])];
      await start();
    },
    async serverStop() {
      await stop();
    },
    async executeCommand({ command, payload, session }) {
      if (command !== 'ferryml:page-visibility') return undefined;
      if (session.browser.type !== 'puppeteer') throw new Error('ferryml:page-visibility needs the Chrome launcher (puppeteer)');
      const page = session.browser.getPage(session.id);
      if (payload?.hidden) {
        const other = await page.browserContext().newPage();
        cover.set(session.id, other);
        await other.bringToFront();
      } else {
        await page.bringToFront();
        await cover.get(session.id)?.close();
        cover.delete(session.id);
      }
      return page.evaluate(() => document.visibilityState);
    },
  },
];
