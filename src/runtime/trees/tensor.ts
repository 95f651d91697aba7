/**
 * The tfjs tensor strategy for tree ensembles: Hummingbird's perfect-tree traversal
 * (microsoft/hummingbird `PerfectTreeTraversalTreeImpl`, operator_converters/_tree_implementations.py)
 * on the active tfjs backend. Every tree is padded to the ensemble's depth D as a perfect binary
 * tree (a leaf above the bottom is copied into every bottom slot under it, as perfect.ts does), so
 * one level of all trees is one array, and a batch walks it with gathers: `i = 2i + (goes right)`,
 * where `i` starts at the tree's index and so carries the tree's offset in every level. D steps of
 * a few element-wise ops for all rows and trees at once, then one gather of the leaves and one
 * matMul that adds each tree's leaf to its output column. Loaded only in the tfjs chunk. Shallow
 * ensembles take GEMM instead (gemm.ts; the depth rule is in tensor-session.ts).
 *
 * Exactness on a float32 device (README "Tree ensembles"): the inputs are float32 already (the
 * tree kernel compares the same float32 values), so `x <= t` with a float64 `t` (scikit-learn,
 * HistGradientBoosting) is exactly `x <= t32` with `t32` the largest float32 ≤ `t`, and XGBoost's
 * `x < t` is `x <= t′` with `t′` the largest float32 below `t`: routing equals the kernel's bit for
 * bit. NaN is tested on its own (`isNaN`, never a comparison, whose NaN result GPU compilers may
 * not honour) and takes the node's missing side. Leaf sums are float32 in the matrix product's order
 * where the kernel sums in float64 (or in float32 tree after tree for `"accumulate": "float32"`,
 * XGBoost's own order): {@link TENSOR_TOLERANCE}. Refused (with the reason): categorical splits, trees deeper
 * than {@link TENSOR_MAX_DEPTH}, an XGBoost threshold of −∞ (nothing is below it).
 */
import * as tf from '@tensorflow/tfjs-core';
import { CATEGORICAL, MISSING_LEFT } from './format.js';
import type { TreeEnsemble } from './format.js';
import { float32Below } from './perfect.js';

/** Deepest ensemble the strategy takes: 2^10 leaves per tree (Hummingbird's perfect traversal stops near there too). */
export const TENSOR_MAX_DEPTH = 10;

/**
 * Largest difference from the tree kernel the strategy's outputs may have (relative, with an
 * absolute floor of 1, like the golden check): the leaf values are summed in float32, not float64.
 */
export const TENSOR_TOLERANCE = 1e-5;

/** The largest float32 ≤ `t` (the float32 threshold that routes float32 inputs as `x <= t` does). */
export function float32AtMost(t: number): number {
  const f = Math.fround(t);
  return f <= t ? f : float32Below(f);
}

/** A tree ensemble as tfjs tensors on the active backend. */
export interface TreeTensors {
  /** Depth every tree is padded to. */
  readonly depth: number;
  /** `rows × features` (row-major) to `rows × outputWidth`, as the tree kernel's `run`. Caller disposes. */
  forward(x: tf.Tensor2D): tf.Tensor2D;
  dispose(): void;
}

/** Why `e` cannot run as tensors, or undefined when it can. */
export function tensorRefusal(e: TreeEnsemble): string | undefined {
  for (let n = 0; n < e.feature.length; n++) {
    if (e.feature[n]! < 0) continue;
    if (e.flags[n]! & CATEGORICAL) return 'the tfjs tensor strategy takes numeric splits only; this ensemble has categorical splits';
    if (e.compare === '<' && e.threshold[n] === -Infinity) return 'a split `x < −∞` has no float32 threshold in the tensor strategy';
  }
  const depth = treeDepth(e);
  if (depth > TENSOR_MAX_DEPTH) return `the tfjs tensor strategy takes trees up to depth ${TENSOR_MAX_DEPTH}; this ensemble is ${depth} deep`;
  return undefined;
}

/** Depth of the ensemble's deepest leaf (a lone leaf is depth 0). */
export function treeDepth(e: TreeEnsemble): number {
  let depth = 0;
  for (let t = 0; t < e.trees; t++) {
    const stack = [e.roots[t]!, 0];
    while (stack.length) {
      const d = stack.pop()!;
      const n = stack.pop()!;
      if (e.feature[n]! < 0) depth = Math.max(depth, d);
      else stack.push(e.left[n]!, d + 1, e.right[n]!, d + 1);
    }
  }
  return depth;
}

