// A tree-ensemble bundle through loadModel in Chromium: the page never loads tfjs, and predict,
// predictBatch, micro-batching, worker mode, missing values passed as NaN and the golden check
// work as for any model. No tfjs import in this file (tfjs on the page would hide a regression).
import { expect } from 'chai';
import { isFerryError } from '../../src/errors.js';
import { loadModel } from '../../src/load-model.js';

const REGISTRY = '/test/fixtures/export/models/index.json';
const WORKER = '/src/runtime/worker.ts';

/** Signs of tfjs on this page: tfjs-core's global engine, or a fetched .wasm binary. */
const tfjsOnPage = () => [
  ...('_tfengine' in globalThis ? ['globalThis._tfengine'] : []),
  ...performance
    .getEntriesByType('resource')
    .map((e) => e.name)
    .filter((n) => n.endsWith('.wasm') || n.includes('@tensorflow')),
];

async function expected(name: string) {
  return (await (await fetch(`/test/fixtures/export/expected/${name}.json`)).json()) as {
    columns: string[];
    rows: unknown[][];
    outputs: Array<number[] | null>;
  };
}

describe('runtime: tree ensembles', () => {
  it('loads and predicts a GradientBoosting bundle without loading tfjs', async () => {
    const model = await loadModel({ registry: REGISTRY, name: 'penguins-gb', cache: false });
    expect(model.info).to.include({ backend: 'cpu', lean: 'direct' });
    expect(model.info.leanReason).to.match(/tree kernel/);
    expect(model.info.goldenError).to.be.a('number').below(1e-6);
    const { columns, rows, outputs } = await expected('penguins-gb');
    const objects = rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]])));
    // Concurrent calls are coalesced into few batches; each equals scikit-learn.
    const results = await Promise.all(objects.map((r) => model.predict(r)));
    expect(model.stats().batches).to.be.below(objects.length / 4);
    results.forEach((p, i) => outputs[i]!.forEach((v, k) => expect(Math.abs(p.raw[k]! - v), `row ${i}`).to.be.at.most(1e-6)));
    expect(tfjsOnPage()).to.deep.equal([]);
    await model.dispose();
    const late = await model.predict(objects[0]!).catch((e: unknown) => e);
    expect(isFerryError(late) && late.code).to.equal('DISPOSED');
  });

  it('passes a missing number to HistGradientBoosting as NaN, in a worker too, with identical outputs', async () => {
    const { columns, rows, outputs } = await expected('penguins-hgb');
    const objects = rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]])));
    const holes = { Island: 'Dream', 'Beak Length (mm)': null, 'Beak Depth (mm)': null, 'Flipper Length (mm)': null, 'Body Mass (g)': null, Sex: null };
    const inWorker = await loadModel({ registry: REGISTRY, name: 'penguins-hgb', cache: false, worker: { url: WORKER } });
    const onPage = await loadModel({ registry: REGISTRY, name: 'penguins-hgb', cache: false });
    const [a, b] = await Promise.all([inWorker.predictBatch(objects), onPage.predictBatch(objects)]);
    a.predictions.forEach((p, i) => {
      expect(Array.from(p!.raw)).to.deep.equal(Array.from(b.predictions[i]!.raw));
      outputs[i]!.forEach((v, k) => expect(Math.abs(p!.raw[k]! - v), `row ${i}`).to.be.at.most(1e-6));
    });
    const missing = await onPage.predict(holes);
    expect(missing.kind).to.equal('classification');
    expect(tfjsOnPage()).to.deep.equal([]);
    await inWorker.dispose();
    await onPage.dispose();
  });
});
