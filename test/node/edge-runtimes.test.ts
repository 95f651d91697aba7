// Issue 18: the same conformance script (test/edge/conformance.mjs) in Node, Bun, Deno and workerd
// against the built SDK: penguins@1.0.0 from a URL (a loopback origin) and from files in hand,
// predict, predictBatch with a bad row, every golden row, dispose. Each runtime's results must
// equal the bundle's golden outputs. The runtimes are the npm packages in devDependencies.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSdk, buildWorker, freePort, run, runtimes, startOrigin, startServer, startWorkerd } from './support/edge.js';
import { tempDir } from './support/temp-dir.js';

const BUNDLE = 'models/penguins/1.0.0';
const LABELS = ['Adelie', 'Chinstrap', 'Gentoo'];
const TOLERANCE = 1e-5;

interface Run {
  info: { name: string; version: string; source: string; engine: string; backend: string; bundleId: string };
  first: { label: string; probabilities: number[] };
  batch: { labels: (string | null)[]; probabilities: (number[] | null)[]; issues: { row: number; column: string; code: string }[] };
  golden: (number[] | null)[];
  badPredict: { name: string; code: string } | null;
  afterDispose: string | null;
  flushed: boolean | null;
}
interface Conformance {
  runtime: { name: string; version: string };
  fromUrl: Run;
  fromFiles: Run;
}

let sdk: Awaited<ReturnType<typeof buildSdk>>;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let golden: { rows: unknown[]; outputs: number[][] };

before(async () => {
  [sdk, origin] = await Promise.all([buildSdk(), startOrigin('.')]);
  golden = JSON.parse(await readFile(`${BUNDLE}/golden.json`, 'utf8'));
});
after(async () => {
  await origin.close();
  await sdk.remove();
});

// Deno's Cache API (where ferryml caches bundles without IndexedDB) lives under DENO_DIR: a fresh
// one per run, so a load from the URL downloads (source "network") and the user's cache is untouched.
const denoEnv = (runtime: string): Record<string, string> => (runtime === 'deno' ? { DENO_DIR: tempDir('ferryml-deno-dir-') } : {});

const close = (a: number[] | null | undefined, b: number[]) => !!a && a.length === b.length && a.every((v, i) => Math.abs(v - b[i]!) <= TOLERANCE);
const argmax = (v: number[]) => LABELS[v.indexOf(Math.max(...v))];

function check(result: Conformance, runtime: 'node' | 'bun' | 'deno' | 'workerd'): void {
  assert.equal(result.runtime.name, runtime);
  for (const [how, r] of [
    ['url', result.fromUrl],
    ['files', result.fromFiles],
  ] as const) {
    const where = `${runtime}, from ${how}`;
    assert.equal(r.info.name, 'penguins', where);
    assert.equal(r.info.version, '1.0.0', where);
    assert.equal(r.info.source, how === 'url' ? 'network' : 'local', where);
    assert.equal(r.info.engine, 'js', `${where}: the plain-JS engine runs penguins`);
    assert.equal(r.info.backend, 'cpu', where);
    assert.equal(r.golden.length, golden.outputs.length, where);
    golden.outputs.forEach((want, i) =>
      assert.ok(close(r.golden[i], want), `${where}: golden row ${i}: ${JSON.stringify(r.golden[i])} vs ${JSON.stringify(want)}`),
    );
    assert.equal(r.first.label, argmax(golden.outputs[0]!), where);
    assert.ok(close(r.first.probabilities, golden.outputs[0]!), where);
    assert.deepEqual(r.batch.labels, [argmax(golden.outputs[1]!), null, argmax(golden.outputs[2]!)], where);
    assert.ok(close(r.batch.probabilities[0], golden.outputs[1]!) && close(r.batch.probabilities[2], golden.outputs[2]!), where);
    assert.deepEqual(r.batch.issues, [{ row: 1, column: 'Beak Length (mm)', code: 'PARSE_ERROR' }], where);
    assert.deepEqual(r.badPredict, { name: 'ValidationError', code: 'VALIDATION_FAILED' }, where);
    assert.equal(r.afterDispose, 'DISPOSED', where);
  }
  assert.equal(result.fromUrl.info.bundleId, result.fromFiles.info.bundleId);
  assert.equal(result.fromUrl.flushed, true, `${runtime}: model.telemetry.flush() resolved`);
  // The records say which runtime sent them (OpenTelemetry process.runtime.* resource attributes).
  const resources = origin.posts
    .filter((p) => p.path === '/v1/logs')
    .flatMap((p) => JSON.parse(p.body).resourceLogs.map((r: any) => Object.fromEntries(r.resource.attributes.map((a: any) => [a.key, a.value.stringValue]))))
    .filter((r) => r['service.name'] === `edge-${runtime}`);
  assert.ok(resources.length > 0, `${runtime}: telemetry reached the collector`);
  const want = { node: 'nodejs', bun: 'bun', deno: 'deno', workerd: 'workerd' }[runtime];
  for (const r of resources) assert.equal(r['process.runtime.name'], want, JSON.stringify(r));
  if (runtime !== 'workerd') assert.equal(resources[0]!['process.runtime.version'], result.runtime.version);
}

