// The summary window's batch log (src/telemetry/summary.ts): what the predict path stores per
// batch is folded into the same counts, histogram and percentiles as counting each batch at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LATENCY_BUCKETS, histogramQuantile, latencyBucket } from '../../src/telemetry/histogram.js';
import { LOG_BATCHES, createSummaryWindow } from '../../src/telemetry/summary.js';

test('summary window: batches logged past the log size and across backend switches fold into exact counts', () => {
  const w = createSummaryWindow();
  const expected = new Map<string, { calls: number; rows: number; sumMs: number; minMs: number; maxMs: number; histogram: number[] }>();
  let seed = 7;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const total = LOG_BATCHES * 2 + 123;
  for (let i = 0; i < total; i++) {
    // Runs of one backend, as a model that moves (device lost, background measurement) produces.
    const backend = i < 3000 ? 'cpu' : i < 9000 ? 'wasm' : 'cpu';
    const ms = i % 997 === 0 ? NaN : rand() * 5;
    const rows = 1 + Math.floor(rand() * 256);
    w.predicted(rows, ms, backend);
    const e = expected.get(backend) ?? { calls: 0, rows: 0, sumMs: 0, minMs: Infinity, maxMs: 0, histogram: new Array<number>(LATENCY_BUCKETS).fill(0) };
    expected.set(backend, e);
    const clean = Number.isNaN(ms) ? 0 : ms;
    e.calls++;
    e.rows += rows;
    e.sumMs += clean;
    e.minMs = Math.min(e.minMs, clean);
    e.maxMs = Math.max(e.maxMs, clean);
    e.histogram[latencyBucket(clean)]!++;
  }
  w.failed('INFERENCE_FAILED');
  assert.equal(w.empty, false);
  const closed = w.close();
  assert.equal(w.empty, true);
  assert.deepEqual(closed.errors, [{ code: 'INFERENCE_FAILED', count: 1 }]);
  assert.deepEqual(closed.backends.map((b) => b.backend).sort(), ['cpu', 'wasm']);
  for (const b of closed.backends) {
    const e = expected.get(b.backend)!;
    assert.equal(b.calls, e.calls);
    assert.equal(b.rows, e.rows);
    assert.ok(Math.abs(b.sumMs - e.sumMs) < 1e-6);
    assert.equal(b.minMs, e.minMs);
    assert.equal(b.maxMs, e.maxMs);
    assert.deepEqual(b.histogram, e.histogram);
    assert.equal(b.p95, histogramQuantile(e.histogram, 0.95, e.minMs, e.maxMs));
  }
  // The next window starts empty.
  w.predicted(2, 1, 'cpu');
  const next = w.close();
  assert.deepEqual(
    next.backends.map((b) => [b.backend, b.calls, b.rows]),
    [['cpu', 1, 2]],
  );
});
