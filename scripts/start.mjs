#!/usr/bin/env node
// `npm start` (after ensure + build): starts the telemetry collector and the demo's static server
// (COOP/COEP, so tfjs may use WASM threads), tells the page where the collector is, prints the
// URLs and a dev admin token, and stops both cleanly on SIGINT/SIGTERM.
//
// Environment: PORT (demo, default 8080; 0 = any free port), COLLECTOR_PORT (default 4318),
// COLLECTOR_DB (default ./telemetry.sqlite), FERRYML_ADMIN_TOKEN (default: generated per run),
// FERRYML_DEMO_DIR (default ./dist/demo).
// The page reads /runtime/config.json, which only this process serves. The admin token reaches
// the collector through its environment (never argv, which `ps` shows to every local user) and
// never goes into config.json: the dashboard asks for it. If this process dies, the collector
// sees its stdin close and stops too.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from './serve.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// FERRYML_DEMO_DIR: serve another built page (tests start the servers without building the demo).
const demoDir = process.env.FERRYML_DEMO_DIR || join(root, 'dist/demo');
const collectorEntry = join(root, 'src/node/collector/main.ts');

function port(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) fail(`${name} must be a port number (0–65535; 0 picks a free one), got "${raw}"`);
  return n;
}

function fail(message) {
  console.error(`[start] ${message}`);
  process.exit(1);
}

if (!existsSync(join(demoDir, 'index.html'))) fail('dist/demo/index.html is missing: run `npm run build` first (`npm start` does both)');
if (!existsSync(collectorEntry)) fail(`the collector (${collectorEntry}) is missing from this checkout`);

const demoPort = port('PORT', 8080);
const collectorPort = port('COLLECTOR_PORT', 4318);
const db = process.env.COLLECTOR_DB || join(root, 'telemetry.sqlite');
// The collector refuses tokens under 8 characters; a generated one is printed below.
const token = process.env.FERRYML_ADMIN_TOKEN || randomBytes(18).toString('base64url');
const runtimeDir = mkdtempSync(join(tmpdir(), 'ferryml-start-'));

let server;
try {
  server = await serveStatic({
    port: demoPort,
    routes: { '/': demoDir, '/models/': join(root, 'models'), '/runtime/': runtimeDir },
  });
} catch (error) {
  rmSync(runtimeDir, { recursive: true, force: true });
  fail(error.code === 'EADDRINUSE' ? `port ${demoPort} is in use: set PORT to another port (PORT=0 picks a free one)` : `demo server: ${error.message}`);
}
const demoUrl = `http://localhost:${server.address().port}/`;
const origins = [`http://localhost:${server.address().port}`, `http://127.0.0.1:${server.address().port}`];

// A child process (not an import): the collector is TypeScript run by tsx, and its own signal
// handling and output stay as they are with `npm run collector`.
const collector = spawn(
  process.execPath,
  ['--import', 'tsx', collectorEntry, '--port', String(collectorPort), '--db', db, '--origins', origins.join(','), '--stop-with-stdin'],
  { cwd: root, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, FERRYML_ADMIN_TOKEN: token } },
);
// Any exception here (a bug, a failed write) stops the collector with us instead of orphaning it.
process.on('uncaughtException', (error) => void stop(1, `internal error: ${error?.stack ?? error}`));
process.on('unhandledRejection', (error) => void stop(1, `internal error: ${error?.stack ?? error}`));
let stopping = false;
const collectorExit = new Promise((resolve) => collector.once('exit', (code, signal) => resolve({ code, signal })));

let startupOutput = '';
const collectorUrl = await new Promise((resolve) => {
  const timer = setTimeout(() => resolve(undefined), 60_000);
  const onData = (chunk) => {
    startupOutput += chunk;
    const match = /ferryml collector listening on (\S+)/.exec(startupOutput);
    if (match) {
      clearTimeout(timer);
      resolve(match[1]);
    }
  };
  collector.stdout.setEncoding('utf8').on('data', onData);
  collector.stderr.setEncoding('utf8').on('data', (chunk) => process.stderr.write(prefix(chunk)));
  collectorExit.then(() => {
    clearTimeout(timer);
    resolve(undefined);
  });
});
if (!collectorUrl) {
  process.stdout.write(prefix(startupOutput));
  await stop(
    1,
    `the collector did not start${collectorPort ? ` (is port ${collectorPort} in use? set COLLECTOR_PORT; 0 picks a free one)` : ''}; its output is above`,
  );
}
// The rest of the collector's start-up banner (the summary below says the same) arrives within
// moments; after that its own log lines pass through, prefixed.
await new Promise((resolve) => setTimeout(resolve, 300));
collector.stdout.removeAllListeners('data').on('data', (chunk) => process.stdout.write(prefix(chunk)));

const dashboardUrl = `${collectorUrl}/dashboard#token=${encodeURIComponent(token)}`;
// What the page needs to know. No token: any page that can read config.json (a DNS-rebinding
// page, once a foreign Host got through) must not learn it; the dashboard asks for it.
writeFileSync(join(runtimeDir, 'config.json'), JSON.stringify({ collector: collectorUrl, dashboard: `${collectorUrl}/dashboard` }, null, 2));

console.log(`
ferryml is running. Ctrl+C stops both servers.
  demo:        ${demoUrl}
  dashboard:   ${dashboardUrl}
  collector:   ${collectorUrl}  (POST /v1/logs; read API: curl -H 'Authorization: Bearer ${token}' ${collectorUrl}/api/models)
  admin token: ${token}  (dev only${process.env.FERRYML_ADMIN_TOKEN ? ', from FERRYML_ADMIN_TOKEN' : ', generated for this run; set FERRYML_ADMIN_TOKEN to keep one'})
  database:    ${db}
ferryml demo: ${demoUrl}`);

collectorExit.then(({ code, signal }) => {
  if (!stopping) void stop(1, `the collector exited unexpectedly (${signal ?? `code ${code}`}); stopping the demo server too`);
});
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

function prefix(text) {
  return text.replace(/^(?=.)/gm, '[collector] ');
}

/** Closes the demo server, asks the collector to stop (it flushes its SQLite queue), then exits. */
async function stop(code, message) {
  if (stopping) return;
  stopping = true;
  if (message) console.error(`[start] ${message}`);
  server.closeAllConnections?.();
  const closed = new Promise((resolve) => server.close(() => resolve()));
  if (collector.exitCode === null && collector.signalCode === null) {
    collector.kill('SIGTERM');
    const killTimer = setTimeout(() => collector.kill('SIGKILL'), 10_000);
    await collectorExit;
    clearTimeout(killTimer);
  }
  await closed;
  rmSync(runtimeDir, { recursive: true, force: true });
  if (code === 0) console.log('[start] stopped');
  process.exit(code);
}