function parse(out: { code: number | null; stdout: string; stderr: string }, runtime: string): Conformance {
  const line = out.stdout.split('\n').find((l) => l.startsWith('CONFORMANCE'));
  if (!line?.startsWith('CONFORMANCE ')) assert.fail(`${runtime} exited ${out.code}:\n${out.stdout}\n${out.stderr}`);
  assert.equal(out.code, 0, out.stderr);
  return JSON.parse(line.slice('CONFORMANCE '.length));
}

for (const runtime of ['node', 'bun', 'deno'] as const) {
  test(`${runtime}: the conformance script on the built SDK equals the golden rows (URL and files)`, async () => {
    const [cmd, ...lead] = runtimes[runtime];
    const perms = runtime === 'deno' ? ['run', '--allow-read', '--allow-net=127.0.0.1', '--allow-env', '--no-prompt'] : [];
    const out = await run(
      cmd!,
      [...lead, ...perms, 'test/edge/run-conformance.mjs', sdk.dir, `${origin.base}/${BUNDLE}/`, BUNDLE, origin.base],
      120_000,
      denoEnv(runtime),
    );
    check(parse(out, runtime), runtime);
  });
}

test('workerd: the conformance script as a Worker module (esbuild, wrangler defaults) equals the golden rows (URL and files)', async () => {
  const { code } = await buildWorker({ entry: 'test/edge/worker.mjs', sdk: sdk.dir, bundleDir: BUNDLE });
  const worker = await startWorkerd(code);
  try {
    const res = await fetch(`${worker.base}/?bundle=${encodeURIComponent(`${origin.base}/${BUNDLE}/`)}&telemetry=${encodeURIComponent(origin.base)}`);
    const body = await res.text();
    assert.equal(res.status, 200, `${body}\n${worker.log()}`);
    check(JSON.parse(body), 'workerd');
  } finally {
    await worker.stop();
  }
});

