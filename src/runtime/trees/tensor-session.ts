/**
 * A `tree-ensemble` bundle as a tfjs session (session.ts's `Session`) through the tensor strategy
 * (tensor.ts), so backend selection, the golden check, device-loss recovery and `model.info`
 * treat it like any tfjs model. Reached only when tfjs runs a tree model: forced by the app, or
 * the measured policy for large batches (plain-measure.ts). A refused ensemble throws, which
 * select.ts records as that backend's rejection with the reason.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FerryError } from '../../errors.js';
import type { Session } from '../session.js';
import type { EngineInit } from '../types.js';
import { readTreeEnsemble } from './format.js';
import { TENSOR_TOLERANCE, createTreeTensors, tensorRefusal } from './tensor.js';

/** Loads `init.artifacts` (a tree ensemble) as tensors on the active backend. */
export function createTreeSession(init: Pick<EngineInit, 'artifacts' | 'width'>): Session {
  const e = readTreeEnsemble(init.artifacts);
  if (e.features !== init.width)
    throw new FerryError(
      'MANIFEST_INVALID',
      `tree-ensemble model takes ${e.features} features per row but the schema emits ${init.width}; re-export the bundle`,
      {
        details: { expected: init.width, got: e.features },
      },
    );
  const refused = tensorRefusal(e);
  if (refused !== undefined) throw new Error(refused);
  const tensors = createTreeTensors(e);
  const sync = tf.getBackend() !== 'webgpu';
  const F = e.features;
  const run = (input: Float32Array, rows: number): Float32Array | Promise<Float32Array> => {
    const values = input.length === rows * F ? input : input.subarray(0, rows * F);
    const y = tf.tidy(() => tensors.forward(tf.tensor2d(values, [rows, F], 'float32')));
    if (!sync)
      return y
        .data()
        .then((d) => d as Float32Array)
        .finally(() => y.dispose());
    try {
      return y.dataSync() as Float32Array;
    } finally {
      y.dispose();
    }
  };
  return {
    lean: 'fused-ops',
    leanReason: `tfjs tensor strategy (Hummingbird's perfect-tree traversal): ${e.trees} ${e.library} trees padded to depth ${tensors.depth}, gathers per level, leaf sums in float32 (within ${TENSOR_TOLERANCE} of the tree kernel's float64)`,
    tfjs: true,
    run,
    async warmUp(sample, rows) {
      return (await run(sample, rows)).length / rows;
    },
    dispose: () => tensors.dispose(),
  };
}
