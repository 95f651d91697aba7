// Page for the `trees` item: ferryml (tree kernel, no tfjs) and ONNX Runtime Web's wasm EP
// (TreeEnsembleClassifier built from the same bundle by bench/onnx/build_trees.py) on one page:
// per call at batch 1 and 1,000 concurrent calls in interleaved rounds, then one 100,000-row batch.
import * as ort from 'onnxruntime-web/wasm';
import { loadModel } from '../../src/index.js';
import type { Model } from '../../src/index.js';
import { interleave, sequential, type Interleaved } from './timing.js';

/** What the orchestrator asks for. */
export interface TreesSetup {
  registry: string;
  models: string[];
  /** URL of each model's .onnx, by model name. */
  onnx: Record<string, string>;
  /** URL of trees.json (rows, columns, expected outputs). */
  data: string;
}

const ferry = new Map<string, Model>();
const sessions = new Map<string, ort.InferenceSession>();
let rows: Array<Record<string, unknown>> = [];
let features = new Float32Array(0);
let width = 0;
let registryUrl = '';
let report: { rows: number[][]; columns: string[]; batch: number; models: Record<string, { expected: number[][] }> };

async function setup(s: TreesSetup) {
  report = await (await fetch(s.data)).json();
  registryUrl = s.registry;
  width = report.columns.length;
  rows = report.rows.map((r) => Object.fromEntries(report.columns.map((c, i) => [c, r[i]])));
  features = Float32Array.from(report.rows.flat());
  ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  const info: Record<string, unknown> = {};
  for (const name of s.models) {
    const model = await loadModel({ registry: s.registry, name, cache: false, remember: false });
    ferry.set(name, model);
    sessions.set(name, await ort.InferenceSession.create(s.onnx[name]!, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }));
    info[name] = { backend: model.info.backend, leanReason: model.info.leanReason };
  }
  const tfjs = '_tfengine' in globalThis || performance.getEntriesByType('resource').some((e) => e.name.includes('@tensorflow') || e.name.includes('tfjs'));
  return { info, tfjsLoaded: tfjs };
}

async function ortRun(name: string, x: Float32Array, n: number): Promise<Float32Array> {
  const result = await sessions.get(name)!.run({ input: new ort.Tensor('float32', x, [n, width]) });
  const out = result['output']!;
  const data = out.data as Float32Array;
  out.dispose();
  result['label']?.dispose();
  return data;
}

/** Largest |output − scikit-learn| over the dataset rows, and how many rows differ by more than 1e-5, per engine. */
async function check(name: string) {
  const expected = report.models[name]!.expected;
  const { predictions } = await ferry.get(name)!.predictBatch(rows);
  const o = await ortRun(name, features, rows.length);
  const diff = (get: (i: number, k: number) => number) => {
    let max = 0;
    let off = 0;
    expected.forEach((e, i) => {
      let rowMax = 0;
      e.forEach((v, k) => (rowMax = Math.max(rowMax, Math.abs(get(i, k) - v))));
      max = Math.max(max, rowMax);
      if (rowMax > 1e-5) off++;
    });
    return { max, rowsOff: off };
  };
  const columns = Object.fromEntries(report.columns.map((c, j) => [c, report.rows.map((r) => r[j])]));
  const typed = await ferry.get(name)!.predictColumns(columns);
  const rowsPath = diff((i, k) => predictions[i]!.raw[k]!);
  const columnsPath = diff((i, k) => typed.outputs[i * typed.outputWidth + k]!);
  // Both ferryml paths must agree with scikit-learn: the worse one is reported.
  return { ferry: rowsPath.rowsOff >= columnsPath.rowsOff ? rowsPath : columnsPath, ort: diff((i, k) => o[i * 2 + k]!) };
}

function perCall(name: string, rounds: number): Promise<Interleaved> {
  const model = ferry.get(name)!;
  const one = (i: number) => features.subarray((i % rows.length) * width, ((i % rows.length) + 1) * width);
  return interleave(
    {
      ferry: sequential((i) => model.predict(rows[i % rows.length]!)),
      ort: sequential((i) => ortRun(name, one(i), 1)),
    },
    { rounds },
  );
}

function concurrent(name: string, calls: number, rounds: number): Promise<Interleaved> {
  const model = ferry.get(name)!;
  return interleave(
    {
      ferry: async (n) => {
        for (let u = 0; u < n; u++) await Promise.all(Array.from({ length: calls }, (_, i) => model.predict(rows[i % rows.length]!)));
      },
      ort: async (n) => {
        for (let u = 0; u < n; u++)
          await Promise.all(
            Array.from({ length: calls }, (_, i) => ortRun(name, features.subarray((i % rows.length) * width, ((i % rows.length) + 1) * width), 1)),
          );
      },
    },
    { rounds, units: 1, warmupMs: 200 },
  );
}

/** One `batch`-row call each (rows tiled from the dataset), alternating, `rounds` times: ms per batch (ferryml: predictColumns, and predictBatch of row objects). */
async function batch(name: string, rounds: number) {
  const n = report.batch;
  const big = Array.from({ length: n }, (_, i) => rows[i % rows.length]!);
  const x = new Float32Array(n * width);
  for (let i = 0; i < n; i++) x.set(features.subarray((i % rows.length) * width, ((i % rows.length) + 1) * width), i * width);
  // The same rows as raw columns (a Float64Array per schema column), for predictColumns.
  const columns = Object.fromEntries(report.columns.map((c, j) => [c, Float64Array.from({ length: n }, (_, i) => report.rows[i % rows.length]![j]!)]));
  const model = ferry.get(name)!;
  const samples: Record<string, number[]> = { ferry: [], ferryRows: [], ort: [] };
  for (let r = 0; r < rounds; r++) {
    for (const which of r % 2 ? ['ort', 'ferryRows', 'ferry'] : ['ferry', 'ferryRows', 'ort']) {
      const t0 = performance.now();
      if (which === 'ferry') await model.predictColumns(columns);
      else if (which === 'ferryRows') await model.predictBatch(big);
      else await ortRun(name, x, n);
      samples[which]!.push(performance.now() - t0);
    }
  }
  return samples;
}

