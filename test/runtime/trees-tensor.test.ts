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
import { readTreeEnsemble } from '../../src/runtime/trees/format.js';
import type { TreeEnsemble } from '../../src/runtime/trees/format.js';
import { createTreeKernel } from '../../src/runtime/trees/kernel.js';
import { LARGE_BATCH } from '../../src/runtime/trees/plain-kernel.js';
import { TENSOR_TOLERANCE, createTreeTensors, float32AtMost, tensorRefusal } from '../../src/runtime/trees/tensor.js';

const REGISTRY = '/test/fixtures/export/models/index.json';
const WORKER = '/src/runtime/worker.ts';
const EXPORTED = [
  'penguins-tree',
  'penguins-gb',
  'penguins-forest',
  'penguins-xgb',
  'penguins-hgb',
  'wine-extratrees',
  'wine-hgb',
  'cancer-hgb',
  'cancer-forest',
  'cancer-xgb',
  'cancer-gb-zero',
  'diabetes-xgb',
  'diabetes-extratrees',
  'diabetes-hgb',
  'diabetes-forest',
  'diabetes-gb',
];
const BUNDLES = [
  ...EXPORTED.map((n) => `/test/fixtures/export/models/${n}/1.0.0`),
  '/models/penguins/2.0.0',
  '/test/fixtures/trees/sklearn-tree',
  '/test/fixtures/trees/hist-gradient-boosting',
  '/test/fixtures/trees/xgboost',
];

async function ensemble(dir: string): Promise<TreeEnsemble> {
  const json = (await (await fetch(`${dir}/model.json`)).json()) as {
    modelTopology: unknown;
    weightsManifest: Array<{ paths: string[]; weights: Array<{ name: string; shape: number[]; dtype: string }> }>;
  };
  const group = json.weightsManifest[0]!;
  const weightData = await (await fetch(`${dir}/${group.paths[0]}`)).arrayBuffer();
  return readTreeEnsemble({ modelTopology: json.modelTopology, weightSpecs: group.weights, weightData });
}

const up = (f: number) => {
  const a = new Float32Array([f]);
  const b = new Int32Array(a.buffer);
  if (f === 0) return 1.401298464324817e-45;
  b[0] = b[0]! + (f > 0 ? 1 : -1);
  return a[0]!;
};
const down = (f: number) => -up(-f);

/** Rows whose values sit on the ensemble's thresholds (as float32, ±1 ulp), NaN, ±Infinity and 0. */
function edgeRows(e: TreeEnsemble, rows: number): Float32Array {
  const byFeature: number[][] = Array.from({ length: e.features }, () => []);
  for (let n = 0; n < e.feature.length; n++) if (e.feature[n]! >= 0 && e.threshold[n]! > -Infinity) byFeature[e.feature[n]!]!.push(e.threshold[n]!);
  const x = new Float32Array(rows * e.features);
  let s = 7;
  const rand = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let i = 0; i < x.length; i++) {
    const ts = byFeature[i % e.features]!;
    const t = ts.length ? Math.fround(ts[Math.floor(rand() * ts.length)]!) : 0;
    const pick = Math.floor(rand() * 10);
    x[i] = [t, t, up(t), down(t), float32AtMost(t), NaN, Infinity, -Infinity, 0, t * (1 + rand())][pick]!;
  }
  return x;
}

/** Largest `|a − b| / max(1, |a|)`; NaN counts as Infinity. */
function worst(a: Float32Array, b: Float32Array): number {
  let w = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(a[i]!));
    if (!(d <= w)) w = Number.isNaN(d) ? Infinity : d;
  }
  return w;
}

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
