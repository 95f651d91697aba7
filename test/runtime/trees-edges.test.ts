// Threshold edge cases in Chromium: the same inputs and the same committed output bits as
// test/node/trees-edges.test.ts, so Node and Chromium are bit-identical on them.
import { expect } from 'chai';
import { edgeProblems, outputBits, runEdgeCase, type EdgeCase } from '../trees/edges.js';

const DIR = '/test/fixtures/trees';

describe('tree kernel edge cases in Chromium', () => {
  it('routes every edge input as the library does, bit-identical to Node', async () => {
    const { cases } = (await (await fetch(`${DIR}/edges.json`)).json()) as { cases: EdgeCase[] };
    expect(cases.map((c) => c.name)).to.deep.equal(['sklearn-tree', 'hist-gradient-boosting', 'xgboost']);
    for (const c of cases) {
      const model = await (await fetch(`${DIR}/${c.name}/model.json`)).json();
      const bin = await (await fetch(`${DIR}/${c.name}/trees.bin`)).arrayBuffer();
      const got = runEdgeCase(model, bin, c);
      expect(edgeProblems(c, got), c.name).to.deep.equal([]);
      expect(outputBits(got), c.name).to.deep.equal(c.ferrymlBits);
    }
  });
});
