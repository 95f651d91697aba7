/**
 * One tfjs model on the active backend: builds it from the bundle's artifacts, runs
 * `rows × width` features to `rows × outputs` values inside `tf.tidy`, frees everything it made.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { createDirect } from './direct.js';
import type { DirectKernel } from './direct.js';
import { fusedForward, readDenseChain, toDenseSteps } from './lean.js';
import { readConvGraph } from './lean-conv.js';
import type { Forward } from './lean.js';
import { asyncForward, needsAsync } from './graph-async.js';
import { imageRanges, inputTensors, outputOrder, packOutputs, planInputs } from './model-io.js';
import type { InputPlan } from './model-io.js';
import type { EngineInit, LeanMode } from './types.js';
import { createTreeSession } from './trees/tensor-session.js';

/** A loaded model bound to one backend. */
export interface Session {
  /** How the model runs (direct kernel, fused ops, or tfjs's own predict). */
  readonly lean: LeanMode;
  /** Why that way (for `model.info`). */
  readonly leanReason: string;
  /** Calls issue tfjs ops (false for the direct kernel: tfjs's active backend does not matter to it). */
  readonly tfjs: boolean;
  /** Runs `rows` rows from the front of `input`. Synchronous on CPU and WASM, a promise on WebGPU. */
  run(input: Float32Array, rows: number): Float32Array | Promise<Float32Array>;
  /** Warms the model up (compiles shaders) and checks a lean way against `predict` (the next way on any difference). */
  warmUp(sample: Float32Array, rows: number): Promise<number>;
  dispose(): void;
}

/** Reads a finished output tensor into a fresh Float32Array and disposes it. */
async function readAsync(y: tf.Tensor): Promise<Float32Array> {
  try {
    const data = await y.data();
    return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
  } finally {
    y.dispose();
  }
}

/** Largest relative difference `|a − b| / max(1, |a|)` between a reference and a candidate output (NaN counts as Infinity). */
function difference(reference: Float32Array, got: Float32Array): number {
  if (reference.length !== got.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < reference.length; i++) {
    const e = Math.abs(reference[i]! - got[i]!) / Math.max(1, Math.abs(reference[i]!));
    if (!(e <= worst)) worst = Number.isNaN(e) ? Infinity : e;
  }
  return worst;
}

/** The lean ways to run a layers model, leanest first, each with the reason it is used. */
interface Way {
  mode: LeanMode;
  reason: string;
  direct?: DirectKernel;
  forward: Forward;
  /** Runs through GraphModel.executeAsync (control flow); see ./graph-async.ts. */
  slow?: (x: tf.Tensor2D) => Promise<tf.Tensor>;
}

/** How `layers` can run here, leanest first, ending with `predict` itself. */
function waysFor(layers: LayersModel, width: number, lean: boolean, standard: Forward, owned: tf.Tensor[]): Way[] {
  if (!lean) return [{ mode: false, reason: 'LayersModel.predict (lean: false)', forward: standard }];
  const chain = readDenseChain(layers);
  if (!('steps' in chain)) {
    // Convolutional models: blocks fused into single conv ops (./lean-conv.ts), checked against predict at load.
    const conv = readConvGraph(layers);
    const standardWay: Way = { mode: false, reason: `LayersModel.predict: not a dense chain (${chain.reason})`, forward: standard };
    if (!('forward' in conv)) return [{ ...standardWay, reason: `${standardWay.reason}; no fused conv graph (${conv.reason})` }];
    owned.push(...conv.weights);
    const fused = `fused conv ops: ${conv.convs} convolutions, ${conv.folded} BatchNormalizations folded into them`;
    return [{ mode: 'fused-ops', reason: fused, forward: conv.forward }, standardWay];
  }
  const dense = chain.steps.filter((s) => s.kernel).length;
  const fused = fusedForward(chain.steps);
  const backend = tf.getBackend();
  const plan = backend === 'cpu' ? createDirect(toDenseSteps(chain.steps), width) : { reason: `the direct kernel runs on the cpu backend, this is ${backend}` };
  const ways: Way[] = [];
  if ('run' in plan) {
    ways.push({
      mode: 'direct',
      reason: `direct kernel: ${dense} Dense layers, ${plan.multiplyAdds} multiply-adds per row, plain JavaScript on the CPU`,
      direct: plan,
      forward: fused,
    });
  }
  ways.push({
    mode: 'fused-ops',
    reason: `fused ops, one tf.fused.matMul per Dense layer (${'reason' in plan ? plan.reason : 'the direct kernel was not taken'})`,
    forward: fused,
  });
  ways.push({ mode: false, reason: 'LayersModel.predict', forward: standard });
  return ways;
}

