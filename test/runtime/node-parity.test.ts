import { expect } from 'chai';
import { loadModel } from '../../src/load-model.js';
import { WASM, maxDiff } from './helpers.js';

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
const extraRows = Array.from({ length: 40 }, (_, i) =>
  i === 17 ? { a: 'n/a', c: 'x', d: true } : { a: i / 3 - 4, b: i % 6 ? i / 7 : null, c: ['x', 'y', 'z'][i % 3], d: i % 2 === 0 },
);

/** Messy penguins rows: a numeric string, a missing value, an unknown island, a stray "." sex. */
const messyPenguins = [
  { Island: 'Dream', 'Beak Length (mm)': '39.1', 'Beak Depth (mm)': 18.7, 'Flipper Length (mm)': 181, 'Body Mass (g)': 3750, Sex: 'MALE' },
  { Island: 'Biscoe', 'Beak Length (mm)': 46.5, 'Beak Depth (mm)': null, 'Flipper Length (mm)': 210, 'Body Mass (g)': 4500, Sex: '.' },
  { Island: 'Atlantis', 'Beak Length (mm)': 40, 'Beak Depth (mm)': 17, 'Flipper Length (mm)': 190, 'Body Mass (g)': 3600, Sex: 'FEMALE' },
];

describe('runtime: Node `ferryml predict` equals the browser (1e-5)', () => {
  // [bundle directory, backend, rows beyond the bundle's golden rows]
  const cases: Array<[string, 'wasm' | 'cpu', unknown[]]> = [
    ['test/runtime/fixtures/models/mlp/1.0.0', 'wasm', extraRows],
    ['test/runtime/fixtures/models/reg/1.0.0', 'cpu', extraRows],
    // The shipped demo bundles (issue 7's training writes them).
    ['models/penguins/1.0.0', 'wasm', messyPenguins],
    ['models/penguins/1.1.0', 'cpu', messyPenguins],
    ['models/digits/1.0.0', 'wasm', []],
    ['models/digits/2.0.0', 'wasm', []],
  ];
  for (const [dir, backend, extra] of cases) {
    it(`${dir} on ${backend}`, async () => {
      const goldenRows = ((await (await fetch(`/${dir}/golden.json`)).json()) as { rows: unknown[] }).rows;
      const rows = [...goldenRows, ...extra] as Array<Record<string, unknown>>;
      const node = await nodePredict(dir, rows, backend);
      const model = await loadModel({ bundle: `/${dir}/`, cache: false, remember: false, backend, wasmPaths: WASM });
      const browser = await model.predictBatch(rows);
      await model.dispose();
      expect(node.predictions).to.have.length(rows.length);
      expect(node.predictions.filter((p) => p !== null).length).to.be.at.least(goldenRows.length);
      node.predictions.forEach((p, i) => {
        const b = browser.predictions[i];
        if (!p || !b) {
          expect(p === null && b === null, `row ${i}: both null`).to.equal(true);
        } else if (b.kind === 'classification') {
          expect(p.label, `row ${i}`).to.equal(b.label);
          expect(maxDiff(Object.values(p.probabilities!), Object.values(b.probabilities)), `row ${i}`).to.be.below(1e-5);
        } else if (b.kind === 'regression') {
          expect(maxDiff(Object.values(p.values ?? { v: p.value! }), Object.values(b.values)), `row ${i}`).to.be.below(1e-5);
        }
      });
      expect(node.issues.map((i) => [i.row, i.column, i.code])).to.deep.equal(browser.issues.map((i) => [i.row, i.column, i.code]));
    });
  }
});
