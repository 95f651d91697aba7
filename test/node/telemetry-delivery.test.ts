// Telemetry delivery in Node against a real local HTTP server: request timeouts, Retry-After
// beyond what a timer holds, timers that must not keep the process alive, and copies of a batch
// that was delivered after all (counted once). Browser-only paths (IndexedDB, page hide) are in
// test/telemetry/delivery-*.test.ts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
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

/** A collector stand-in: `answer` handles the n-th POST (0-based); closed (with its sockets) by the returned function. */
async function server(answer: (n: number, req: IncomingMessage, res: ServerResponse) => void) {
  let n = 0;
  const s = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(n++, req, res));
  });
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const close = () => {
    s.closeAllConnections();
    s.close();
  };
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, requests: () => n, close };
}
const ok = (res: ServerResponse) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
const race = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms))]);

test('a request with no answer is aborted after requestTimeoutMs and retried (flush resolves)', async () => {
  // The first POST never gets an answer (a stalled connection); the retry does.
  const srv = await server((n, _req, res) => (n === 0 ? undefined : ok(res)));
  try {
    const t = createTelemetry({ ...quiet, endpoint: srv.url, requestTimeoutMs: 300, retryBaseMs: 10, offline: false }, context);
    t.predicted(1, 1, 'cpu');
    assert.equal(
      await race(
        t.flush().then(() => 'flushed'),
        5_000,
      ),
      'flushed',
    );
    const s = t.stats();
    assert.equal(s.sent, 1);
    assert.equal(s.retries, 1);
    assert.equal(srv.requests(), 2);
    await t.dispose();
  } finally {
    srv.close();
  }
});

test('a Retry-After longer than a timer can hold waits (no request storm from an overflowed setTimeout)', async () => {
  // 3,000,000 s is past setTimeout's 2^31-1 ms: unclamped, the timer fires after ~1 ms, again and again.
  const srv = await server((_n, _req, res) => res.writeHead(429, { 'Retry-After': '3000000' }).end());
  try {
    const t = createTelemetry({ ...quiet, endpoint: srv.url }, context);
    t.predicted(1, 1, 'cpu');
    await t.flush();
    await new Promise((r) => setTimeout(r, 500));
    await t.flush();
    assert.equal(srv.requests(), 1, 'one POST, then the batch waits for the Retry-After');
    assert.equal(t.stats().offlineBatches, 1);
    await t.dispose();
    assert.equal(t.stats().dropped.disposed, 1, 'what dispose() cannot deliver is counted');
  } finally {
    srv.close();
  }
});

test('retry timers do not keep the process alive; dispose() during a retry wait counts the batch', async () => {
  const srv = await server((_n, _req, res) => res.writeHead(503).end());
  try {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/node/support/telemetry-exit.ts', srv.url], { stdio: 'ignore' });
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
    // Four backoff waits from 1 s doubling held it open ~10 s; node + tsx start-up is well under this.
    assert.ok(Date.now() - started < 6_000, `exited after ${Date.now() - started} ms`);

    const t = createTelemetry({ ...quiet, endpoint: srv.url, maxBatchRecords: 1, retryBaseMs: 60_000, retryMaxMs: 60_000 }, context);
    t.modelLoaded({ version: '1', source: 'network', bytes: 1, ms: 1, backend: 'cpu' });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(t.stats().retries, 1, 'the batch waits to retry');
    assert.equal(
      await race(
        t.dispose().then(() => 'disposed'),
        2_000,
      ),
      'disposed',
    );
    assert.equal(t.stats().dropped.disposed, 1);
    assert.equal(t.stats().sent, 0);
  } finally {
    srv.close();
  }
});

test('a copy stored while the original was in flight is not counted again when the original succeeds', async () => {
  // Slow answers: dispose() lands while the POST is in flight (not keepalive: keepaliveBytes 0), so
  // a copy goes to the (memory) offline queue; the original then succeeds.
  const srv = await server((_n, _req, res) => setTimeout(() => ok(res), 300));
  try {
    const t = createTelemetry({ ...quiet, endpoint: srv.url, keepaliveBytes: 0 }, context);
    t.predicted(1, 1, 'cpu');
    const flushed = t.flush();
    await new Promise((r) => setTimeout(r, 50));
    await t.dispose();
    await flushed;
    const s = t.stats();
    assert.equal(s.sent, 1);
    assert.deepEqual(Object.values(s.dropped), [0, 0, 0, 0, 0, 0, 0], JSON.stringify(s.dropped));
  } finally {
    srv.close();
  }
});
