// The GEMM tensor strategy for tree ensembles (src/runtime/trees/gemm.ts, Hummingbird's GEMMTreeImpl)
// against the tree kernel on cpu, wasm and webgpu (SwiftShader), over every committed tree bundle it
// accepts: rows on every threshold, one float32 ulp either side, NaN and ±Infinity. Its refusals with
// their reasons; then through loadModel, which strategy a forced tfjs session picks (Hummingbird's
// depth rule) and the measured policy's verdict on model.info for a predictBatch call.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadModel } from '../../src/load-model.js';
import type { TreeEnsemble } from '../../src/runtime/trees/format.js';
import { createTreeKernel } from '../../src/runtime/trees/kernel.js';
import { GEMM_MAX_WEIGHTS, createGemmTensors, gemmRefusal } from '../../src/runtime/trees/gemm.js';
import { LARGE_BATCH } from '../../src/runtime/trees/plain-kernel.js';
import { TENSOR_TOLERANCE } from '../../src/runtime/trees/tensor.js';
import { BUNDLES, REGISTRY, WORKER, edgeRows, ensemble, worst } from '../trees/tensor-support.js';
import { collector, readApi } from '../telemetry/helpers.js';

describe('trees: the GEMM tensor strategy', () => {
  const ensembles = new Map<string, TreeEnsemble>();
  before(async () => {
    setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
    for (const dir of BUNDLES) ensembles.set(dir, await ensemble(dir));
  });

  it('refuses categorical splits, float32 thresholds at the range ends and oversized matrices, with the reason', () => {
    const refused = BUNDLES.filter((d) => gemmRefusal(ensembles.get(d)!) !== undefined);
    // Every committed bundle but the categorical one fits (the deepest forests are depth 8 or so).
    expect(refused).to.include('/test/fixtures/export/models/penguins-hgb/1.0.0');
    expect(gemmRefusal(ensembles.get('/test/fixtures/export/models/penguins-hgb/1.0.0')!)).to.match(/categorical splits/);
    const xgb = ensembles.get('/test/fixtures/trees/xgboost')!;
    const at = (t: number) => ({ ...xgb, threshold: Float64Array.from(xgb.threshold, (v, n) => (n === xgb.roots[0] ? t : v)) });
    expect(gemmRefusal(at(-Infinity))).to.match(/end of the float32 range/);
    // x < +∞ is x <= the largest float32, which a clamped +∞ would pass.
    expect(gemmRefusal(at(Infinity))).to.match(/end of the float32 range/);
    const sk = ensembles.get('/test/fixtures/trees/sklearn-tree')!;
    expect(gemmRefusal({ ...sk, threshold: Float64Array.from(sk.threshold, (v, n) => (n === sk.roots[0] ? -1e39 : v)) })).to.match(/end of the float32 range/);
    // 2^18 copies of a 4-deep tree: the path matrix outgrows GEMM_MAX_WEIGHTS.
    const many = 1 << 18;
    const big = { ...sk, trees: many, roots: new Int32Array(many).fill(sk.roots[0]!), treeColumn: new Int32Array(many) };
    expect(gemmRefusal(big)).to.match(new RegExp(`more than ${GEMM_MAX_WEIGHTS}`));
  });

  for (const backend of ['cpu', 'wasm', 'webgpu'] as const) {
    it(`equals the tree kernel within ${TENSOR_TOLERANCE} on ${backend} for every committed bundle it accepts`, async function () {
      this.timeout(240_000);
      expect(await tf.setBackend(backend)).to.equal(true);
      await tf.ready();
      // SwiftShader compiles a shader per shape: few rows and only the shallow bundles there.
      const rows = backend === 'webgpu' ? 48 : 512;
      const before = tf.memory().numTensors;
      let checked = 0;
      for (const dir of BUNDLES) {
        const e = ensembles.get(dir)!;
        if (gemmRefusal(e) !== undefined) continue;
        const tensors = createGemmTensors(e);
        if (backend === 'webgpu' && tensors.depth > 3) {
          tensors.dispose();
          continue;
        }
        const x = edgeRows(e, rows);
        const expected = createTreeKernel(e, 'general').run(x, rows);
        const input = tf.tensor2d(x, [rows, e.features]);
        const y = tensors.forward(input);
        const got = (await y.data()) as Float32Array;
        tf.dispose([input, y]);
        tensors.dispose();
        expect(worst(expected, got), `${dir} on ${backend}`).to.be.at.most(TENSOR_TOLERANCE);
        checked++;
      }
      expect(checked).to.be.greaterThan(backend === 'webgpu' ? 2 : 15);
      expect(tf.memory().numTensors, 'tensors left behind').to.equal(before);
    });
  }

  it('takes a tree that is a lone leaf (no splits: every row hits it) and equals the kernel', async () => {
    expect(await tf.setBackend('cpu')).to.equal(true);
    const xgb = ensembles.get('/test/fixtures/trees/xgboost')!;
    // Tree 0 becomes one of its own leaves (no splits), padded to the other trees' splits and leaves.
    const leaf = xgb.feature.findIndex((f) => f < 0);
    const e = { ...xgb, roots: Int32Array.from(xgb.roots, (r, t) => (t === 0 ? leaf : r)) };
    expect(gemmRefusal(e)).to.equal(undefined);
    const rows = 256;
    const x = edgeRows(e, rows);
    const tensors = createGemmTensors(e);
    const input = tf.tensor2d(x, [rows, e.features]);
    const y = tensors.forward(input);
    const got = (await y.data()) as Float32Array;
    tf.dispose([input, y]);
    tensors.dispose();
    expect(worst(createTreeKernel(e, 'general').run(x, rows), got)).to.be.at.most(TENSOR_TOLERANCE);
  });

  /** The fixture's expected rows as row objects, and as columns, tiled to `rows` rows. */
  async function inputs(name: string, rows: number) {
    const { columns, rows: table } = (await (await fetch(`/test/fixtures/export/expected/${name}.json`)).json()) as { columns: string[]; rows: unknown[][] };
    const objects = Array.from({ length: rows }, (_, i) => Object.fromEntries(columns.map((c, j) => [c, table[i % table.length]![j]])));
    const byColumn = Object.fromEntries(columns.map((c, j) => [c, Array.from({ length: rows }, (_, i) => table[i % table.length]![j])]));
    return { objects, byColumn };
  }

  const until = async (test: () => boolean, ms: number) => {
    const deadline = performance.now() + ms;
    while (!test() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  };

  it("picks GEMM for trees up to depth 3 and perfect-tree traversal deeper (Hummingbird's rule), forced with engine: 'tfjs'", async () => {
    const shallow = await loadModel({ registry: REGISTRY, name: 'cancer-gb-zero', cache: false, engine: 'tfjs', backend: 'wasm' });
    expect(shallow.info).to.include({ engine: 'tfjs', backend: 'wasm' });
    expect(shallow.info.leanReason).to.match(
      /^tfjs tensor strategy GEMM \(Hummingbird's rule: GEMM up to depth 3, perfect-tree traversal up to 10\): 25 scikit-learn trees of depth 3, \d+ splits × \d+ leaves per tree/,
    );
    expect(shallow.info.goldenError).to.be.a('number').at.most(TENSOR_TOLERANCE);
    const kernel = await loadModel({ registry: REGISTRY, name: 'cancer-gb-zero', cache: false, remember: false });
    const { objects } = await inputs('cancer-gb-zero', 300);
    const [a, b] = await Promise.all([shallow.predictBatch(objects), kernel.predictBatch(objects)]);
    a.predictions.forEach((p, i) => expect(worst(b.predictions[i]!.raw, p!.raw), `row ${i}`).to.be.at.most(TENSOR_TOLERANCE));
    await shallow.dispose();
    await kernel.dispose();
    const deep = await loadModel({ registry: REGISTRY, name: 'cancer-forest', cache: false, engine: 'tfjs', backend: 'wasm' });
    expect(deep.info.leanReason).to.match(/^tfjs tensor strategy perfect-tree traversal \(Hummingbird's rule: .*\): 25 scikit-learn trees padded to depth 7/);
    await deep.dispose();
  });

  it(`measures a predictBatch of ${LARGE_BATCH}+ rows at the default maxBatch in the background, says why on model.info, and remembers it`, async function () {
    this.timeout(180_000);
    const key = 'ferryml.backend:cancer-gb-zero@1.0.0';
    localStorage.removeItem(key);
    const model = await loadModel({ registry: REGISTRY, name: 'cancer-gb-zero', cache: false });
    expect(model.info).to.include({ engine: 'js', decision: 'kernel' });
    const { objects } = await inputs('cancer-gb-zero', LARGE_BATCH + 100);
    // Answered by the kernel; the measurement starts only afterwards (the call's own chunks first).
    const first = await model.predictBatch(objects);
    expect(first.predictions).to.have.length(LARGE_BATCH + 100);
    // The call went to the engine in chunks above maxBatch: the same answers as calls of maxBatch rows.
    for (let start = 0; start < objects.length; start += 256) {
      const part = await model.predictBatch(objects.slice(start, start + 256));
      part.predictions.forEach((p, i) => expect(p!.raw, `row ${start + i}`).to.deep.equal(first.predictions[start + i]!.raw));
    }
    expect(model.info.engineReason).not.to.match(/measured/);
    await until(() => /measured in the background/.test(model.info.engineReason), 120_000);
    // Both timings, at LARGE_BATCH rows, the GEMM strategy named (SwiftShader WebGPU is refused: wasm).
    expect(model.info.engineReason).to.match(new RegExp(`at ${LARGE_BATCH} rows: [0-9.]+ ms on .* vs [0-9.]+ ms on `));
    expect(model.info.engineReason).to.match(/tfjs wasm \(tfjs tensor strategy GEMM/);
    expect(model.info.measuredBatch).to.have.keys('cpu', 'wasm');
    const stored = JSON.parse(localStorage.getItem(key)!) as { backend: string; device: string; measuredBatch: Record<string, number> };
    expect(stored.measuredBatch).to.deep.equal(model.info.measuredBatch);
    const tfjsWon = stored.backend === 'wasm';
    expect(model.info.engineReason).to.match(tfjsWon ? /calls of 4096\+ rows run on tfjs wasm/ : /the tree kernel stays for every batch/);
    const after = await model.predictBatch(objects);
    after.predictions.forEach((p, i) => expect(worst(first.predictions[i]!.raw, p!.raw), `row ${i}`).to.be.at.most(TENSOR_TOLERANCE));
    await model.dispose();

    // The next load on this device does not measure again.
    const again = await loadModel({ registry: REGISTRY, name: 'cancer-gb-zero', cache: false });
    await again.predictBatch(objects);
    if (tfjsWon) {
      await until(() => /as measured on this device/.test(again.info.engineReason), 60_000);
      expect(again.info.decision).to.equal('remembered');
    } else {
      expect(again.info.decision).to.equal('remembered');
      await new Promise((r) => setTimeout(r, 500));
      expect(again.info.engineReason).not.to.match(/measured/);
      expect((await again.memory()).tfjs, 'tfjs never brought up').to.equal(false);
    }
    await again.dispose();
    localStorage.removeItem(key);
  });

  it(`measures in the worker too (worker: true) after a predictBatch of ${LARGE_BATCH}+ rows`, async function () {
    this.timeout(120_000);
    const model = await loadModel({ registry: REGISTRY, name: 'penguins-xgb', cache: false, remember: false, worker: { url: WORKER } });
    const kernel = await loadModel({ registry: REGISTRY, name: 'penguins-xgb', cache: false, remember: false });
    const { objects } = await inputs('penguins-xgb', LARGE_BATCH + 1);
    const [a, b] = await Promise.all([model.predictBatch(objects), kernel.predictBatch(objects)]);
    a.predictions.forEach((p, i) => expect(p!.raw, `row ${i}`).to.deep.equal(b.predictions[i]!.raw));
    await until(() => /measured in the background/.test(model.info.engineReason), 60_000);
    expect(model.info.engineReason).to.match(
      new RegExp(`at ${LARGE_BATCH} rows: [0-9.]+ ms on .* vs [0-9.]+ ms on .*tensor strategy GEMM|tensor strategy GEMM.* vs [0-9.]+ ms on the tree kernel`),
    );
    await model.dispose();
    await kernel.dispose();
  });

  it('tells the page at once, from a worker, that the tree kernel stays unmeasured when `backends` leaves out webgpu', async function () {
    this.timeout(60_000);
    let changes = 0;
    const model = await loadModel({
      registry: REGISTRY,
      name: 'penguins-xgb',
      cache: false,
      remember: false,
      backends: ['wasm', 'cpu'],
      worker: { url: WORKER },
      onBackendChange: () => changes++,
    });
    const { objects } = await inputs('penguins-xgb', LARGE_BATCH);
    await model.predictBatch(objects);
    // No later call carries the news: the worker posts the decision as it is made (it used to wait for the next result).
    const unmeasured = /not measured against tfjs .*`backends` leaves out webgpu/;
    await until(() => unmeasured.test(model.info.engineReason), 10_000);
    expect(model.info.engineReason).to.match(unmeasured);
    expect(model.info).to.include({ engine: 'js', backend: 'cpu', decision: 'kernel' });
    // Facts, not a change of engine.
    expect(changes, 'onBackendChange calls').to.equal(0);
    expect((await model.memory()).tfjs, 'tfjs never brought up in the worker').to.equal(false);
    await model.dispose();
  });

  it(`brings up a remembered tfjs win after the first predictColumns call of ${LARGE_BATCH}+ rows, without measuring again`, async function () {
    this.timeout(120_000);
    const key = 'ferryml.backend:diabetes-gb@1.0.0';
    // The device fingerprint of tfjs wasm on this page, from a measurement this file made (above) or makes now.
    localStorage.removeItem(key);
    const probe = await loadModel({ registry: REGISTRY, name: 'diabetes-gb', cache: false });
    const { byColumn } = await inputs('diabetes-gb', LARGE_BATCH);
    await probe.predictColumns(byColumn);
    await until(() => localStorage.getItem(key) !== null, 60_000);
    await probe.dispose();
    const stored = JSON.parse(localStorage.getItem(key)!) as { device: string };
    // As if tfjs wasm had won on this device (SwiftShader machines measure the kernel faster).
    localStorage.setItem(key, JSON.stringify({ ...stored, backend: 'wasm', measured: {}, measuredBatch: { cpu: 9, wasm: 1 } }));
    // Telemetry to the test collector: each batch counted under the backend that ran it.
    const { url } = await collector();
    const serviceName = `trees-gemm-${Math.random().toString(36).slice(2)}`;
    const model = await loadModel({
      registry: REGISTRY,
      name: 'diabetes-gb',
      cache: false,
      telemetry: { endpoint: url, offline: false, windowMs: 600_000, flushIntervalMs: 600_000, serviceName },
    });
    const kernel = await loadModel({ registry: REGISTRY, name: 'diabetes-gb', cache: false, remember: false });
    expect((await model.memory()).tfjs).to.equal(false);
    const first = await model.predictColumns(byColumn);
    await until(() => /as measured on this device/.test(model.info.engineReason), 60_000);
    expect(model.info.engineReason).to.match(
      new RegExp(
        `calls of ${LARGE_BATCH}\\+ rows run on tfjs wasm \\(tfjs tensor strategy GEMM .*\\), as measured on this device at .*: 9\\.00 ms on the tree kernel vs 1\\.00 ms on tfjs wasm`,
      ),
    );
    expect(model.info.decision).to.equal('remembered');
    expect(model.info).to.include({ backend: 'cpu', largeBackend: 'wasm' });
    expect((await model.memory()).tfjs, 'tfjs is up').to.equal(true);
    const [onTfjs, exact] = await Promise.all([model.predictColumns(byColumn), kernel.predictColumns(byColumn)]);
    expect(worst(exact.outputs, onTfjs.outputs)).to.be.at.most(TENSOR_TOLERANCE);
    expect(worst(exact.outputs, first.outputs)).to.equal(0);
    // The first call ran in the kernel (tfjs was not up yet), the second on tfjs wasm: so telemetry says.
    await model.telemetry!.flush();
    const all = await readApi(`/api/records?model=diabetes-gb&limit=1000`);
    const rowsBy: Record<string, number> = {};
    for (const r of all.records.filter((x: any) => x.resource['service.name'] === serviceName && x.event === 'ferryml.predict.summary'))
      rowsBy[r.attributes['ferryml.backend']] = (rowsBy[r.attributes['ferryml.backend']] ?? 0) + Number(r.attributes['ferryml.predict.rows']);
    expect(rowsBy).to.deep.equal({ cpu: LARGE_BATCH, wasm: LARGE_BATCH });
    await model.dispose();
    await kernel.dispose();
    localStorage.removeItem(key);
  });
});
