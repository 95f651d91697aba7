/**
 * Graph models with control flow or dynamic-shape ops (TF Object Detection API SSDs with their
 * NMS inside, `tf.where`, while loops) cannot run through `GraphModel.execute`; tfjs answers
 * "please use model.executeAsync()". This runs them through `executeAsync`, outside `tf.tidy`
 * (which cannot span an await), disposing every tensor it made on every path.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { inputTensors, packOutputs } from './model-io.js';
import type { InputPlan } from './model-io.js';

/** True for tfjs's refusal of a model that needs `executeAsync`. */
export const needsAsync = (error: unknown): boolean => /executeAsync/.test(error instanceof Error ? error.message : String(error));

/**
 * `x` (`rows × width`, float32) → one packed `rows × outputWidth` float32 tensor (the caller
 * disposes it). `batchOne`: the model takes one row per call (its batch dimension is fixed at 1).
 * `outputs`: the graph's output names to return, in that order (absent: all, in the graph's).
 */
export function asyncForward(graph: GraphModel, plans: readonly InputPlan[], sizes: readonly number[] | undefined, batchOne: boolean, outputs?: string[]) {
  return async (x: tf.Tensor2D): Promise<tf.Tensor> => {
    const rows = x.shape[0];
    const step = batchOne ? 1 : rows;
    const parts: tf.Tensor[] = [];
    try {
      for (let r = 0; r < rows; r += step) {
        const xs = tf.tidy(() => inputTensors(step === rows ? x : tf.slice(x, [r, 0], [step, -1]), plans, step));
        let y: tf.Tensor | tf.Tensor[];
        try {
          y = await graph.executeAsync(Object.fromEntries(plans.map((p, i) => [p.name, xs[i]!])), outputs);
        } finally {
          tf.dispose(xs);
        }
        try {
          const out = y;
          // packOutputs hands back a lone float32 output itself: keep a reference that survives disposing y.
          parts.push(
            tf.tidy(() => {
              const packed = packOutputs(out, step, sizes);
              return packed === out ? tf.clone(packed) : packed;
            }),
          );
        } finally {
          tf.dispose(y);
        }
      }
      return parts.length === 1 ? parts.pop()! : tf.concat(parts, 0);
    } finally {
      tf.dispose(parts);
    }
  };
}
