// A collector's Retry-After in Node against a real local HTTP server: batches made while it is in
// force are not POSTed before it ends (held in the memory queue, or in memory with `offline: false`),
// then arrive exactly once; `flush()` does not wait it out; nothing is dropped uncounted; the
// wait keeps no process alive. Page hide (IndexedDB) is in test/telemetry/delivery-retry-after.test.ts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createTelemetry } from '../../src/telemetry/telemetry.js';
import type { TelemetryOptions } from '../../src/telemetry/types.js';

const schema = {
  formatVersion: 1 as const,
  columns: [{ name: 'x', type: 'number' as const, steps: [{ kind: 'passthrough' as const }] }],
  features: ['x'],
  width: 1,
};
const context = { model: 'm', version: '1', schemaHash: 'h', schema };
/** Quiet timers: nothing is sent unless the test flushes. */
const quiet = { windowMs: 600_000, flushIntervalMs: 600_000 } satisfies Partial<TelemetryOptions>;
const noDrops = { queue_full: 0, offline_full: 0, rejected: 0, too_large: 0, undeliverable: 0, storage_error: 0, disposed: 0 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Post {
  at: number;
  status: number;
  batchId: string;
  records: number;
}

/** A collector stand-in whose first POST gets 429 + `Retry-After: 2`, the rest 200; it logs every POST. */
async function collector(retryAfter = '2') {
  const log: Post[] = [];
  const s = createServer((req, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const status = log.length === 0 ? 429 : 200;
      log.push({
        at: Date.now(),
        status,
        batchId: /"ferryml\.batch\.id","value":\{"stringValue":"([^"]+)"/.exec(body)?.[1] ?? '?',
        records: (JSON.parse(body) as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: unknown[] }> }> }).resourceLogs[0]!.scopeLogs[0]!.logRecords
          .length,
      });
      if (status === 429) res.writeHead(429, { 'Retry-After': retryAfter }).end();
      else res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const close = () => {
    s.closeAllConnections();
    s.close();
  };
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, log, close };
}

async function until(what: string, check: () => boolean, ms = 6_000): Promise<void> {
  for (const end = Date.now() + ms; !check(); await sleep(50)) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
}

test('memory queue: a batch made during a Retry-After is not POSTed before it ends, then arrives once', async () => {
  const srv = await collector();
  try {
    // The 2 s Retry-After is past retryMaxMs: the first batch goes to the (memory) queue to wait.
    const t = createTelemetry({ ...quiet, endpoint: srv.url, retryMaxMs: 500, offline: { minDelayMs: 100 } }, context);
    t.predicted(1, 1, 'cpu');
    await t.flush();
    assert.deepEqual(
      srv.log.map((p) => p.status),
      [429],
    );
    await sleep(100);
    // A new window closes and is flushed: it waits with the first, and flush() does not wait it out.
    t.predicted(2, 1, 'cpu');
    const started = Date.now();
    await t.flush();
    assert.ok(Date.now() - started < 500, `flush() took ${Date.now() - started} ms`);
    assert.equal(srv.log.length, 1, 'no POST during the Retry-After');
    assert.equal(t.stats().offlineBatches, 2, 'both batches wait in the memory queue');
    await until('both batches', () => srv.log.length >= 3);
    await sleep(200);
    const [first, ...rest] = srv.log;
    assert.equal(srv.log.length, 3, JSON.stringify(srv.log));
    for (const p of rest) {
      assert.equal(p.status, 200);
      assert.ok(p.at - first!.at >= 1_950, `a POST ${p.at - first!.at} ms after the 429`);
    }
    assert.equal(new Set(rest.map((p) => p.batchId)).size, 2, 'each batch once');
    assert.equal(rest[0]!.batchId, first!.batchId, 'oldest first');
    const s = t.stats();
    assert.equal(s.sent, rest[0]!.records + rest[1]!.records);
    assert.equal(s.offlineBatches, 0);
    assert.deepEqual(s.dropped, noDrops);
    await t.dispose();
  } finally {
    srv.close();
  }
});

