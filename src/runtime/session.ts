/**
 * One tfjs model on the active backend: builds it from the bundle's artifacts, runs
 * `rows × width` features to `rows × outputs` values inside `tf.tidy`, frees everything it made.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { FerryError } from '../errors.js';
import { createDirect } from './direct.js';
import type { DirectKernel } from './direct.js';
import { fusedForward, readDenseChain, toDenseSteps } from './lean.js';
import type { Forward } from './lean.js';
import type { EngineInit, LeanMode } from './types.js';

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

/** Shape of one input row for the model (`[width]`, or e.g. `[28, 28, 1]`), checked against the schema width. */
function rowShape(shape: ReadonlyArray<number | null> | undefined, width: number): number[] {
  const inner = (shape ?? [null, width]).slice(1).map((d) => (d === null || d < 0 ? -1 : d));
  const known = inner.filter((d) => d > 0).reduce((a, b) => a * b, 1);
  const unknown = inner.filter((d) => d < 0).length;
  if (unknown > 1 || (unknown === 0 && known !== width) || (unknown === 1 && width % known !== 0)) {
    throw new FerryError('MANIFEST_INVALID', `The model's input shape [${String(shape)}] does not fit the schema's ${width} features per row; re-pack the bundle with the schema the model was trained on`, {
      details: { inputShape: shape, width },
    });
  }
  return inner.map((d) => (d < 0 ? width / known : d));
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
}

/** How `layers` can run here, leanest first, ending with `predict` itself. */
function waysFor(layers: LayersModel, width: number, lean: boolean, standard: Forward): Way[] {
  if (!lean) return [{ mode: false, reason: 'LayersModel.predict (lean: false)', forward: standard }];
  const chain = readDenseChain(layers);
  if (!('steps' in chain)) return [{ mode: false, reason: `LayersModel.predict: not a dense chain (${chain.reason})`, forward: standard }];
  const dense = chain.steps.filter((s) => s.kernel).length;
  const fused = fusedForward(chain.steps);
  const backend = tf.getBackend();
  const plan = backend === 'cpu' ? createDirect(toDenseSteps(chain.steps), width) : { reason: `the direct kernel runs on the cpu backend, this is ${backend}` };
  const ways: Way[] = [];
  if ('run' in plan) {
    ways.push({ mode: 'direct', reason: `direct kernel: ${dense} Dense layers, ${plan.multiplyAdds} multiply-adds per row, plain JavaScript on the CPU`, direct: plan, forward: fused });
  }
  ways.push({ mode: 'fused-ops', reason: `fused ops, one tf.fused.matMul per Dense layer (${'reason' in plan ? plan.reason : 'the direct kernel was not taken'})`, forward: fused });
  ways.push({ mode: false, reason: 'LayersModel.predict', forward: standard });
  return ways;
}

/** Loads the model from `init.artifacts` on the active tfjs backend. */
export async function createSession(init: Pick<EngineInit, 'artifacts' | 'format' | 'width' | 'lean'>): Promise<Session> {
  const handler = tf.io.fromMemory(init.artifacts);
  const sync = tf.getBackend() !== 'webgpu';
  let standard: Forward;
  let model: LayersModel | GraphModel;
  let shape: number[];
  let ways: Way[];
  if (init.format === 'layers-model') {
    const tfl = await import('@tensorflow/tfjs-layers');
    const layers = await tfl.loadLayersModel(handler);
    model = layers;
    if (layers.inputs.length !== 1 || layers.outputs.length !== 1) throw new FerryError('MANIFEST_INVALID', `ferryml runs single-input, single-output models; this one has ${layers.inputs.length} inputs and ${layers.outputs.length} outputs`);
    shape = rowShape(layers.inputs[0]?.shape, init.width);
    // batchSize = all rows: predict() otherwise splits into 32-row chunks (8.2 ms vs 0.36 ms for 1,000 rows).
    standard = (x) => layers.predict(x, { batchSize: x.shape[0] ?? 1 }) as tf.Tensor;
    ways = waysFor(layers, init.width, init.lean, standard);
  } else {
    const tfc = await import('@tensorflow/tfjs-converter');
    const graph = await tfc.loadGraphModel(handler);
    model = graph;
    if (graph.inputs.length !== 1 || graph.outputs.length !== 1) throw new FerryError('MANIFEST_INVALID', `ferryml runs single-input, single-output models; this one has ${graph.inputs.length} inputs and ${graph.outputs.length} outputs`);
    shape = rowShape(graph.inputs[0]?.shape, init.width);
    standard = (x) => graph.execute(x) as tf.Tensor;
    ways = [{ mode: false, reason: 'GraphModel.execute (graph models run as converted)', forward: standard }];
  }
  const width = init.width;
  let way = ways[0]!;

  const run = (input: Float32Array, rows: number, w: Way = way): Float32Array | Promise<Float32Array> => {
    if (w.direct) return w.direct.run(input, rows);
    const y = tf.tidy(() => w.forward(tf.tensor(input.length === rows * width ? input : input.subarray(0, rows * width), [rows, ...shape], 'float32')));
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
      let out = await run(sample, rows);
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
    },
  };
}
