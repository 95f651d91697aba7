// The tfjs tensor strategy for tree ensembles (src/runtime/trees/tensor.ts) against the tree
// kernel, on cpu, wasm and webgpu (SwiftShader), over every committed tree bundle: rows on every
// threshold, one float32 ulp either side, NaN and ±Infinity. Then through loadModel: forced with
// `engine: 'tfjs'`, refused with a reason, and the measured policy for large batches on model.info.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { isFerryError } from '../../src/errors.js';
import { loadModel } from '../../src/load-model.js';
import type { TreeEnsemble } from '../../src/runtime/trees/format.js';
import { createTreeKernel } from '../../src/runtime/trees/kernel.js';
import { LARGE_BATCH } from '../../src/runtime/trees/plain-kernel.js';
import { TENSOR_TOLERANCE, createTreeTensors, tensorRefusal } from '../../src/runtime/trees/tensor.js';
import { BUNDLES, REGISTRY, WORKER, edgeRows, ensemble, worst } from '../trees/tensor-support.js';

describe('trees: the tfjs tensor strategy', () => {
  const ensembles = new Map<string, TreeEnsemble>();
  before(async () => {
    setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
    for (const dir of BUNDLES) ensembles.set(dir, await ensemble(dir));
  });

  it('refuses categorical splits and trees deeper than 10, with the reason', () => {
    // Every committed bundle but the one with categorical splits is numeric and at most 10 deep.
    const refused = BUNDLES.filter((d) => tensorRefusal(ensembles.get(d)!) !== undefined);
    expect(refused).to.deep.equal(['/test/fixtures/export/models/penguins-hgb/1.0.0']);
    expect(tensorRefusal(ensembles.get(refused[0]!)!)).to.match(/categorical splits/);
    // A chain of 11 splits (each left child a leaf): one level too deep.
    const depth = 11;
    const nodes = 2 * depth + 1;
    const chain = { ...ensembles.get('/test/fixtures/trees/sklearn-tree')!, trees: 1, features: 1, roots: Int32Array.of(0), treeColumn: Int32Array.of(0) };
    chain.feature = Int32Array.from({ length: nodes }, (_, n) => (n % 2 === 0 && n < nodes - 1 ? 0 : -1));
    chain.threshold = new Float64Array(nodes);
    chain.left = Int32Array.from({ length: nodes }, (_, n) => (n % 2 === 0 && n < nodes - 1 ? n + 1 : 0));
    chain.right = Int32Array.from({ length: nodes }, (_, n) => (n % 2 === 0 && n < nodes - 1 ? n + 2 : 0));
    chain.flags = new Uint8Array(nodes);
    expect(tensorRefusal(chain)).to.equal('the tfjs tensor strategy takes trees up to depth 10; this ensemble is 11 deep');
    const xgb = { ...ensembles.get('/test/fixtures/trees/xgboost')! };
    xgb.threshold = Float64Array.from(xgb.threshold, (t, n) => (n === xgb.roots[0] ? -Infinity : t));
    expect(tensorRefusal(xgb)).to.match(/x < −∞/);
  });

  for (const backend of ['cpu', 'wasm', 'webgpu'] as const) {
    it(`equals the tree kernel within ${TENSOR_TOLERANCE} on ${backend} for every committed bundle`, async function () {
      this.timeout(180_000);
      expect(await tf.setBackend(backend)).to.equal(true);
      await tf.ready();
      // SwiftShader is slow: fewer rows there (each still hits thresholds, ulps, NaN, ±∞).
      const rows = backend === 'webgpu' ? 64 : 512;
      const before = tf.memory().numTensors;
      for (const dir of BUNDLES) {
        const e = ensembles.get(dir)!;
        if (tensorRefusal(e) !== undefined) continue;
        const x = edgeRows(e, rows);
        const expected = createTreeKernel(e, 'general').run(x, rows);
        const tensors = createTreeTensors(e);
        const input = tf.tensor2d(x, [rows, e.features]);
        const y = tensors.forward(input);
        const got = (await y.data()) as Float32Array;
        tf.dispose([input, y]);
        tensors.dispose();
        expect(worst(expected, got), `${dir} on ${backend}`).to.be.at.most(TENSOR_TOLERANCE);
      }
      expect(tf.memory().numTensors, 'tensors left behind').to.equal(before);
    });
  }

  it("runs a tree bundle on tfjs when forced (engine: 'tfjs'), golden-checked, equal to the kernel", async () => {
    const forced = await loadModel({ registry: REGISTRY, name: 'penguins-gb', cache: false, engine: 'tfjs', backend: 'wasm' });
    const kernel = await loadModel({ registry: REGISTRY, name: 'penguins-gb', cache: false });
    expect(forced.info).to.include({ engine: 'tfjs', backend: 'wasm' });
    expect(forced.info.leanReason).to.match(/tensor strategy/);
    expect(forced.info.goldenError).to.be.a('number').at.most(TENSOR_TOLERANCE);
    const rows = [
      { Island: 'Biscoe', 'Beak Length (mm)': 45.1, 'Beak Depth (mm)': 14.5, 'Flipper Length (mm)': 215, 'Body Mass (g)': 5000, Sex: 'FEMALE' },
      { Island: 'Dream', 'Beak Length (mm)': 39.5, 'Beak Depth (mm)': 17.8, 'Flipper Length (mm)': 188, 'Body Mass (g)': 3300, Sex: 'MALE' },
    ];
    const [a, b] = await Promise.all([forced.predictBatch(rows), kernel.predictBatch(rows)]);
    a.predictions.forEach((p, i) => expect(worst(b.predictions[i]!.raw, p!.raw)).to.be.at.most(TENSOR_TOLERANCE));
    await forced.dispose();
    await kernel.dispose();
    // A backend alone does not force it: the exact kernel stays (ferryml predict --backend relies on that).
    const backendOnly = await loadModel({ registry: REGISTRY, name: 'penguins-gb', cache: false, backend: 'wasm' });
    expect(backendOnly.info).to.include({ engine: 'js', backend: 'cpu' });
    await backendOnly.dispose();
  });

  it("runs forced in a worker too (engine: 'tfjs'), with the kernel's answers", async () => {
    const inWorker = await loadModel({ registry: REGISTRY, name: 'penguins-xgb', cache: false, engine: 'tfjs', backend: 'wasm', worker: { url: WORKER } });
    const kernel = await loadModel({ registry: REGISTRY, name: 'penguins-xgb', cache: false });
    expect(inWorker.info).to.include({ engine: 'tfjs', backend: 'wasm' });
    expect(inWorker.info.leanReason).to.match(/tensor strategy/);
    const { columns, rows } = (await (await fetch('/test/fixtures/export/expected/penguins-xgb.json')).json()) as { columns: string[]; rows: unknown[][] };
    const objects = rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]])));
    const [a, b] = await Promise.all([inWorker.predictBatch(objects), kernel.predictBatch(objects)]);
    a.predictions.forEach((p, i) => expect(worst(b.predictions[i]!.raw, p!.raw), `row ${i}`).to.be.at.most(TENSOR_TOLERANCE));
    await inWorker.dispose();
    await kernel.dispose();
  });

  it('refuses a model it cannot run with the reason, when forced', async () => {
    const error = await loadModel({ registry: REGISTRY, name: 'penguins-hgb', cache: false, engine: 'tfjs', backend: 'wasm' }).catch((e: unknown) => e);
    expect(isFerryError(error) && error.code).to.equal('NO_BACKEND');
    expect((error as Error).message).to.match(/categorical splits/);
  });

  it(`measures the tensor strategy after the first call of ${LARGE_BATCH}+ rows and says on model.info what won`, async function () {
    this.timeout(120_000);
    // maxBatch: LARGE_BATCH hands the engine the call whole (at the default, a call this large goes in chunks of 4,096+ rows too: trees-gemm.test.ts).
    const model = await loadModel({ registry: REGISTRY, name: 'cancer-forest', cache: false, maxBatch: LARGE_BATCH });
    expect(model.info).to.include({ engine: 'js' });
    const { rows, columns: names } = (await (await fetch('/test/fixtures/export/expected/cancer-forest.json')).json()) as {
      columns: string[];
      rows: unknown[][];
    };
    const objects = rows.map((r) => Object.fromEntries(names.map((c, i) => [c, r[i]])));
    const small = await model.predictBatch(objects.slice(0, 8));
    expect(small.predictions).to.have.length(8);
    const many = Array.from({ length: LARGE_BATCH }, (_, i) => objects[i % objects.length]!);
    await model.predictBatch(many);
    const deadline = performance.now() + 60_000;
    while (!/measured in the background/.test(model.info.engineReason) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(model.info.engineReason).to.match(new RegExp(`at ${LARGE_BATCH} rows: [0-9.]+ ms on .* vs [0-9.]+ ms on `));
    expect(model.info.measuredBatch).to.have.property('cpu').that.is.a('number');
    const after = await model.predictBatch(many);
    expect(after.predictions).to.have.length(LARGE_BATCH);
    await model.dispose();
  });
});
