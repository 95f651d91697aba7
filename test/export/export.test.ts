// Pipelines exported from scikit-learn (python/ferryml_export) and packed by `ferryml pack`, loaded
// by the SDK's loadModel in Chromium: every row — missing values and unseen categories included —
// equals scikit-learn's own predict_proba / predict within 1e-5. The bundles and scikit-learn's
// outputs are committed under test/fixtures/export (test/fixtures/export/make.ts regenerates them;
// test/node/export-fixtures.test.ts proves they are what the exporter makes of the pickled pipelines).
import { expect } from 'chai';
import { loadModel } from '../../src/load-model.js';
import type { Model } from '../../src/runtime/model-types.js';
import { TREE_TOLERANCE, compareOutputs, rowObjects, type Expected } from './compare.js';

const FIXTURES = '/test/fixtures/export';

async function json<T>(path: string): Promise<T> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
  return (await response.json()) as T;
}

describe('export: scikit-learn pipelines in Chromium through loadModel', () => {
  let names: string[] = [];

  before(async () => {
    const registry = await json<{ models: Record<string, unknown> }>(`${FIXTURES}/models/index.json`);
    names = Object.keys(registry.models).sort();
  });

  it('has the penguins, wine and breast-cancer bundles', () => {
    for (const prefix of ['penguins-', 'wine-', 'cancer-'])
      expect(
        names.some((n) => n.startsWith(prefix)),
        prefix,
      ).to.equal(true);
    expect(names.length).to.be.at.least(10);
  });

  it('every exported pipeline equals scikit-learn on every row, on the backend the SDK picks', async function () {
    this.timeout(240_000);
    const failures: string[] = [];
    for (const name of names) {
      const expected = await json<Expected>(`${FIXTURES}/expected/${name}.json`);
      let model: Model | undefined;
      try {
        model = await loadModel({ registry: `${FIXTURES}/models/index.json`, name, cache: false });
        expect(model.info.output).to.deep.equal(expected.output);
        // the load-time golden check ran the exporter's golden rows on this backend
        expect(model.info.goldenError, `${name} golden error`).to.be.a('number').below(1e-4);
        const { predictions, issues } = await model.predictBatch(rowObjects(expected));
        const { model: entry } = await json<{ model: { format: string } }>(`${FIXTURES}/models/${name}/1.0.0/manifest.json`);
        const problems = compareOutputs(
          expected,
          predictions.map((p) => (p ? p.raw : null)),
          entry.format === 'tree-ensemble' ? TREE_TOLERANCE : 1e-5,
        );
        if (problems.length)
          failures.push(`${name} on ${model.info.backend}: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (+${problems.length - 3})` : ''}`);
        for (const issue of issues.filter((i) => i.severity === 'error')) expect(issue.code, `${name} row ${issue.row}`).to.equal('UNKNOWN_CATEGORY');
      } finally {
        await model?.dispose();
      }
    }
    expect(failures).to.deep.equal([]);
  });
});
