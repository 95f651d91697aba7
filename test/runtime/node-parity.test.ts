import { expect } from 'chai';
import { loadModel } from '../../src/load-model.js';
import { base, golden, maxDiff } from './helpers.js';

interface CliOutput {
  predictions: Array<{ label?: string; probabilities?: Record<string, number>; value?: number; values?: Record<string, number> } | null>;
  issues: Array<{ row: number; column: string; code: string }>;
}

/** `ferryml predict` run by the test server in Node on the same bundle and rows. */
async function nodePredict(bundle: string, rows: unknown[], backend: 'wasm' | 'cpu'): Promise<CliOutput> {
  const response = await fetch('/__ferryml-predict', { method: 'POST', body: JSON.stringify({ bundle, rows, backend }) });
  const { status, stdout, stderr } = (await response.json()) as { status: number; stdout: string; stderr: string };
  expect(status, stderr).to.equal(0);
  return JSON.parse(stdout) as CliOutput;
}

/** Rows beyond the golden ones, with a bad one in the middle. */
const extraRows = Array.from({ length: 40 }, (_, i) => (i === 17 ? { a: 'n/a', c: 'x', d: true } : { a: i / 3 - 4, b: i % 6 ? i / 7 : null, c: ['x', 'y', 'z'][i % 3], d: i % 2 === 0 }));

describe('runtime: Node `ferryml predict` equals the browser (1e-5)', () => {
  const cases: Array<[string, 'wasm' | 'cpu']> = [
    ['mlp', 'wasm'],
    ['reg', 'cpu'],
  ];
  for (const [name, backend] of cases) {
    it(`${name} on ${backend}`, async () => {
      const rows = [...(await golden(name)).rows, ...extraRows];
      const node = await nodePredict(`test/runtime/fixtures/models/${name}/1.0.0`, rows, backend);
      const model = await loadModel(base(name, { backend }));
      const browser = await model.predictBatch(rows);
      await model.dispose();
      expect(node.predictions).to.have.length(rows.length);
      node.predictions.forEach((p, i) => {
        const b = browser.predictions[i];
        if (!p || !b) {
          expect(p === null && b === null, `row ${i}: both null`).to.equal(true);
        } else if (b.kind === 'classification') {
          expect(p.label, `row ${i}`).to.equal(b.label);
          expect(maxDiff(Object.values(p.probabilities!), Object.values(b.probabilities)), `row ${i}`).to.be.below(1e-5);
        } else {
          expect(maxDiff(Object.values(p.values!), Object.values(b.values)), `row ${i}`).to.be.below(1e-5);
        }
      });
      expect(node.predictions.filter((p) => p === null)).to.have.length(1);
      expect(node.issues.map((i) => [i.row, i.column, i.code])).to.deep.equal(browser.issues.map((i) => [i.row, i.column, i.code]));
    });
  }
});
