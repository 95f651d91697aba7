/**
 * A `tree-ensemble` bundle as a tfjs session (session.ts's `Session`) through a tensor strategy
 * chosen by Hummingbird's depth rule (`get_tree_implementation_by_config_or_depth` in
 * hummingbird/ml/operator_converters/_tree_commons.py): trees up to {@link GEMM_MAX_DEPTH} deep run
 * as GEMM (gemm.ts), deeper ones up to {@link TENSOR_MAX_DEPTH} as perfect-tree traversal
 * (tensor.ts); the rule's reason goes into `leanReason`. So backend selection, the golden check, device-loss recovery and `model.info`
 * treat it like any tfjs model. Reached only when tfjs runs a tree model: forced by the app, or
 * the measured policy for large batches (plain-measure.ts). A refused ensemble throws, which
 * select.ts records as that backend's rejection with the reason.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FerryError } from '../../errors.js';
import type { Session } from '../session.js';
import type { EngineInit } from '../types.js';
import { readTreeEnsemble } from './format.js';
import { createGemmTensors, gemmRefusal } from './gemm.js';
import type { TreeEnsemble } from './format.js';
import { TENSOR_MAX_DEPTH, TENSOR_TOLERANCE, createTreeTensors, tensorRefusal, treeDepth } from './tensor.js';
import type { TreeTensors } from './tensor.js';

/** Deepest trees the GEMM strategy is chosen for (Hummingbird's `low`): its matrices grow as 2^depth, traversal's work as depth. */
export const GEMM_MAX_DEPTH = 3;

/** Which tensor strategy runs `e`, and why in words; throws (with the reason) when neither can. */
export function chooseTreeTensors(e: TreeEnsemble): { strategy: 'gemm' | 'traversal'; tensors: TreeTensors; reason: string } {
  const depth = treeDepth(e);
  const rule = `Hummingbird's rule: GEMM up to depth ${GEMM_MAX_DEPTH}, perfect-tree traversal up to ${TENSOR_MAX_DEPTH}`;
  const leafSums = `leaf sums in float32 (within ${TENSOR_TOLERANCE} of the tree kernel's float64)`;
  const gemmRefused = depth <= GEMM_MAX_DEPTH ? gemmRefusal(e) : undefined;
  if (depth <= GEMM_MAX_DEPTH && gemmRefused === undefined) {
    const gemm = createGemmTensors(e);
    return {
      strategy: 'gemm',
      tensors: gemm,
      reason: `tfjs tensor strategy GEMM (${rule}): ${e.trees} ${e.library} trees of depth ${depth}, ${gemm.inner} splits × ${gemm.leaves} leaves per tree, three matrix products, ${leafSums}`,
    };
  }
  const refused = tensorRefusal(e);
  if (refused !== undefined) throw new Error(gemmRefused === undefined ? refused : `${gemmRefused}; ${refused}`);
  const tensors = createTreeTensors(e);
  const why = gemmRefused === undefined ? rule : `${rule}; GEMM refused: ${gemmRefused}`;
  return {
    strategy: 'traversal',
    tensors,
    reason: `tfjs tensor strategy perfect-tree traversal (${why}): ${e.trees} ${e.library} trees padded to depth ${tensors.depth}, gathers per level, ${leafSums}`,
  };
}

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
  const { tensors, reason } = chooseTreeTensors(e);
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
    leanReason: reason,
    tfjs: true,
    run,
    async warmUp(sample, rows) {
      return (await run(sample, rows)).length / rows;
    },
    dispose: () => tensors.dispose(),
  };
}
