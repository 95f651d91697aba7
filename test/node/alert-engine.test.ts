// The alert engine's timer over a slow store: ticks that find an evaluation running are skipped
// (and counted), each evaluation reads the clock when it starts, and nothing runs after stop().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAlertEngine } from '../../src/node/collector/alerts/engine.js';
import type { AlertReader } from '../../src/node/collector/alerts/evaluate.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a slow evaluation makes ticks skip rather than queue: fresh clocks, skipped ticks counted, nothing after stop()', async () => {
  const nows: Array<{ now: number; at: number }> = [];
  let reads = 0;
  // Each evaluation reads the models for 300 ms; the timer ticks every 100 ms.
  const reader = {
    models: async () => {
      reads++;
      await sleep(300);
      return { models: [] };
    },
    summary: () => Promise.reject(new Error('not needed')),
  } as unknown as AlertReader;
  const e = createAlertEngine(reader, {
    rules: [],
    everyS: 0.1,
    alertmanager: undefined,
    webhooks: [],
    retry: { attempts: 1, baseMs: 1, maxMs: 1, timeoutMs: 1 },
    baseUrl: () => '',
  });
  const keep = setInterval(() => {
    const h = e.health();
    if (h.lastEvaluationAt !== null && nows.at(-1)?.now !== h.lastEvaluationAt) nows.push({ now: h.lastEvaluationAt, at: Date.now() });
  }, 10);
  try {
    await sleep(1600);
    const h = e.health();
    assert.ok(h.evaluations >= 3 && h.evaluations <= 5, `evaluations ${h.evaluations}`);
    assert.ok(h.skippedTicks >= 6, `skipped ticks ${h.skippedTicks}`);
    // An evaluation's `now` is when it started: at most its 300 ms (plus timer slack) before it ended.
    for (const x of nows) assert.ok(x.at - x.now < 600, `an evaluation ended ${x.at - x.now} ms after its clock`);
    e.stop();
    const atStop = reads;
    await sleep(700);
    assert.ok(reads - atStop === 0, `${reads - atStop} evaluations started after stop()`);
    await e.evaluate();
    assert.equal(reads, atStop, 'an explicit evaluate() after stop() is a no-op');
  } finally {
    clearInterval(keep);
    e.stop();
  }
});
