// The batch drift path against the per-value one it replaces on the predict path: the same
// counts (bins, missing, unknown, out of range, PSI) on the real penguins and cars data with
// injected errors, in any batch size; the bin table equals the schema's binary search for any
// edges and value; counting runs in a later task and memory stays bounded; and past
// `exactRows` the sampled counts are unbiased (Horvitz–Thompson) and say that they are sampled.
import { expect } from 'chai';
import fc from 'fast-check';
import { baselineBin } from '../../src/schema/bin.js';
import { compileSchema } from '../../src/schema/compile.js';
import type { CompiledSchema, ValueObserver } from '../../src/schema/compile.js';
import { fitSchema } from '../../src/schema/fit.js';
import type { Schema } from '../../src/schema/types.js';
import { countNumbers, createBinTable } from '../../src/telemetry/bin-table.js';
import { createCapture } from '../../src/telemetry/drift-capture.js';
import { createRowSampler } from '../../src/telemetry/drift-sampler.js';
import { createDriftWindows } from '../../src/telemetry/drift.js';
import type { DriftSampling, DriftWindow } from '../../src/telemetry/drift.js';
import { CASES, loadCase } from '../schema/data.js';
import type { Row } from '../schema/data.js';
import { prng } from './helpers.js';

/** Runs `rows` through `compiled` in batches of `batch` with `observe` (as the runtime does). */
function feed(compiled: CompiledSchema, rows: readonly unknown[], observe: ValueObserver, batch: number): void {
  const out = new Float32Array(batch * compiled.width);
  for (let i = 0; i < rows.length; i += batch) compiled.transformInto(rows.slice(i, i + batch) as never[], out, observe);
}

/** Windows counted value by value (a plain function: no capture). */
function perValueWindows(schema: Schema, rows: readonly unknown[], minRows = 100): DriftWindow[] {
  const d = createDriftWindows(schema, minRows);
  feed(compileSchema(schema), rows, (c, v, f) => d.observe!(c, v, f), 64);
  return d.close();
}

/** Windows counted through the batch capture. */
function capturedWindows(schema: Schema, rows: readonly unknown[], batch: number, minRows = 100, sampling?: DriftSampling): DriftWindow[] {
  const d = createDriftWindows(schema, minRows, sampling);
  expect(d.observe!.capture, 'the drift hook carries a capture').to.not.equal(undefined);
  feed(compileSchema(schema), rows, d.observe!, batch);
  return d.close();
}

/** The next double up (+1) or down (−1) from a finite x. */
function nudge(x: number, dir: 1 | -1): number {
  if (x === 0) return dir * Number.MIN_VALUE;
  const f = new Float64Array([x]);
  const bits = new BigInt64Array(f.buffer);
  bits[0] = bits[0]! + BigInt((x > 0 ? 1 : -1) * dir);
  return f[0]!;
}

