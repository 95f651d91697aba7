/**
 * One tfjs model on the active backend: builds it from the bundle's artifacts, runs
 * `rows × width` features to `rows × outputs` values inside `tf.tidy`, frees everything it made.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { FerryError } from '../errors.js';
import { fusedForward, readDenseChain } from './lean.js';
import type { Forward } from './lean.js';
import type { EngineInit } from './types.js';

/** A loaded model bound to one backend. */
export interface Session {
  /** The lean path is in use. */
  readonly lean: boolean;
  /** Runs `rows` rows from the front of `input`. Synchronous on CPU and WASM, a promise on WebGPU. */
  run(input: Float32Array, rows: number): Float32Array | Promise<Float32Array>;
  /** Warms the model up (compiles shaders) and, for the lean path, checks it against `predict` (falls back on any difference). */
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

/** Loads the model from `init.artifacts` on the active tfjs backend. */
export async function createSession(init: Pick<EngineInit, 'artifacts' | 'format' | 'width' | 'lean'>): Promise<Session> {
  const handler = tf.io.fromMemory(init.artifacts);
  const sync = tf.getBackend() !== 'webgpu';
  let forward: Forward;
  let standard: Forward;
  let model: LayersModel | GraphModel;
  let shape: number[];
  if (init.format === 'layers-model') {
    const tfl = await import('@tensorflow/tfjs-layers');
    const layers = await tfl.loadLayersModel(handler);
    model = layers;
    if (layers.inputs.length !== 1 || layers.outputs.length !== 1) throw new FerryError('MANIFEST_INVALID', `ferryml runs single-input, single-output models; this one has ${layers.inputs.length} inputs and ${layers.outputs.length} outputs`);
    shape = rowShape(layers.inputs[0]?.shape, init.width);
    // batchSize = all rows: predict() otherwise splits into 32-row chunks (8.2 ms vs 0.36 ms for 1,000 rows).
    standard = (x) => layers.predict(x, { batchSize: x.shape[0] ?? 1 }) as tf.Tensor;
    const chain = init.lean ? readDenseChain(layers) : undefined;
    forward = chain && 'steps' in chain ? fusedForward(chain.steps) : standard;
  } else {
    const tfc = await import('@tensorflow/tfjs-converter');
    const graph = await tfc.loadGraphModel(handler);
    model = graph;
    if (graph.inputs.length !== 1 || graph.outputs.length !== 1) throw new FerryError('MANIFEST_INVALID', `ferryml runs single-input, single-output models; this one has ${graph.inputs.length} inputs and ${graph.outputs.length} outputs`);
    shape = rowShape(graph.inputs[0]?.shape, init.width);
    standard = (x) => graph.execute(x) as tf.Tensor;
    forward = standard;
  }
  let lean = forward !== standard;
  const width = init.width;

  const run = (input: Float32Array, rows: number, fn: Forward = forward): Float32Array | Promise<Float32Array> => {
    const y = tf.tidy(() => fn(tf.tensor(input.length === rows * width ? input : input.subarray(0, rows * width), [rows, ...shape], 'float32')));
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
      return lean;
    },
    run: (input, rows) => run(input, rows),
    async warmUp(sample, rows) {
      const out = await run(sample, rows);
      if (lean) {
        const reference = await run(sample, rows, standard);
        const off = reference.length !== out.length || reference.some((v, i) => !(Math.abs(v - out[i]!) <= 1e-5 * Math.max(1, Math.abs(v))));
        // Never trust the fast path over tfjs's own: any difference and predict() it is.
        if (off) (forward = standard), (lean = false);
      }
      return out.length / rows;
    },
    dispose() {
      model.dispose();
    },
  };
}