// The README's Deno and Bun server examples, as written (their `ferryml/edge` import pointed at the built SDK).
for (const runtime of ['deno', 'bun'] as const) {
  test(`${runtime}: the README server example serves golden predictions and a 422 for a bad row`, async () => {
    const example = await readFile(`test/edge/${runtime}-server.mjs`, 'utf8');
    const file = join(sdk.dir, `${runtime}-server.mjs`);
    await writeFile(
      file,
      example
        .replace("'ferryml/edge'", `'${pathToFileURL(resolve(sdk.dir, 'edge.js')).href}'`)
        .replace("'ferryml/node'", `'${pathToFileURL(resolve(sdk.dir, 'node.js')).href}'`),
    );
    const port = await freePort();
    const [cmd, ...lead] = runtimes[runtime];
    const cacheDir = tempDir(`ferryml-${runtime}-fscache-`);
    const perms = runtime === 'deno' ? ['run', '--allow-net=127.0.0.1', '--allow-env', '--allow-read', `--allow-write=${cacheDir}`, '--no-prompt'] : [];
    const server = await startServer(cmd!, [...lead, ...perms, file], {
      BUNDLE_URL: `${origin.base}/${BUNDLE}/`,
      PORT: String(port),
      CACHE_DIR: cacheDir,
      ...denoEnv(runtime),
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      assert.deepEqual(await (await fetch(base)).json(), { version: '1.0.0', engine: 'js', source: 'network' });
      for (const [i, row] of golden.rows.entries()) {
        const body = await (await fetch(base, { method: 'POST', body: JSON.stringify(row) })).json();
        assert.ok(close(Object.values(body.probabilities), golden.outputs[i]!), `${runtime} row ${i}: ${JSON.stringify(body)}`);
        assert.equal(body.label, argmax(golden.outputs[i]!));
      }
      const bad = await fetch(base, { method: 'POST', body: JSON.stringify({ Island: 'Dream', 'Beak Length (mm)': 'forty' }) });
      assert.equal(bad.status, 422);
      assert.equal((await bad.json()).issues[0].code, 'PARSE_ERROR');
    } finally {
      await server.stop();
    }
  });
}

// Telemetry's offline queue without IndexedDB: undelivered batches wait in memory, are retried by
// the next flush() and counted as dropped if still held at dispose(); stats() says so.
test('deno: telemetry without IndexedDB holds undelivered batches in memory, the next flush sends them, dispose counts what is left', async () => {
  let up = true;
  const received: number[] = [];
  const collector = createServer((req, res) => {
    if (req.url?.startsWith('/__collector')) {
      up = req.url.endsWith('up=1');
      return void res.writeHead(204).end();
    }
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (!up) return void res.writeHead(503, { 'content-type': 'text/plain' }).end('down');
      const logs = JSON.parse(body).resourceLogs as { scopeLogs: { logRecords: unknown[] }[] }[];
      received.push(logs.flatMap((r) => r.scopeLogs).reduce((n, s) => n + s.logRecords.length, 0));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  try {
    const base = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    const args = ['run', '--allow-read', '--allow-net=127.0.0.1', '--no-prompt', 'test/edge/telemetry-queue.mjs'];
    const out = await run(
      runtimes.deno[0]!,
      [...args, pathToFileURL(sdk.dir).href + '/', `${origin.base}/${BUNDLE}/`, base, `${BUNDLE}/golden.json`],
      120_000,
      denoEnv('deno'),
    );
    const line = out.stdout.split('\n').find((l) => l.startsWith('TELEMETRY-QUEUE '));
    assert.ok(line, `deno exited ${out.code}:\n${out.stdout}\n${out.stderr}`);
    const steps = JSON.parse(line.slice('TELEMETRY-QUEUE '.length));
    assert.equal(steps.error, undefined, JSON.stringify(steps.error));
    const none = { queue_full: 0, offline_full: 0, rejected: 0, too_large: 0, undeliverable: 0, storage_error: 0, disposed: 0 };
    // Collector down: the batch is held in memory, nothing dropped, nothing sent.
    assert.deepEqual(
      { ...steps.down, lastError: undefined },
      { offlineStore: 'memory', offlineBatches: 1, queued: 0, sent: 0, dropped: none, lastError: undefined },
    );
    assert.match(steps.down.lastError, /503/);
    // Back up: the next flush sends the new batch and the held one.
    assert.equal(steps.up.offlineBatches, 0);
    assert.deepEqual(steps.up.dropped, none);
    assert.equal(
      steps.up.sent,
      received.reduce((a, b) => a + b, 0),
      'every record the SDK counts as sent reached the collector',
    );
    assert.equal(received.length, 2, 'the new batch and the held one');
    // Down again, then dispose: what is still held cannot outlive the process, and is counted.
    assert.equal(steps.downAgain.offlineBatches, 1);
    assert.ok(steps.disposed.dropped.disposed > 0, JSON.stringify(steps.disposed));
    assert.equal(steps.disposed.sent, steps.up.sent);
    assert.match(steps.disposed.lastError, /held in memory/);
  } finally {
    await new Promise<void>((r) => collector.close(() => r()));
  }
});

// workerd ends a request's I/O at its response: a telemetry flush left running by one request (not
// passed to ctx.waitUntil) can never settle in the next. That must not make every later flush()
// reject: the stuck delivery is let go, its records counted as undeliverable, and lastError says to
// pass flush() to ctx.waitUntil.
test('workerd: a flush one request left running does not break the next requests’ flushes; its records are counted', async () => {
  const received: number[] = [];
  const collector = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const logs = JSON.parse(body).resourceLogs as { scopeLogs: { logRecords: unknown[] }[] }[];
      received.push(logs.flatMap((r) => r.scopeLogs).reduce((n, s) => n + s.logRecords.length, 0));
      // Slower than the request that left it: its delivery is still waiting when that request ends.
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), 500);
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  const { code } = await buildWorker({ entry: 'test/edge/telemetry-scope-worker.mjs', sdk: sdk.dir });
  const worker = await startWorkerd(code, {
    BUNDLE_URL: `${origin.base}/${BUNDLE}/`,
    COLLECTOR: `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/logs`,
    ROW: JSON.stringify(golden.rows[0]),
  });
  try {
    const get = async (path: string) => {
      const res = await fetch(worker.base + path);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    assert.deepEqual(await get('/leave'), { status: 200, body: { left: true } });
    await new Promise((r) => setTimeout(r, 1_000));
    const next = await get('/next');
    assert.equal(next.status, 200, `the next request's flush resolved: ${JSON.stringify(next.body)}`);
    const dropped = next.body.dropped as Record<string, number>;
    assert.ok(dropped.undeliverable! > 0, `the stuck delivery's records are counted: ${JSON.stringify(next.body)}`);
    assert.match(String(next.body.lastError), /ctx\.waitUntil/);
    const again = await get('/again');
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.ok((again.body.sent as number) > (next.body.sent as number), 'later flushes still send');
    assert.equal((again.body.dropped as Record<string, number>).undeliverable, dropped.undeliverable, 'counted once');
    assert.ok(received.length >= 2, `the collector got the later requests' batches: ${JSON.stringify(received)}`);
  } finally {
    await worker.stop();
    await new Promise<void>((r) => collector.close(() => r()));
  }
});
