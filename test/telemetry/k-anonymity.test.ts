// The k-anonymity rule shared by every count window (input drift; output monitoring uses the
// same module): nothing under k rows is released, held rows are merged, not lost, and memory
// holds one window per key however many small windows arrive.
import { expect } from 'chai';
import { createKAnonymousGate, meetsK } from '../../src/telemetry/k-anonymity.js';
import { mergeDriftWindows } from '../../src/telemetry/drift.js';
import type { DriftWindow } from '../../src/telemetry/drift.js';

const win = (counts: number[], observed = counts.reduce((a, b) => a + b, 0)): DriftWindow => ({
  feature: 'f',
  kind: 'numeric',
  counts,
  outOfRange: 0,
  rows: counts.reduce((a, b) => a + b, 0),
  observed,
  weight: 1,
  expected: [0.5, 0.5, 0, 0],
  psi: null,
});

describe('k-anonymity gate', () => {
  it('meetsK: at least k rows, and never an empty window', () => {
    expect([meetsK(99, 100), meetsK(100, 100), meetsK(0, 0)]).to.deep.equal([false, true, false]);
  });

  it('holds windows under k, merges them into the next, releases the sum with its span', () => {
    const gate = createKAnonymousGate<DriftWindow>({ minRows: 10, rows: (w) => w.rows, merge: (a, b) => mergeDriftWindows(a, b, 10) });
    expect(gate.offer('f', win([1, 0, 0, 0]), 1000)).to.equal(undefined);
    for (let i = 0; i < 500; i++) expect(gate.offer('g', win([0, 0, 0, 0]), 10)).to.equal(undefined);
    expect(gate.held()).to.deep.equal({ f: 1, g: 0 }, 'one held window per key');
    expect(gate.offer('f', win([3, 2, 1, 0]), 1000)).to.equal(undefined);
    const out = gate.offer('f', win([2, 1, 0, 1]), 1000)!;
    expect(out.window.counts).to.deep.equal([6, 3, 1, 1]);
    expect(out.window.rows).to.equal(11);
    expect(out.windowMs).to.equal(3000);
    expect(out.window.psi, 'scored on the merged counts').to.be.a('number');
    expect(gate.held()).to.deep.equal({ g: 0 });
  });
});