describe('telemetry/drift: batch capture', () => {
  const data: Array<{ name: string; schema: Schema; rows: Row[] }> = [];

  before(async () => {
    for (const c of CASES) {
      const { spec, train, test } = await loadCase(c, true);
      data.push({ name: c.name, schema: fitSchema(spec, train), rows: test });
    }
    const penguins = data[0]!.rows;
    for (const v of ['1.0.0', '1.1.0']) {
      const schema = (await (await fetch(`/models/penguins/${v}/schema.json`)).json()) as Schema;
      data.push({ name: `shipped penguins ${v}`, schema, rows: penguins });
    }
  });

  it('counts exactly what per-value observing counts, on penguins and cars with injected errors, in any batch size', () => {
    let flagged = { missing: 0, unknown: 0, outOfRange: 0, psi: 0 };
    for (const { name, schema, rows } of data) {
      const expected = perValueWindows(schema, rows);
      for (const w of expected) {
        flagged = {
          missing: flagged.missing + w.counts.at(-2)!,
          unknown: flagged.unknown + w.counts.at(-1)!,
          outOfRange: flagged.outOfRange + w.outOfRange,
          psi: flagged.psi + (w.psi === null ? 0 : 1),
        };
        expect(w.observed, `${name} ${w.feature}: every value observed`).to.equal(w.rows);
        expect(w.weight).to.equal(1);
      }
      for (const batch of [1, 7, 256, rows.length]) expect(capturedWindows(schema, rows, batch), `${name}, batches of ${batch}`).to.deep.equal(expected);
    }
    // The data exercises every count, not just the bins.
    for (const [k, n] of Object.entries(flagged)) expect(n, k).to.be.greaterThan(0);
  });

  it('hand-written shapes fitSchema never writes: remapped categories, decoded values, booleans, rejected and thrown rows', () => {
    const schema: Schema = {
      formatVersion: 1,
      unknownColumns: 'error',
      columns: [
        // Categories in another order than the encoder's, and one the baseline lacks (→ unknown).
        {
          name: 'c',
          type: 'category',
          steps: [{ kind: 'onehot', categories: ['a', 'b', 'z'], unknown: 'ignore' }],
          baseline: { kind: 'categorical', categories: ['z', 'a'], shares: [0.5, 0.5], missing: 0, rows: 10 },
        },
        // A number column with categories and a range: out-of-range comes from the decoded value.
        {
          name: 'n',
          type: 'number',
          range: { min: 1, max: 2 },
          steps: [{ kind: 'onehot', categories: [1, 2, 3], unknown: 'ignore' }],
          baseline: { kind: 'categorical', categories: [1, 2, 3], shares: [0.4, 0.4, 0.2], missing: 0, rows: 10 },
        },
        // A boolean binned on a numeric baseline, and a number counted on a categorical one.
        {
          name: 'b',
          type: 'boolean',
          required: false,
          steps: [{ kind: 'impute', value: false }, { kind: 'passthrough' }],
          baseline: { kind: 'numeric', edges: [0.5], shares: [0.5, 0.5], missing: 0.1, rows: 10 },
        },
        {
          name: 'x',
          type: 'number',
          range: { min: 0, max: 5 },
          steps: [{ kind: 'passthrough' }],
          baseline: { kind: 'categorical', categories: [1, 2], shares: [0.5, 0.5], missing: 0, rows: 10 },
        },
        // Ordinal with a missing code (no impute): missing reaches the encoder.
        {
          name: 'o',
          type: 'category',
          required: false,
          steps: [{ kind: 'ordinal', categories: ['p', 'q'], unknown: { value: 9 }, missing: 7 }],
          baseline: { kind: 'categorical', categories: ['p', 'q'], shares: [0.5, 0.5], missing: 0.2, rows: 10 },
        },
      ],
      features: ['c_a', 'c_b', 'c_z', 'n_1', 'n_2', 'n_3', 'b', 'x', 'o'],
      width: 9,
    };
    const thrower = Object.defineProperty({ c: 'a', n: 1 }, 'b', {
      get: () => {
        throw new Error('getter');
      },
      enumerable: true,
    });
    const rows: unknown[] = [
      { c: 'a', n: 1, b: true, x: 1, o: 'p' },
      { c: 'b', n: 3, b: false, x: 2, o: 'q' },
      { c: 'q', n: 4, b: null, x: 7, o: null },
      { c: 'z', n: 2, b: 'yes', x: 1.5, o: 'r' }, // b rejected: the other columns still count
      { c: 'a', n: 2, b: true, x: 2, o: 'p', extra: 1 }, // rejected after every column was read
      null,
      thrower,
      { c: null, n: 1, b: true, x: 1, o: 'p' }, // c missing without an imputer: rejected, not observed
    ];
    const expected = perValueWindows(schema, rows, 1);
    for (const batch of [1, 3, rows.length]) expect(capturedWindows(schema, rows, batch, 1), `batches of ${batch}`).to.deep.equal(expected);
    const by = Object.fromEntries(expected.map((w) => [w.feature, w]));
    expect(by.c!.counts, 'c: [z, a, missing, unknown]').to.deep.equal([1, 3, 0, 2]);
    expect([by.n!.counts, by.n!.outOfRange], 'n: 3 is out of range, 4 unknown (not out of range)').to.deep.equal([[3, 2, 1, 0, 1], 1]);
    expect(by.b!.counts, 'b: [0, 1, missing, unknown]').to.deep.equal([1, 3, 1, 0]);
    expect([by.x!.counts, by.x!.outOfRange], 'x: 1.5 and 7 are not baseline categories').to.deep.equal([[2, 2, 0, 2], 1]);
    expect(by.o!.counts, 'o: [p, q, missing, unknown]').to.deep.equal([3, 1, 1, 1]);
  });

  it('counts in a background task posted when the batch settled, after the microtasks that resolve predict calls', async () => {
    const { schema, rows } = data[0]!;
    const compiled = compileSchema(schema);
    const runs: number[][] = [];
    const capture = createCapture(compiled.columns.length, createRowSampler(Infinity, 1), (_v, _s, from, to, weight) => runs.push([from, to, weight]));
    const out = new Float32Array(rows.length * compiled.width);
    compiled.transformInto(
      rows,
      out,
      Object.assign(() => expect.fail('not called per value'), { capture }),
    );
    const background = () =>
      (globalThis as unknown as { scheduler: { postTask(f: () => void, o: object): Promise<void> } }).scheduler.postTask(() => undefined, {
        priority: 'background',
      });
    await background();
    expect(runs, 'nothing is counted before the batch settled').to.deep.equal([]);
    // As telemetry.predicted() does right before the runtime resolves the batch's calls.
    capture.later();
    let resolved = false;
    const call = Promise.resolve().then(() => (resolved = true));
    expect(runs, 'nothing counted on the caller path').to.deep.equal([]);
    await call;
    expect([resolved, runs.length], 'the caller resumes first').to.deep.equal([true, 0]);
    // A background task posted now runs after the capture's own (same priority, FIFO).
    await background();
    expect(runs).to.deep.equal([[0, rows.length, 1]]);
    capture.later();
    await background();
    expect(runs, 'nothing left to count').to.have.length(1);
  });

  it('keeps memory bounded when background tasks do not get to run: counts at the limit, every row once', () => {
    const columns = 5;
    const runs: number[] = [];
    const capture = createCapture(columns, createRowSampler(Infinity, 1), (_v, _s, from, to) => runs.push(to - from));
    let total = 0;
    let widest = 0;
    for (let i = 0; i < 500; i++) {
      const n = 1 + (i % 300);
      capture.reserve(n);
      total += n;
      widest = Math.max(widest, capture.stride * columns);
    }
    capture.drain();
    expect(widest, 'floats held').to.be.at.most(1 << 17);
    expect(runs.length, 'drained at the limit, then at the end').to.be.greaterThan(2);
    expect(runs.reduce((a, b) => a + b, 0)).to.equal(total);
  });

  it('bins exactly like baselineBin for any ascending edges and any value (fast-check)', () => {
    const edgesArb = fc
      .tuple(
        fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
        fc.array(fc.double({ noNaN: true, min: 1e-9, max: 1e3 }), { maxLength: 40 }),
        fc.constantFrom(1, 1e-300, 1e-8, 1e8, 1e290),
      )
      .map(([start, gaps, scale]) => {
        const edges = [start * scale];
        for (const g of gaps) edges.push(edges[edges.length - 1]! + g * scale);
        return edges.filter((e, i) => Number.isFinite(e) && (i === 0 || e > edges[i - 1]!));
      });
    fc.assert(
      fc.property(
        edgesArb,
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (edges, free, picks) => {
          const near = picks.flatMap((p) => (edges.length ? [edges[p % edges.length]!] : [])).flatMap((e) => [e, nudge(e, 1), nudge(e, -1)]);
          const xs = Float64Array.from([...free, ...near, 0, -0, Number.MAX_VALUE, -Number.MAX_VALUE]);
          const table = createBinTable(edges);
          for (let i = 0; i < xs.length; i++) {
            const counts = new Float64Array(edges.length + 1);
            countNumbers(table, xs, i, i + 1, 1, counts, -Infinity, Infinity, { missing: 0, outOfRange: 0, observed: 0 });
            expect(counts.indexOf(1), `x=${xs[i]} edges=${edges.join(',')}`).to.equal(baselineBin(edges, xs[i]!));
          }
        },
      ),
      { numRuns: 400 },
    );
    // The lookup grid is in use for the shipped baselines (deciles), not only the fallback search.
    for (const { schema } of data)
      for (const c of schema.columns)
        if (c.baseline?.kind === 'numeric' && c.baseline.edges.length > 1) expect(createBinTable(c.baseline.edges).last).to.be.greaterThan(0);
  });
});