/** The tensors of `e` (check {@link tensorRefusal} first) on tfjs's active backend. */
export function createTreeTensors(e: TreeEnsemble): TreeTensors {
  const D = treeDepth(e);
  const T = e.trees;
  const W = e.leafWidth;
  const K = e.outputs;
  const F = e.features;
  // Level l holds 2^l nodes per tree, tree t's node i at t·2^l + i.
  const feature = Array.from({ length: D }, (_, l) => new Int32Array(T << l));
  const threshold = Array.from({ length: D }, (_, l) => new Float32Array(T << l));
  // 1 where a NaN goes right. Padding nodes under a leaf keep 0: both sides hold the same leaf.
  const nanRight = Array.from({ length: D }, (_, l) => new Int32Array(T << l));
  const leaves = new Float32Array((T << D) * W);
  let missingLeft = false;
  for (let t = 0; t < T; t++) {
    const stack = [e.roots[t]!, 0, 0];
    while (stack.length) {
      const i = stack.pop()!;
      const l = stack.pop()!;
      const n = stack.pop()!;
      if (e.feature[n]! < 0) {
        const span = 1 << (D - l);
        const first = (t << D) + i * span;
        for (let s = first; s < first + span; s++) for (let k = 0; k < W; k++) leaves[s * W + k] = e.values[e.left[n]! + k]!;
        continue;
      }
      const at = (t << l) + i;
      feature[l]![at] = e.feature[n]!;
      threshold[l]![at] = e.compare === '<' ? float32Below(e.threshold[n]!) : float32AtMost(e.threshold[n]!);
      if (e.flags[n]! & MISSING_LEFT) missingLeft = true;
      else nanRight[l]![at] = 1;
      stack.push(e.left[n]!, l + 1, 2 * i, e.right[n]!, l + 1, 2 * i + 1);
    }
  }
  // Column of each tree's leaf value k: a 0/1 matrix, so one matMul adds the leaves per output column.
  const columns = new Float32Array(T * W * K);
  for (let t = 0; t < T; t++) for (let k = 0; k < W; k++) columns[(t * W + k) * K + e.treeColumn[t]! + k] = 1;

  const owned: tf.Tensor[] = [];
  const keep = <R extends tf.Tensor>(x: R): R => (owned.push(x), x);
  const levels = feature.map((f, l) => ({
    feature: keep(tf.tensor1d(f, 'int32')),
    threshold: keep(tf.tensor1d(threshold[l]!, 'float32')),
    // int32, not bool: the wasm backend's gather mis-sizes bool tensors (memory out of bounds).
    nanRight: missingLeft ? keep(tf.tensor1d(nanRight[l]!, 'int32')) : undefined,
  }));
  const leafValues = keep(tf.tensor2d(leaves, [T << D, W]));
  const columnMatrix = keep(tf.tensor2d(columns, [T * W, K]));
  const base = keep(tf.tensor1d(Float32Array.from(e.base)));
  const trees = keep(tf.tidy(() => tf.reshape(tf.range(0, T, 1, 'int32'), [1, T])));
  const two = keep(tf.scalar(2, 'int32'));

  const forward = (x: tf.Tensor2D): tf.Tensor2D =>
    tf.tidy((): tf.Tensor2D => {
      const rows = x.shape[0];
      const flat = tf.reshape(x, [rows * F]);
      // Each row's offset in `flat`, tiled once: a broadcasting add per level measured ~4× slower on wasm.
      const rowStart = tf.tile(tf.reshape(tf.range(0, rows * F, F, 'int32'), [rows, 1]), [1, T]);
      let index: tf.Tensor = tf.tile(trees, [rows, 1]);
      for (const level of levels) {
        const value = tf.gather(flat, tf.add(rowStart, tf.gather(level.feature, index)));
        const nan = tf.isNaN(value);
        // !(x <= t) without trusting a NaN comparison: NaN takes the node's missing side.
        const greater = tf.greater(value, tf.gather(level.threshold, index));
        const right = level.nanRight
          ? tf.where(nan, tf.gather(level.nanRight, index), tf.cast(greater, 'int32'))
          : tf.cast(tf.logicalOr(nan, greater), 'int32');
        index = tf.add(tf.mul(index, two), right);
      }
      const picked = tf.reshape(tf.gather(leafValues, index), [rows, T * W]);
      return finishScores(e, tf.add<tf.Tensor2D>(tf.matMul(picked, columnMatrix), base));
    });

  return {
    depth: D,
    forward,
    dispose: () => tf.dispose(owned),
  };
}

/** Raw scores (`rows × outputs`, base added) to outputs: the ensemble's mean and link, as the tree kernel applies them. */
export function finishScores(e: TreeEnsemble, raw: tf.Tensor2D): tf.Tensor2D {
  const scores = e.aggregate === 'mean' ? tf.div<tf.Tensor2D>(raw, e.trees) : raw;
  if (e.link === 'sigmoid') {
    const p = tf.sigmoid(scores);
    return tf.concat2d([tf.sub<tf.Tensor2D>(1, p), p], 1);
  }
  return e.link === 'softmax' ? tf.softmax(scores) : scores;
}