/** Loads the model from `init.artifacts` on the active tfjs backend. */
export async function createSession(init: Pick<EngineInit, 'artifacts' | 'format' | 'width' | 'lean' | 'inputs' | 'outputs' | 'schema'>): Promise<Session> {
  // Tree ensembles have no tfjs model: the tensor strategy builds their ops (./trees/tensor.ts).
  if (init.format === 'tree-ensemble') return createTreeSession(init);
  const handler = tf.io.fromMemory(init.artifacts);
  const sync = tf.getBackend() !== 'webgpu';
  let standard: Forward;
  let model: LayersModel | GraphModel;
  let shape: number[];
  let ways: Way[];
  // Values per row of each output the manifest lists, checked on every run.
  const sizes = init.outputs?.map((o) => o.shape.reduce((a, b) => a * b, 1));
  const names = init.outputs?.map((o) => o.name);
  // Several inputs, an integer input or several outputs: the row goes in as [rows, width] and is
  // split per input (./model-io.ts); outputs come back packed per row. Else the one input's shape.
  // `batchOne`: the model's batch dimension is fixed at 1 (many converted detectors): one row per call.
  const general = (plans: InputPlan[], outputs: number, call: (xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[], batchOne = false): Forward | undefined => {
    if (plans.length === 1 && plans[0]!.dtype === 'float32' && outputs === 1 && sizes === undefined && !batchOne) return undefined;
    const one = (x: tf.Tensor2D, rows: number) => packOutputs(call(inputTensors(x, plans, rows)), rows, sizes);
    return (x) => {
      const rows = x.shape[0];
      if (!batchOne || rows === 1) return one(x as tf.Tensor2D, rows);
      return tf.concat(
        Array.from({ length: rows }, (_, r) => one(tf.slice(x as tf.Tensor2D, [r, 0], [1, -1]), 1)),
        0,
      );
    };
  };
  let slow: ((x: tf.Tensor2D) => Promise<tf.Tensor>) | undefined;
  // Tensors a lean way made at load (folded weights), freed with the model.
  const owned: tf.Tensor[] = [];
  if (init.format === 'layers-model') {
    const tfl = await import('@tensorflow/tfjs-layers');
    const layers = await tfl.loadLayersModel(handler);
    model = layers;
    const plans = planInputs(
      layers.inputs.map((t, i) => ({ name: layers.inputNames[i] ?? t.name, shape: t.shape, dtype: t.dtype })),
      init.inputs,
      init.width,
      imageRanges(init.schema),
    );
    // predict() reads an array of inputs by position in layers.inputNames, not in the manifest's
    // order; its outputs come in layers.outputNames order, handed back in the manifest's.
    const slots = plans.map((p) => layers.inputNames.indexOf(p.name));
    const order = outputOrder(layers.outputNames, names);
    const predict = (xs: tf.Tensor[]) => {
      const ordered = xs.slice();
      xs.forEach((x, i) => (ordered[slots[i]!] = x));
      // batchSize = all rows: predict() otherwise splits into 32-row chunks (8.2 ms vs 0.36 ms for 1,000 rows).
      const y = layers.predict(ordered.length === 1 ? ordered[0]! : ordered, { batchSize: xs[0]!.shape[0] });
      return order ? order.map((i) => (Array.isArray(y) ? y : [y])[i]!) : y;
    };
    const forward = general(plans, layers.outputs.length, predict);
    shape = forward ? [init.width] : plans[0]!.shape;
    standard = forward ?? ((x) => layers.predict(x, { batchSize: x.shape[0] }) as tf.Tensor);
    ways = forward
      ? [{ mode: false, reason: 'LayersModel.predict (several inputs or outputs)', forward }]
      : waysFor(layers, init.width, init.lean, standard, owned);
  } else {
    const tfc = await import('@tensorflow/tfjs-converter');
    const graph = await tfc.loadGraphModel(handler);
    model = graph;
    const plans = planInputs(
      graph.inputs.map((t) => ({ name: t.name, shape: t.shape, dtype: t.dtype })),
      init.inputs,
      init.width,
      imageRanges(init.schema),
    );
    const named = (xs: tf.Tensor[]): tf.NamedTensorMap => Object.fromEntries(plans.map((p, i) => [p.name, xs[i]!]));
    const batchOne = graph.inputs.some((t) => t.shape?.[0] === 1);
    // The manifest's outputs by name, where they are the graph's: asked for in the manifest's order.
    const own = graph.outputs.map((t) => t.name);
    const outputs = outputOrder(own, names)?.map((i) => own[i]!);
    const forward = general(plans, graph.outputs.length, (xs) => graph.execute(named(xs), outputs), batchOne);
    slow = asyncForward(graph, plans, sizes, batchOne, outputs);
    shape = forward ? [init.width] : plans[0]!.shape;
    standard = forward ?? ((x) => graph.execute(x) as tf.Tensor);
    ways = [{ mode: false, reason: 'GraphModel.execute (graph models run as converted)', forward: standard }];
  }
  const width = init.width;
  let way = ways[0]!;

  const run = (input: Float32Array, rows: number, w: Way = way): Float32Array | Promise<Float32Array> => {
    if (w.direct) return w.direct.run(input, rows);
    const values = input.length === rows * width ? input : input.subarray(0, rows * width);
    if (w.slow) {
      const x = tf.tensor2d(values, [rows, width], 'float32');
      return w
        .slow(x)
        .finally(() => x.dispose())
        .then(readAsync);
    }
    let y: tf.Tensor;
    try {
      y = tf.tidy(() => w.forward(tf.tensor(values, [rows, ...shape], 'float32')));
    } catch (error) {
      if (!slow || !needsAsync(error)) throw error;
      // Control flow or dynamic ops: from now on this model runs through executeAsync.
      way = { mode: false, reason: 'GraphModel.executeAsync (the model has control flow or dynamic-shape ops)', forward: w.forward, slow };
      return run(input, rows, way);
    }
    if (!sync) return readAsync(y);
    try {
      const data = y.dataSync();
      // The CPU backend keeps the input array as the tensor's storage; an identity-like model
      // would hand back the caller's reusable buffer, so copy in that case.
      return data instanceof Float32Array && data.buffer !== input.buffer ? data : Float32Array.from(data as ArrayLike<number>);
    } finally {
      y.dispose();
    }
  };

  return {
    get lean() {
      return way.mode;
    },
    get leanReason() {
      return way.reason;
    },
    get tfjs() {
      return !way.direct;
    },
    run: (input, rows) => run(input, rows),
    async warmUp(sample, rows) {
      let out: Float32Array;
      try {
        out = await run(sample, rows);
      } catch (error) {
        // A lean way that cannot run this model (an op the backend lacks) gives way to predict().
        if (way.mode === false) throw error;
        const failed = `${way.mode} failed at load (${error instanceof Error ? error.message : String(error)})`;
        way = ways[ways.length - 1]!;
        way = { ...way, reason: `${way.reason}; ${failed}` };
        out = await run(sample, rows);
      }
      if (way.mode === false) return out.length / rows;
      // Never trust a lean way over tfjs's own: the first that matches predict() (1e-5) is kept.
      const reference = await run(sample, rows, ways[ways.length - 1]);
      const skipped: string[] = [];
      for (let i = 0; ; i++) {
        const off = difference(reference, out);
        if (off <= 1e-5 || way.mode === false) break;
        skipped.push(`${way.mode} differed from predict() by ${off.toPrecision(3)} at load`);
        way = ways[i + 1]!;
        out = way.mode === false ? reference : await run(sample, rows);
      }
      if (skipped.length > 0) way = { ...way, reason: `${way.reason}; ${skipped.join('; ')}` };
      return out.length / rows;
    },
    dispose() {
      model.dispose();
      tf.dispose(owned);
    },
  };
}
