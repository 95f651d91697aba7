// Output windows in the browser, against counts worked out by hand: class shares and confidence
// bins for a classifier, value bins for a regressor, each strange-output code, the k-anonymity
// minimum (no distribution below it, strange counts either way), sampled rows weighted, and that
// counting waits for a background task after settled() (the predict path only copies).
import { expect } from 'chai';
import { computeOutputBaseline } from '../../src/model/output-baseline.js';
import { createOutputWindows } from '../../src/telemetry/output-window.js';
import { expectedShares, psi } from '../../src/telemetry/psi.js';

const spec = { kind: 'classification' as const, labels: ['a', 'b', 'c'] };
const exact = { exactRows: Infinity, every: 1 };
const rows = (...r: number[][]) => Float32Array.from(r.flat());
const tick = () => new Promise((r) => setTimeout(r, 400));

describe('output windows', () => {
  const baseline = computeOutputBaseline(
    [
      [0.8, 0.1, 0.1],
      [0.1, 0.8, 0.1],
      [0.1, 0.1, 0.8],
      [0.6, 0.2, 0.2],
    ],
    spec,
    'golden',
  );

  it('counts class shares and confidence against the baseline, with the PSI of those counts', () => {
    const w = createOutputWindows(spec, baseline, 3, exact);
    w.capture(rows([0.8, 0.1, 0.1], [0.8, 0.1, 0.1], [0.1, 0.1, 0.8], [0.6, 0.2, 0.2]), 4, 3);
    const { windows, strange } = w.close();
    expect(strange).to.deep.equal([]);
    const cls = windows.find((x) => x.feature === 'class')!;
    expect(cls.counts).to.deep.equal([3, 0, 1, 0, 0]);
    expect(cls.expected).to.deep.equal(expectedShares(baseline.features[0]!.baseline));
    expect(cls.psi).to.equal(psi(cls.expected, cls.counts));
    const conf = windows.find((x) => x.feature === 'confidence')!;
    expect(conf.rows).to.equal(4);
    expect(conf.observed).to.equal(4);
  });

  it('flags NON_FINITE, NOT_NORMALIZED, EMPTY and CONSTANT; below the minimum rows a window has no PSI (windows.ts holds it back)', () => {
    const w = createOutputWindows(spec, baseline, 5, exact);
    w.capture(rows([NaN, 0, 0], [0.5, 0.2, 0.2], [0.3, 0.3, 0.4]), 3, 3);
    w.capture(new Float32Array(0), 2, 3);
    const c = w.close();
    expect(c.windows.length, 'class and confidence').to.equal(2);
    for (const x of c.windows) expect(x.psi, 'only 3 rows observed, 5 needed').to.equal(null);
    expect(c.strange).to.deep.equal([
      { code: 'NON_FINITE', count: 1 },
      { code: 'NOT_NORMALIZED', count: 1 },
      { code: 'EMPTY', count: 2 },
    ]);
    for (let i = 0; i < 6; i++) w.capture(rows([0.2, 0.3, 0.5]), 1, 3);
    const k = w.close();
    expect(k.strange).to.deep.equal([{ code: 'CONSTANT', count: 6 }]);
    expect(k.windows.find((x) => x.feature === 'class')!.counts).to.deep.equal([0, 0, 6, 0, 0]);
    expect(w.close()).to.deep.equal({ windows: [], strange: [] });
  });

  it('regression: one value histogram per output; a sigmoid classifier reads p and 1 − p', () => {
    const reg = { kind: 'regression' as const, names: ['y'] };
    const values = Array.from({ length: 100 }, (_, i) => [i]);
    const w = createOutputWindows(reg, computeOutputBaseline(values, reg, 'golden'), 1, exact);
    w.capture(Float32Array.from([5, 95, 95, Infinity]), 4, 1);
    const { windows, strange } = w.close();
    expect(strange).to.deep.equal([{ code: 'NON_FINITE', count: 1 }]);
    const y = windows[0]!;
    expect(y.feature).to.equal('y');
    expect(y.counts[0]).to.equal(1);
    expect(y.counts[9]).to.equal(2);
    expect(y.counts[10], 'the missing slot').to.equal(1);

    const bin = { kind: 'classification' as const, labels: ['no', 'yes'] };
    const b = createOutputWindows(bin, computeOutputBaseline([[0.1], [0.9]], bin, 'golden'), 1, exact);
    b.capture(Float32Array.from([0.2, 0.7, 1.5]), 3, 1);
    const out = b.close();
    expect(out.windows.find((x) => x.feature === 'class')!.counts).to.deep.equal([1, 2, 0, 0]);
    expect(out.strange).to.deep.equal([{ code: 'NOT_NORMALIZED', count: 1 }]);
  });

  it('samples past exactRows with weights, and counts only in a background task after settled()', async () => {
    let u = 0;
    const w = createOutputWindows(spec, baseline, 1, { exactRows: 10, every: 4, random: () => ((u = (u * 7919 + 13) % 1000), u / 1000) });
    const batch = rows(...Array.from({ length: 1000 }, () => [0.8, 0.1, 0.1]));
    w.capture(batch, 1000, 3);
    batch.fill(NaN); // the window holds its own copy of the picked rows
    w.settled();
    await tick();
    const cls = w.close().windows.find((x) => x.feature === 'class')!;
    expect(cls.observed).to.be.within(200, 300);
    expect(cls.counts[0]).to.equal(10 + 4 * (cls.observed - 10));
    expect(cls.weight).to.equal(4);
  });

  it('picks rows when counting: any split into batches, and any memory-bound flush, gives the same sampled window', () => {
    const seeded = () => {
      let u = 7;
      return () => ((u = (u * 7919 + 13) % 100_003), u / 100_003);
    };
    // 60,000 rows (past the 128 Ki-value bound at width 3), classes and confidences varying by row.
    const n = 60_000;
    const all = new Float32Array(n * 3);
    for (let r = 0; r < n; r++) {
      const top = 0.4 + ((r * 37) % 60) / 100;
      const k = (r * 11) % 3;
      for (let c = 0; c < 3; c++) all[r * 3 + c] = c === k ? top : (1 - top) / 2;
    }
    const run = (sizes: (i: number) => number) => {
      const w = createOutputWindows(spec, baseline, 1, { exactRows: 1000, every: 16, random: seeded() });
      for (let r = 0; r < n;) {
        const size = Math.min(sizes(r), n - r);
        w.capture(all.slice(r * 3, (r + size) * 3), size, 3);
        r += size;
      }
      return w.close();
    };
    const whole = run(() => n);
    const ones = run(() => 1);
    const mixed = run((r) => 1 + (r % 257));
    expect(ones).to.deep.equal(whole);
    expect(mixed).to.deep.equal(whole);
    const cls = whole.windows.find((x) => x.feature === 'class')!;
    expect(cls.weight).to.equal(16);
    expect(cls.observed).to.be.within(1000 + 59_000 / 16 - 300, 1000 + 59_000 / 16 + 300);
    expect(cls.rows).to.be.within(n - 5000, n + 5000);
  });
});