/**
 * The tfjs tensor strategy (src/runtime/trees/tensor.ts), forced with `engine: 'tfjs'` on `backend`
 * and `maxBatch` = the batch (one engine call), against the tree kernel: one `batch`-row
 * predictColumns each, alternating, `rounds` times. Run last: it loads tfjs on the page.
 */
async function tensorBatch(name: string, backend: 'wasm' | 'webgpu', rounds: number) {
  const n = report.batch;
  const tensor = await loadModel({
    registry: registryUrl,
    name,
    cache: false,
    remember: false,
    engine: 'tfjs',
    backend,
    maxBatch: n,
    // The bench server serves node_modules: the SDK's build would ship these next to its code.
    wasmPaths: '/node_modules/@tensorflow/tfjs-backend-wasm/dist/',
  });
  const columns = Object.fromEntries(report.columns.map((c, j) => [c, Float64Array.from({ length: n }, (_, i) => report.rows[i % rows.length]![j]!)]));
  const kernel = ferry.get(name)!;
  const samples: Record<string, number[]> = { ferry: [], tensor: [] };
  await tensor.predictColumns(columns); // warm-up: a first large call allocates and compiles
  for (let r = 0; r < rounds; r++) {
    for (const which of r % 2 ? ['tensor', 'ferry'] : ['ferry', 'tensor']) {
      const t0 = performance.now();
      await (which === 'ferry' ? kernel : tensor).predictColumns(columns);
      samples[which]!.push(performance.now() - t0);
    }
  }
  const info = { engine: tensor.info.engine, backend: tensor.info.backend, leanReason: tensor.info.leanReason, goldenError: tensor.info.goldenError };
  await tensor.dispose();
  return { samples, info };
}

// Issue 14's GEMM strategy: its own block, so that branches editing the functions above merge.
/**
 * Hummingbird's two tensor strategies on the same ready float32 features (`batch` rows tiled from
 * the dataset; no schema, one tensor in, one out), on tfjs wasm, against the tree kernel on the same
 * array: GEMM (src/runtime/trees/gemm.ts) and perfect-tree traversal (tensor.ts), whichever the
 * ensemble's depth would pick. Outputs checked against the kernel first. Run last: it loads tfjs.
 */
async function strategies(name: string, rounds: number) {
  const [tf, wasm, gemm, tensor, format, kernelCode] = await Promise.all([
    import('@tensorflow/tfjs-core'),
    import('@tensorflow/tfjs-backend-wasm'),
    import('../../src/runtime/trees/gemm.js'),
    import('../../src/runtime/trees/tensor.js'),
    import('../../src/runtime/trees/format.js'),
    import('../../src/runtime/trees/kernel.js'),
  ]);
  try {
    wasm.setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  } catch {
    // tensorBatch above initialised the wasm backend (with the same paths) already.
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm did not come up');
  const index = (await (await fetch(registryUrl)).json()) as { models: Record<string, { channels: Record<string, string> }> };
  const dir = new URL(`${name}/${index.models[name]!.channels['stable']}/`, new URL(registryUrl, location.href));
  const json = (await (await fetch(new URL('model.json', dir))).json()) as {
    modelTopology: unknown;
    weightsManifest: Array<{ paths: string[]; weights: Array<{ name: string; shape: number[]; dtype: string }> }>;
  };
  const group = json.weightsManifest[0]!;
  const weightData = await (await fetch(new URL(group.paths[0]!, dir))).arrayBuffer();
  const e = format.readTreeEnsemble({ modelTopology: json.modelTopology, weightSpecs: group.weights, weightData });
  const n = report.batch;
  const x = new Float32Array(n * width);
  for (let i = 0; i < n; i++) x.set(features.subarray((i % rows.length) * width, ((i % rows.length) + 1) * width), i * width);
  const kernel = kernelCode.createTreeKernel(e);
  const runners: Record<string, (() => Promise<Float32Array>) | undefined> = { kernel: async () => kernel.run(x, n) };
  const owned: Array<{ dispose(): void }> = [];
  for (const [which, refusal, create] of [
    ['gemm', gemm.gemmRefusal(e), () => gemm.createGemmTensors(e)],
    ['traversal', tensor.tensorRefusal(e), () => tensor.createTreeTensors(e)],
  ] as const) {
    if (refusal !== undefined) continue;
    const t = create();
    owned.push(t);
    runners[which] = async () => {
      const input = tf.tensor2d(x, [n, width]);
      const y = t.forward(input);
      const out = (await y.data()) as Float32Array;
      tf.dispose([input, y]);
      return out;
    };
  }
  const expected = await runners['kernel']!();
  const check: Record<string, number> = {};
  for (const which of Object.keys(runners)) {
    const got = await runners[which]!(); // also the warm-up
    let max = 0;
    for (let i = 0; i < got.length; i++) max = Math.max(max, Math.abs(got[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!)));
    check[which] = max;
  }
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(runners).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    const order = Object.keys(runners);
    for (const which of r % 2 ? order.reverse() : order) {
      const t0 = performance.now();
      await runners[which]!();
      samples[which]!.push(performance.now() - t0);
    }
  }
  for (const t of owned) t.dispose();
  return { samples, check, depth: tensor.treeDepth(e), trees: e.trees };
}

(window as unknown as { bench: unknown }).bench = { setup, check, perCall, concurrent, batch, tensorBatch, strategies };
