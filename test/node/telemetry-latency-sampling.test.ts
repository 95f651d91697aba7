// Latency sampling per window (src/telemetry/latency-sampler.ts, summary.ts): calls and rows stay
// exact under sampling, a window's first 1,024 batches are all timed, the rates halve to 1/64 as
// the window grows, the Horvitz–Thompson sums and histograms estimate the truth, and closing a
// window starts the timing over. Random sources are seeded, so every run sees the same draws.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { LATENCY_BUCKETS, histogramQuantile, latencyBucket } from '../../src/telemetry/histogram.js';
import { EXACT_BATCHES, MAX_SAMPLE_EVERY, createLatencySampler } from '../../src/telemetry/latency-sampler.js';
import { createSummaryWindow } from '../../src/telemetry/summary.js';
import { createTelemetry } from '../../src/telemetry/telemetry.js';
import type { Schema } from '../../src/schema/types.js';
import { seededRandom } from '../../training/random.js';

/** The rate the sampler must use for the window's batch `n` (0-based): 1, then 1/2 from 1,024, … 1/64 from 32,768. */
function expectedEvery(n: number): number {
  let every = 1;
  for (let at = EXACT_BATCHES; n >= at && every < MAX_SAMPLE_EVERY; at *= 2) every *= 2;
  return every;
}

/** A latency in ms from a known, skewed distribution: log-normal around 0.033 ms with a slow tail. */
function latencyOf(random: () => number): number {
  const u = 1 - random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  return (random() < 0.02 ? 10 : 1) * 0.033 * Math.exp(0.4 * z);
}

test('latency sampler: the first 1,024 batches of a window are all timed, whatever the random source says', () => {
  // A source whose draws would skip nearly everything at any rate below 1.
  const s = createLatencySampler(() => 0.999999);
  for (let n = 0; n < EXACT_BATCHES; n++) assert.equal(s.next(), 1, `batch ${n}`);
  // Batch 1,024 is the first at 1/2: this source draws a gap of 19 batches, then one is timed at weight 2.
  for (let n = 0; n < 19; n++) assert.equal(s.next(), 0);
  assert.equal(s.next(), 2);
});

test('latency sampler: rates step down 1/2, 1/4, … 1/64 as the window doubles, each batch weighted by its own rate', () => {
  const windows = 40;
  const batches = 100_000;
  // Per rate: batches the window had at that rate, and batches timed there.
  const seen = new Map<number, number>();
  const timed = new Map<number, number>();
  const random = seededRandom(11);
  for (let w = 0; w < windows; w++) {
    const sampler = createLatencySampler(random);
    for (let n = 0; n < batches; n++) {
      const every = expectedEvery(n);
      const weight = sampler.next();
      seen.set(every, (seen.get(every) ?? 0) + 1);
      if (weight === 0) continue;
      assert.equal(weight, every, `window ${w}, batch ${n}: a timed batch weighs 1 / its rate`);
      timed.set(every, (timed.get(every) ?? 0) + 1);
    }
  }
  assert.deepEqual([...seen.keys()], [1, 2, 4, 8, 16, 32, 64]);
  assert.equal(timed.get(1), windows * EXACT_BATCHES);
  for (const [every, n] of seen) {
    if (every === 1) continue;
    // Binomial(n, 1/every): within 4 standard deviations of its mean.
    const mean = n / every;
    const sd = Math.sqrt(n * (1 / every) * (1 - 1 / every));
    const got = timed.get(every) ?? 0;
    assert.ok(Math.abs(got - mean) < 4 * sd, `rate 1/${every}: ${got} timed of ${n}, expected ${mean.toFixed(0)} ± ${(4 * sd).toFixed(0)}`);
  }
});

test('summary window: 100,000 batches keep calls and rows exact; sum, histogram and percentiles are unbiased estimates', () => {
  const batches = 100_000;
  const windows = 30;
  const random = seededRandom(5);
  const w = createSummaryWindow(seededRandom(7));
  let sumRatio = 0;
  for (let k = 0; k < windows; k++) {
    let rows = 0;
    let trueSum = 0;
    let trueMin = Infinity;
    let trueMax = 0;
    let timed = 0;
    const truth = new Array<number>(LATENCY_BUCKETS).fill(0);
    for (let n = 0; n < batches; n++) {
      const ms = latencyOf(random);
      const count = 1 + (n % 7);
      rows += count;
      trueSum += ms;
      truth[latencyBucket(ms)]!++;
      const weight = w.sample();
      if (weight > 0) {
        timed++;
        trueMin = Math.min(trueMin, ms);
        trueMax = Math.max(trueMax, ms);
      }
      // What telemetry hands on: the latency only when the batch was timed.
      w.predicted(count, weight > 0 ? ms : NaN, 'wasm', weight);
    }
    const [b, ...others] = w.close().backends;
    assert.equal(others.length, 0);
    assert.equal(b!.calls, batches, 'calls are exact');
    assert.equal(b!.rows, rows, 'rows are exact');
    assert.equal(b!.timed, timed);
    // 1,024 + ~512 per doubling up to 32,768 + 1/64 of the rest: ~4,650 of 100,000.
    assert.ok(timed > 4300 && timed < 5000, `timed ${timed}`);
    assert.equal(b!.minMs, trueMin, 'min over the timed batches');
    assert.equal(b!.maxMs, trueMax, 'max over the timed batches');
    // One window, relative standard errors over these seeds: ~4 % for the sum (the 2 % slow tail), ~2 % for the
    // histogram's total; 12 % is 3 and 6 of them. Without the weights both would read under 5 % of the truth.
    const total = b!.histogram.reduce((a, c) => a + c, 0);
    assert.ok(Math.abs(total / batches - 1) < 0.12, `histogram total ${total} for ${batches} calls`);
    assert.ok(Math.abs(b!.sumMs / trueSum - 1) < 0.12, `sum ${b!.sumMs} for ${trueSum}`);
    const p50 = histogramQuantile(truth, 0.5)!;
    const p95 = histogramQuantile(truth, 0.95)!;
    assert.ok(Math.abs(b!.p50 / p50 - 1) < 0.1, `p50 ${b!.p50} for ${p50}`);
    assert.ok(Math.abs(b!.p95 / p95 - 1) < 0.2, `p95 ${b!.p95} for ${p95}`);
    sumRatio += b!.sumMs / trueSum;
  }
  // Unbiased: the mean over 30 windows (standard error ~0.7 %) sits within 2.5 % of the truth.
  assert.ok(Math.abs(sumRatio / windows - 1) < 0.025, `mean estimate ÷ truth ${sumRatio / windows}`);
});

