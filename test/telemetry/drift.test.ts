import { expect } from 'chai';
import { baselineBin, compileSchema } from '../../src/entries/schema.js';
import type { Schema } from '../../src/index.js';
import { createDriftWindows } from '../../src/telemetry/drift.js';
import { PSI_ALERT, PSI_WARN, driftStatus, expectedShares, psi } from '../../src/telemetry/psi.js';

const schema: Schema = {
  formatVersion: 1,
  columns: [
    {
      name: 'len',
      type: 'number',
      required: false,
      steps: [
        { kind: 'impute', value: 44 },
        { kind: 'standardize', mean: 44, scale: 5 },
      ],
      range: { min: 30, max: 60 },
      baseline: { kind: 'numeric', edges: [40, 45], shares: [0.3, 0.4, 0.3], missing: 0.1, rows: 100 },
    },
    {
      name: 'island',
      type: 'category',
      steps: [{ kind: 'onehot', categories: ['Biscoe', 'Dream'], unknown: 'ignore' }],
      baseline: { kind: 'categorical', categories: ['Biscoe', 'Dream'], shares: [0.75, 0.25], missing: 0, rows: 100 },
    },
    { name: 'plain', type: 'number', steps: [{ kind: 'passthrough' }] },
  ],
  features: ['len', 'island_Biscoe', 'island_Dream', 'plain'],
  width: 4,
};

describe('telemetry/psi', () => {
  it('lays out expected shares as [bins…, missing, unknown] summing to 1', () => {
    const e = expectedShares(schema.columns[0]!.baseline!);
    [0.27, 0.36, 0.27, 0.1, 0].forEach((x, i) => expect(e[i]).to.be.closeTo(x, 1e-12));
    expect(e).to.have.length(5);
    expect(e.reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-12);
  });

  it('is 0 for the baseline itself and matches the formula with the 1e-4 floor', () => {
    const e = [0.27, 0.36, 0.27, 0.1, 0];
    expect(psi(e, [27, 36, 27, 10, 0])).to.be.closeTo(0, 1e-12);
    const a = [10, 10, 60, 0, 20];
    const share = a.map((x) => Math.max(x / 100, 1e-4));
    const floor = e.map((x) => Math.max(x, 1e-4));
    expect(psi(e, a)).to.be.closeTo(
      share.reduce((s, x, i) => s + (x - floor[i]!) * Math.log(x / floor[i]!), 0),
      1e-12,
    );
    expect(psi(e, [0, 0, 0, 0, 0])).to.equal(0);
  });

  it('classifies warn at 0.1 and alert at 0.25', () => {
    expect([0, 0.0999, PSI_WARN, 0.2499, PSI_ALERT, 3].map(driftStatus)).to.deep.equal(['ok', 'ok', 'warn', 'warn', 'alert', 'alert']);
  });
});

describe('telemetry/drift', () => {
  it('counts what the compiled schema observes, binned like the baseline', () => {
    const d = createDriftWindows(schema, 5);
    const rows = [
      { len: 39.9, island: 'Biscoe', plain: 1 },
      { len: 40, island: 'Dream', plain: 1 },
      { len: 45, island: 'Atlantis', plain: 1 }, // unknown category (onehot ignore → all zeros)
      { len: null, island: 'Biscoe', plain: 1 }, // missing, imputed
      { len: 61, island: 'Biscoe', plain: 1 }, // out of range: counted, and in the top bin
    ];
    const r = compileSchema(schema).transformInto(rows, new Float32Array(rows.length * 4), d.observe);
    expect(r.rejected.every((x) => x === 0)).to.equal(true);
    const [len, island] = d.close();
    expect(len).to.include({ feature: 'len', kind: 'numeric', rows: 5, outOfRange: 1, psi: psi(expectedShares(schema.columns[0]!.baseline!), len!.counts) });
    expect(len!.counts).to.deep.equal([1, 1, 2, 1, 0]);
    expect([39.9, 40, 45, 61].map((x) => baselineBin([40, 45], x))).to.deep.equal([0, 1, 2, 2]);
    expect(island!.counts).to.deep.equal([3, 1, 0, 1]);
    expect(island!.feature).to.equal('island');
  });

  it('scores only from the minimum row count, resets on close, and skips columns without a baseline', () => {
    const d = createDriftWindows(schema, 3);
    d.observe!(0, 41, undefined);
    d.observe!(0, 42, undefined);
    d.observe!(2, 1, undefined);
    let w = d.close();
    expect(w).to.have.length(1);
    expect(w[0]!.psi).to.equal(null);
    expect(d.close()).to.deep.equal([]);
    for (let i = 0; i < 3; i++) d.observe!(1, 'Dream', undefined);
    w = d.close();
    expect(w[0]!.psi).to.be.greaterThan(PSI_ALERT);
    const none = createDriftWindows({ ...schema, columns: [schema.columns[2]!] }, 3);
    expect(none.observe).to.equal(undefined);
  });
});
