// End to end in real Chromium against the real collector process (cross-origin, so CORS is
// real): rows go through the compiled penguins schema with telemetry's observer, predictions
// are reported with known latencies, and the read API must report the counts, the merged
// latency percentiles, error and load shares, validation issues, and PSI per feature merged
// across two clients — near 0 for a stream drawn from the training baseline, over the alert
// threshold for a deliberately shifted one. Telemetry gets rows through its batch capture (as
// the runtime passes it); the expected counts come from a separate per-value transform. Clients
// past `driftExactRows` send sampled (weighted) counts that must merge and score the same way.
import { expect } from 'chai';
import { baselineBin, compileSchema } from '../../src/entries/schema.js';
import type { Issue, Schema } from '../../src/index.js';
import type { ValueObserver } from '../../src/entries/schema.js';
import { createTelemetry } from '../../src/telemetry/telemetry.js';
import type { Telemetry } from '../../src/telemetry/types.js';
import { LATENCY_BUCKETS, histogramQuantile, latencyBucket, LATENCY_BOUNDS } from '../../src/telemetry/histogram.js';
import { expectedShares, psi } from '../../src/telemetry/psi.js';
import { collector, prng, readApi, unique } from './helpers.js';

const schema = (await (await fetch('/models/penguins/1.0.0/schema.json')).json()) as Schema;
const compiled = compileSchema(schema);

/** Rows drawn from the training baseline; `shift` moves Beak Length and skews Island. */
function rows(n: number, seed: number, shift: boolean): Array<Record<string, unknown>> {
  const rnd = prng(seed);
  const pick = (shares: readonly number[]) => {
    let u = rnd();
    for (let i = 0; i < shares.length; i++) if ((u -= shares[i]!) < 0) return i;
    return shares.length - 1;
  };
  return Array.from({ length: n }, () => {
    const row: Record<string, unknown> = {};
    for (const c of schema.columns) {
      const b = c.baseline!;
      if (rnd() < b.missing) {
        row[c.name] = null;
      } else if (b.kind === 'categorical') {
        row[c.name] = shift && rnd() < 0.8 ? 'Torgersen' : b.categories[pick(b.shares)];
      } else {
        const i = pick(b.shares);
        const range = (c as { range?: { min: number; max: number } }).range!;
        const lo = i === 0 ? range.min : b.edges[i - 1]!;
        const hi = i === b.edges.length ? range.max : b.edges[i]!;
        const x = lo + rnd() * (hi - lo);
        row[c.name] = shift && c.name === 'Beak Length (mm)' ? x + 9 : x;
      }
    }
    return row;
  });
}

/** What the test expects per feature: the observer's calls binned independently of telemetry. */
function tally() {
  const counts = schema.columns.map((c) => new Array<number>(c.baseline!.shares.length + 2).fill(0));
  const observe: ValueObserver = (column, value, flag) => {
    const c = schema.columns[column]!;
    const b = c.baseline!;
    const k = counts[column]!;
    if (value === null) k[k.length - 2]!++;
    else if (flag === 'unknown') k[k.length - 1]!++;
    else if (b.kind === 'numeric') k[baselineBin(b.edges, value as number)]!++;
    else {
      const i = b.categories.indexOf(value);
      if (i < 0) k[k.length - 1]!++;
      else k[i]!++;
    }
  };
  return { counts, observe };
}

const latencyOf = (k: number) => 0.4 + (k % 25) * 0.3; // 0.4 … 7.6 ms

/**
 * Runs `data` through the schema in calls of 50 rows, as the runtime does, reporting to `t`:
 * telemetry's own hook (its batch capture, counted in a later task) for `t`, and a second,
 * per-value transform of the same rows for the independent tally.
 */
function run(t: Telemetry, data: Array<Record<string, unknown>>, expected: ReturnType<typeof tally>, latencies: number[]) {
  const out = new Float32Array(50 * compiled.width);
  const issues: Issue[] = [];
  expect(t.observe!.capture, 'telemetry hands the transform a batch capture').to.exist;
  for (let i = 0; i < data.length; i += 50) {
    compiled.transformInto(data.slice(i, i + 50), out, expected.observe);
    const r = compiled.transformInto(data.slice(i, i + 50), out, t.observe);
    if (r.issues.length) {
      t.issues(r.issues);
      issues.push(...r.issues);
    }
    const ms = latencyOf(latencies.length);
    latencies.push(ms);
    t.predicted(50 - r.rejected.reduce((a, b) => a + b, 0), ms, 'wasm');
  }
  return issues;
}