describe('telemetry/drift: sampling past exactRows', () => {
  it('picks every row up to exactRows, then each row with probability 1/every', () => {
    const sampler = createRowSampler(100, 4, prng(7));
    const picks = new Int32Array(1001);
    const first = sampler.pick(250, picks);
    expect(sampler.exact).to.equal(100);
    expect(Array.from(picks.subarray(0, 100))).to.deep.equal(Array.from({ length: 100 }, (_, i) => i));
    expect(first, 'the head and ~150 / 4 sampled rows').to.be.within(100 + 15, 100 + 75);
    expect(picks[first]).to.equal(-1);
    expect(Array.from(picks.subarray(100, first)).every((r, i, a) => r >= 100 && r < 250 && (i === 0 || r > a[i - 1]!))).to.equal(true);
    const hits = new Array<number>(1000).fill(0);
    const windows = 4000;
    for (let w = 0; w < windows; w++) {
      sampler.restart();
      sampler.pick(100, picks); // the exact head of the window
      // Batches of 7 rows, so gaps carry across batch edges.
      for (let start = 0; start < 1000; start += 7) {
        const count = sampler.pick(Math.min(7, 1000 - start), picks);
        expect(sampler.exact).to.equal(0);
        for (let k = 0; k < count; k++) hits[start + picks[k]!]!++;
      }
    }
    // Each row position: Binomial(4000, 1/4), sd ≈ 27; all 1000 within 5 sd.
    for (const [i, h] of hits.entries()) expect(Math.abs(h - windows / 4), `row ${i}`).to.be.below(5 * Math.sqrt(windows * 0.25 * 0.75));
    expect(Math.abs(hits.reduce((a, b) => a + b, 0) / (1000 * windows) - 0.25)).to.be.below(0.002);
  });

  it('sampled counts are unbiased estimates of the exact counts, flagged, and PSI waits for enough observed values', async () => {
    const c = CASES[0]!;
    const { spec, train, test } = await loadCase(c, true);
    const schema = fitSchema(spec, train);
    const rows = Array.from({ length: 3000 }, (_, i) => test[i % test.length]!);
    const exact = perValueWindows(schema, rows);
    const sampling = { exactRows: 300, every: 8, random: prng(11) };
    const windows = 300;
    const sums = exact.map((w) => w.counts.map(() => 0));
    const squares = exact.map((w) => w.counts.map(() => 0));
    const d = createDriftWindows(schema, 1000, sampling);
    const compiled = compileSchema(schema);
    let observed = 0;
    for (let k = 0; k < windows; k++) {
      feed(compiled, rows, d.observe!, 50);
      const got = d.close();
      expect(got.map((w) => w.feature)).to.deep.equal(exact.map((w) => w.feature));
      got.forEach((w, f) => {
        expect(w.weight).to.equal(8);
        expect(w.observed).to.be.below(w.rows);
        expect(w.rows).to.equal(w.counts.reduce((a, b) => a + b, 0));
        // ~300 + 2700 / 8 ≈ 640 values observed: PSI needs 1000 observed, whatever the estimate.
        expect(w.psi).to.equal(null);
        w.counts.forEach((n, i) => {
          sums[f]![i]! += n;
          squares[f]![i]! += n * n;
        });
        observed += w.observed;
      });
    }
    expect(observed / windows / exact.length).to.be.closeTo(300 + 2700 / 8, 15);
    exact.forEach((w, f) =>
      w.counts.forEach((truth, i) => {
        const mean = sums[f]![i]! / windows;
        const sd = Math.sqrt(Math.max(0, squares[f]![i]! / windows - mean * mean));
        // The mean of 300 independent estimates is within 4 standard errors of the truth.
        expect(Math.abs(mean - truth), `${w.feature} bin ${i}: mean ${mean} vs ${truth}`).to.be.at.most(4 * (sd / Math.sqrt(windows)) + 1e-9);
      }),
    );
    // Below exactRows nothing is sampled: the same counts as per-value observing.
    expect(capturedWindows(schema, rows.slice(0, 300), 50, 100, { exactRows: 300, every: 8 })).to.deep.equal(perValueWindows(schema, rows.slice(0, 300)));
  });
});