test('summary window: closing a window starts the timing over', () => {
  const w = createSummaryWindow(seededRandom(3));
  for (let n = 0; n < 50_000; n++) {
    const weight = w.sample();
    w.predicted(1, weight > 0 ? 0.05 : NaN, 'cpu', weight);
  }
  const first = w.close().backends[0]!;
  assert.equal(first.calls, 50_000);
  assert.ok(first.timed < 50_000 / 8, `timed ${first.timed}`);
  // The next window times its first 1,024 batches again, at weight 1, and its summary is exact.
  for (let n = 0; n < EXACT_BATCHES; n++) {
    const weight = w.sample();
    assert.equal(weight, 1, `batch ${n} of the new window`);
    w.predicted(2, 0.05, 'cpu', weight);
  }
  const second = w.close().backends[0]!;
  assert.equal(second.calls, EXACT_BATCHES);
  assert.equal(second.timed, EXACT_BATCHES);
  assert.equal(second.rows, 2 * EXACT_BATCHES);
  assert.ok(Math.abs(second.sumMs - 0.05 * EXACT_BATCHES) < 1e-9);
});

test('summary window: a backend with no timed batch in the window has calls and rows, no latency', () => {
  const w = createSummaryWindow(() => 0.999999);
  for (let n = 0; n < 40_000; n++) {
    const weight = w.sample();
    w.predicted(1, weight > 0 ? 0.05 : NaN, 'wasm', weight);
  }
  // Past 32,768 batches at 1/64 and a source that draws long gaps: these are not timed.
  for (let n = 0; n < 10; n++) w.predicted(3, NaN, 'cpu', w.sample());
  const cpu = w.close().backends.find((b) => b.backend === 'cpu')!;
  assert.deepEqual([cpu.calls, cpu.rows, cpu.timed, cpu.sumMs, cpu.p50, cpu.p95], [10, 30, 0, 0, 0, 0]);
  assert.equal(
    cpu.histogram.reduce((a, c) => a + c, 0),
    0,
  );
});

const schema: Schema = {
  formatVersion: 1,
  columns: [{ name: 'x', type: 'number', steps: [{ kind: 'standardize', mean: 0, scale: 1 }] }],
  features: ['x'],
  width: 1,
};

test('createTelemetry: start() reads the clock only for timed batches; the summary record states calls, rows and ferryml.latency.timed', async () => {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const batches = 3000;
  let untimed = 0;
  try {
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const t = createTelemetry({ endpoint, offline: false, drift: false }, { model: 'm', version: '1.0.0', schemaHash: 'h', schema });
    for (let n = 0; n < batches; n++) {
      const started = t.start();
      if (Number.isNaN(started)) untimed++;
      else assert.ok(started >= 0 && started <= performance.now());
      t.finished(started, 2, 'wasm');
    }
    await t.flush();
    await t.dispose();
  } finally {
    server.close();
  }
  type Attr = { key: string; value: { intValue?: string; doubleValue?: number } };
  const summaries = bodies
    .flatMap(
      (b) => (JSON.parse(b) as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: Array<{ eventName: string; attributes: Attr[] }> }> }> }).resourceLogs,
    )
    .flatMap((rl) => rl.scopeLogs.flatMap((s) => s.logRecords))
    .filter((r) => r.eventName === 'ferryml.predict.summary');
  assert.equal(summaries.length, 1);
  const attr = (key: string) => summaries[0]!.attributes.find((a) => a.key === key)?.value;
  assert.equal(attr('ferryml.predict.calls')?.intValue, String(batches));
  assert.equal(attr('ferryml.predict.rows')?.intValue, String(2 * batches));
  const timed = Number(attr('ferryml.latency.timed')?.intValue);
  assert.equal(timed, batches - untimed, 'each timed batch read the clock at start(), each untimed one did not');
  // 1,024 at 1/1, then ~512 of 1,024 at 1/2, ~238 of 952 at 1/4.
  assert.ok(timed > 1024 + 512 + 150 && timed < 1024 + 512 + 340, `timed ${timed}`);
});