describe('telemetry → real collector → read API', () => {
  it('reports counts, percentiles, shares, issues and PSI (unshifted ≈ 0, shifted ≥ alert)', async () => {
    const { url } = await collector();
    const model = unique('penguins-e2e');
    const context = (version: string) => ({ model, version, schemaHash: 'sha256-penguins-1.0.0', schema });
    const options = { endpoint: url, offline: false as const, windowMs: 600_000, flushIntervalMs: 600_000, driftMinRows: 100 };
    const a = createTelemetry(options, context('base'));
    const b = createTelemetry(options, context('base'));
    const s = createTelemetry(options, context('shift'));
    const base = tally();
    const shifted = tally();
    const latencies: number[] = [];

    a.modelLoaded({
      version: 'base',
      source: 'network',
      bytes: 6000,
      ms: 52,
      backend: 'wasm',
      rejected: [{ backend: 'webgpu', code: 'SOFTWARE_ADAPTER', reason: 'fallback adapter' }],
    });
    b.modelLoaded({ version: 'base', source: 'cache', bytes: 6000, ms: 14, backend: 'wasm' });
    run(a, rows(1000, 1, false), base, latencies);
    const bad = [
      { ...rows(1, 9, false)[0], 'Beak Length (mm)': 'abc' },
      { ...rows(1, 10, false)[0], Island: 'Atlantis' },
    ];
    const issues = run(b, [...rows(998, 2, false), ...bad], base, latencies);
    a.failed('INFERENCE_FAILED');
    a.failed('INFERENCE_FAILED');
    b.failed('TIMEOUT');
    run(s, rows(2000, 3, true), shifted, []);
    await Promise.all([a.flush(), b.flush(), s.flush()]);
    for (const t of [a, b, s]) {
      expect(t.stats().dropped).to.deep.equal({ queue_full: 0, offline_full: 0, rejected: 0, too_large: 0, undeliverable: 0, storage_error: 0, disposed: 0 });
      expect(t.stats().queued).to.equal(0);
    }

    const models = await readApi<{ models: Array<{ name: string; versions: Array<{ version: string; sessions: number }> }> }>('/api/models');
    const m = models.models.find((x) => x.name === model)!;
    expect(m.versions.map((v) => [v.version, v.sessions])).to.deep.equal([
      ['base', 2],
      ['shift', 1],
    ]);

    const sum = await readApi(`/api/summary?model=${encodeURIComponent(model)}&version=base`);
    const p = sum.predictions;
    expect(p.calls).to.equal(40);
    expect(p.rows).to.equal(2000 - issues.filter((i: Issue) => i.severity === 'error').length);
    expect(p.backends).to.deep.equal({ wasm: { calls: 40, rows: p.rows, share: 1 } });
    expect(p.errors).to.equal(3);
    expect(p.errorsByCode).to.deep.equal({ INFERENCE_FAILED: 2, TIMEOUT: 1 });
    expect(p.errorRate).to.equal(3 / 43);
    // Percentiles: the merged fixed-bound histogram of both clients' windows.
    const hist = new Array<number>(LATENCY_BUCKETS).fill(0);
    for (const l of latencies) hist[latencyBucket(l)]!++;
    const sorted = [...latencies].sort((x, y) => x - y);
    expect(p.latency.p50).to.be.closeTo(histogramQuantile(hist, 0.5, sorted[0], sorted.at(-1))!, 1e-9);
    expect(p.latency.p95).to.be.closeTo(histogramQuantile(hist, 0.95, sorted[0], sorted.at(-1))!, 1e-9);
    for (const [q, v] of [
      [0.5, p.latency.p50],
      [0.95, p.latency.p95],
    ] as const) {
      const exact = sorted[Math.ceil(q * sorted.length) - 1]!;
      const k = latencyBucket(exact);
      expect(v).to.be.within(LATENCY_BOUNDS[k - 1] ?? 0, LATENCY_BOUNDS[k]!);
    }
    expect(p.latency.meanMs).to.be.closeTo(latencies.reduce((x, y) => x + y, 0) / 40, 1e-9);
    expect(sum.loads.count).to.equal(2);
    expect(sum.loads.cacheHitShare).to.equal(0.5);
    expect(sum.loads.offlineShare).to.equal(0);
    // Codes travel by default (free text only with rejectionText: true).
    expect(sum.loads.rejectedBackends).to.deep.equal({ webgpu: { SOFTWARE_ADAPTER: 1 } });
    const byIssue: Record<string, number> = {};
    for (const i of issues) byIssue[`${i.column}|${i.code}`] = (byIssue[`${i.column}|${i.code}`] ?? 0) + 1;
    expect(issues.length).to.be.greaterThan(0);
    expect(Object.fromEntries(sum.validation.map((v: any) => [`${v.column}|${v.code}`, v.count]))).to.deep.equal(byIssue);

    // Drift, unshifted: counts merged across the two clients equal the independent tally.
    for (const [k, c] of schema.columns.entries()) {
      const d = sum.drift.find((x: any) => x.feature === c.name);
      expect(d, c.name).to.exist;
      expect(d.counts, c.name).to.deep.equal(base.counts[k]);
      expect(d.clients).to.equal(2);
      expect(d.psi).to.be.closeTo(psi(expectedShares(c.baseline!), base.counts[k]!), 1e-12);
      expect(d.psi, `${c.name} PSI of an unshifted stream`).to.be.below(0.1);
      expect(d.status).to.equal('ok');
    }

    // Drift, shifted: Beak Length and Island alert; the untouched features stay ok.
    const sh = await readApi(`/api/summary?model=${encodeURIComponent(model)}&version=shift`);
    const status = Object.fromEntries(sh.drift.map((d: any) => [d.feature, d.status]));
    expect(status).to.deep.equal({ Island: 'alert', 'Beak Length (mm)': 'alert', 'Beak Depth (mm)': 'ok', 'Flipper Length (mm)': 'ok', 'Body Mass (g)': 'ok' });
    for (const [k, c] of schema.columns.entries()) {
      const d = sh.drift.find((x: any) => x.feature === c.name);
      expect(d.counts).to.deep.equal(shifted.counts[k]);
      expect(d.psi).to.be.closeTo(psi(expectedShares(c.baseline!), shifted.counts[k]!), 1e-12);
    }
    const beak = sh.drift.find((d: any) => d.feature === 'Beak Length (mm)');
    expect(beak.outOfRange, 'shifted values past the training max are counted').to.be.greaterThan(0);
    // The client scored the same windows itself (one window of 2000 rows ≥ driftMinRows).
    expect(s.stats().lastDrift['Beak Length (mm)']!.status).to.equal('alert');
    expect(s.stats().lastDrift['Beak Length (mm)']!.psi).to.be.closeTo(beak.psi, 1e-12);
    await Promise.all([a.dispose(), b.dispose(), s.dispose()]);
  });

  it('sampled clients (past driftExactRows): weighted counts merge, are flagged as sampled, and PSI still tells shifted from unshifted', async () => {
    const { url } = await collector();
    const model = unique('penguins-sampled');
    const context = (version: string) => ({ model, version, schemaHash: 'sha256-penguins-1.0.0', schema });
    // 200 rows per window counted exactly, then each row with probability 1/4 (weight 4).
    const options = {
      endpoint: url,
      offline: false as const,
      windowMs: 600_000,
      flushIntervalMs: 600_000,
      driftMinRows: 100,
      driftExactRows: 200,
      driftSampleEvery: 4,
    };
    const a = createTelemetry(options, context('base'));
    const b = createTelemetry(options, context('base'));
    const s = createTelemetry(options, context('shift'));
    const base = tally();
    const shifted = tally();
    run(a, rows(3000, 21, false), base, []);
    run(b, rows(3000, 22, false), base, []);
    run(s, rows(3000, 23, true), shifted, []);
    await Promise.all([a.flush(), b.flush(), s.flush()]);

    const sum = await readApi(`/api/summary?model=${encodeURIComponent(model)}&version=base`);
    // Values counted: 200 + Binomial(2800, 1/4) per client (mean 900, sd 23); estimated rows: 200 + 4 × that (sd 92).
    const sdRows = 4 * Math.sqrt(2 * 2800 * 0.25 * 0.75);
    for (const [k, c] of schema.columns.entries()) {
      const d = sum.drift.find((x: any) => x.feature === c.name);
      const clients = [a, b].map((t) => t.stats().lastDrift[c.name]!);
      expect(d.sampled, c.name).to.equal(true);
      expect(d.rowsObserved).to.equal(clients[0]!.observed + clients[1]!.observed);
      expect(d.rows).to.equal(clients[0]!.rows + clients[1]!.rows);
      expect(d.rowsObserved).to.be.within(1800 - 200, 1800 + 200);
      expect(d.rows, `${c.name}: the estimate of 6000 values`).to.be.closeTo(
        base.counts[k]!.reduce((x, y) => x + y, 0),
        5 * sdRows,
      );
      expect(d.psi, `${c.name} PSI of an unshifted, sampled stream`).to.be.below(0.1);
    }
    const sh = await readApi(`/api/summary?model=${encodeURIComponent(model)}&version=shift`);
    const status = Object.fromEntries(sh.drift.map((d: any) => [d.feature, d.status]));
    expect(status).to.deep.equal({ Island: 'alert', 'Beak Length (mm)': 'alert', 'Beak Depth (mm)': 'ok', 'Flipper Length (mm)': 'ok', 'Body Mass (g)': 'ok' });
    // Each record says how it was counted.
    const records = await readApi(`/api/records?model=${encodeURIComponent(model)}&event=ferryml.drift.window&limit=100`);
    expect(records.records).to.have.length(15);
    for (const r of records.records) {
      expect(r.attributes['ferryml.drift.sample_weight']).to.equal(4);
      expect(r.attributes['ferryml.drift.rows_observed']).to.be.below(r.attributes['ferryml.drift.rows']);
    }
    await Promise.all([a.dispose(), b.dispose(), s.dispose()]);
  });
});