test('offline: false: a batch made during a Retry-After is held in memory (stats.queued), sent once it ends', async () => {
  const srv = await collector();
  try {
    const t = createTelemetry({ ...quiet, endpoint: srv.url, offline: false }, context);
    t.predicted(1, 1, 'cpu');
    // The first batch waits out the 2 s in place (under retryMaxMs); flush() waits for it.
    const first = t.flush();
    await sleep(100);
    t.predicted(2, 1, 'cpu');
    const second = t.flush();
    await sleep(1_000);
    assert.equal(srv.log.length, 1, 'no POST during the Retry-After');
    assert.ok(t.stats().queued > 0, 'the held batch is counted as queued');
    await Promise.all([first, second]);
    await until('both batches', () => srv.log.length >= 3);
    await sleep(200);
    const [r429, ...rest] = srv.log;
    assert.equal(srv.log.length, 3, JSON.stringify(srv.log));
    for (const p of rest) {
      assert.equal(p.status, 200);
      assert.ok(p.at - r429!.at >= 1_950, `a POST ${p.at - r429!.at} ms after the 429`);
    }
    assert.equal(new Set(rest.map((p) => p.batchId)).size, 2, 'each batch once');
    const s = t.stats();
    assert.equal(s.sent, rest[0]!.records + rest[1]!.records);
    assert.equal(s.queued, 0);
    assert.equal(s.retries, 1);
    assert.deepEqual(s.dropped, noDrops);
    await t.dispose();
  } finally {
    srv.close();
  }
});

test('offline: false: dispose() during a Retry-After counts the held batch (dropped.disposed), sends nothing', async () => {
  const srv = await collector('60');
  try {
    const t = createTelemetry({ ...quiet, endpoint: srv.url, offline: false, retryMaxMs: 500 }, context);
    t.predicted(1, 1, 'cpu');
    await t.flush();
    // Past retryMaxMs with no queue: the first batch is undeliverable (as before).
    assert.equal(t.stats().dropped.undeliverable, 1);
    t.predicted(3, 1, 'cpu');
    await t.flush();
    const held = t.stats().queued;
    assert.ok(held > 0, 'held, not dropped');
    await t.dispose();
    assert.equal(srv.log.length, 1);
    // The held batch, then the drops report and the window dispose() closes (both also not sent).
    assert.ok(t.stats().dropped.disposed >= held, JSON.stringify(t.stats()));
  } finally {
    srv.close();
  }
});

/**
 * A child process: the collector (argv[1]) answers 429 + Retry-After: 60, then a second batch is
 * held for it (memory queue, and in memory with offline: false). No dispose: the unref'd waits
 * must let the process exit at once.
 */
const EXIT_SCRIPT = `
const { createTelemetry } = await import(${JSON.stringify(new URL('../../src/telemetry/telemetry.ts', import.meta.url).href)});
const schema = { formatVersion: 1, columns: [{ name: 'x', type: 'number', steps: [{ kind: 'passthrough' }] }], features: ['x'], width: 1 };
const context = { model: 'exit', version: '1', schemaHash: 'h', schema };
const quiet = { windowMs: 600000, flushIntervalMs: 600000, retryMaxMs: 500 };
const queued = createTelemetry({ ...quiet, endpoint: process.argv[1] }, context);
const memory = createTelemetry({ ...quiet, endpoint: process.argv[1], offline: false }, context);
queued.predicted(1, 1, 'cpu');
await queued.flush();
for (const t of [queued, memory]) {
  t.predicted(1, 1, 'cpu');
  await t.flush();
}
if (queued.stats().offlineBatches !== 2 || memory.stats().queued === 0) process.exit(1);
`;

test('a batch held for a Retry-After does not keep the process alive', async () => {
  const srv = await collector('60');
  try {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', EXIT_SCRIPT, srv.url], { stdio: 'ignore' });
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
    assert.ok(Date.now() - started < 10_000, `exited after ${Date.now() - started} ms`);
    assert.equal(srv.log.length, 1, 'the held batch was not sent');
  } finally {
    srv.close();
  }
});
