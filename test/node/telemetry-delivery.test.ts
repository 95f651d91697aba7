// Telemetry delivery in Node against a real local HTTP server: request timeouts. Browser-only
// paths (IndexedDB, page hide) are in test/telemetry/delivery-*.test.ts.
import assert from 'node:assert/strict';
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
