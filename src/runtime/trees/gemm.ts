/**
 * The GEMM tensor strategy for tree ensembles: Hummingbird's `GEMMTreeImpl`
 * (microsoft/hummingbird operator_converters/_tree_implementations.py, parameters from
 * `get_parameters_for_gemm_common` in _tree_commons.py) on the active tfjs backend. Per tree, with
 * I internal nodes and L leaves (every tree padded to the ensemble's largest I and L):
 * - A (I × features): one-hot, node n reads feature f;  B (I): the node's float32 threshold;
 * - C (L × I): +1 where the leaf's path goes left at node n, −1 where it goes right, 0 elsewhere;
 * - D (L): the number of left turns on the leaf's path;  E (outputs × L): the leaf's values.
 * Then `left = X·A <= B` (1/0), `hit = left·C == D` (exactly one leaf per tree and row), and the
 * scores are `hit·E`: three matrix products for all trees at once (the second batched per tree), no
 * gathers. Worth it for shallow trees, where I and L are small (Hummingbird's rule: depth ≤ 3,
 * tensor-session.ts); the matrices grow as 2^depth, so deep ensembles are refused past
 * {@link GEMM_MAX_WEIGHTS} values. Loaded only in the tfjs chunk.
 *
 * Exactness (README "Tree ensembles"): thresholds map to float32 as in tensor.ts, so routing equals
 * the tree kernel's bit for bit. A one-hot product is exact for finite inputs (`x·1 + Σ 0·y`), but
 * `0·∞` and `0·NaN` are NaN and would leak into every node of the row, so the product reads the
 * input with NaN replaced by 0 and ±∞ clamped to ±the largest float32, and NaN is carried by a
 * second one-hot product of the `isNaN` mask (a node whose feature is NaN takes its missing side).
 * Clamping changes no decision unless a float32 threshold is −∞ or the largest finite float32:
 * those ensembles are refused with the reason, as are categorical splits (tensor.ts). Leaf sums are
 * float32 in the matrix product's order: within {@link TENSOR_TOLERANCE} of the kernel's float64 sums
 * (or its float32 sums tree after tree, `"accumulate": "float32"`), checked at load by the golden rows.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CATEGORICAL, MISSING_LEFT } from './format.js';
import type { TreeEnsemble } from './format.js';
import { float32Below } from './perfect.js';
import { finishScores, float32AtMost } from './tensor.js';
import type { TreeTensors } from './tensor.js';

/** Largest float32. */
const MAX_FLOAT32 = 3.4028234663852886e38;

/** Most values the path matrix C (trees × leaves × internal nodes) may hold: 64 MiB of float32. */
export const GEMM_MAX_WEIGHTS = 1 << 24;

/**
 * Most values one intermediate (trees × nodes × rows) may hold: larger calls run in row chunks, each
 * freeing its intermediates before the next (tfjs wasm aborts past its 2–4 GiB heap otherwise).
 */
const CHUNK_VALUES = 1 << 22;

/** One tree's GEMM layout: internal nodes and leaves in Hummingbird's depth-first order. */
interface GemmTree {
  /** Ensemble node index of each internal node (its row in A and B). */
  nodes: number[];
  /** Per leaf: the ensemble node index (for its values), and its path as (internal node position, went left). */
  leaves: Array<{ node: number; path: Array<[number, boolean]> }>;
}

function layoutOf(e: TreeEnsemble, t: number): GemmTree {
  const nodes: number[] = [];
  const leaves: GemmTree['leaves'] = [];
  // Depth first, left before right; `path` holds the turns taken to reach the node on the stack.
  const stack: Array<{ node: number; path: Array<[number, boolean]> }> = [{ node: e.roots[t]!, path: [] }];
  while (stack.length) {
    const { node, path } = stack.pop()!;
    if (e.feature[node]! < 0) {
      leaves.push({ node, path });
      continue;
    }
    const at = nodes.push(node) - 1;
    stack.push({ node: e.right[node]!, path: [...path, [at, false]] }, { node: e.left[node]!, path: [...path, [at, true]] });
  }
  return { nodes, leaves };
}

/** Threshold of split `n` as the float32 `t32` for which `x <= t32` routes float32 inputs exactly. */
const threshold32 = (e: TreeEnsemble, n: number) => (e.compare === '<' ? float32Below(e.threshold[n]!) : float32AtMost(e.threshold[n]!));

/** Why `e` cannot run with the GEMM strategy, or undefined when it can. */
export function gemmRefusal(e: TreeEnsemble): string | undefined {
  for (let n = 0; n < e.feature.length; n++) {
    if (e.feature[n]! < 0) continue;
    if (e.flags[n]! & CATEGORICAL) return 'the GEMM strategy takes numeric splits only; this ensemble has categorical splits';
    const t = threshold32(e, n);
    // NaN: XGBoost's `x < −∞` (nothing is below it).
    if (Number.isNaN(t) || t === -Infinity || t === MAX_FLOAT32)
      return `a split at ${e.compare} ${e.threshold[n]} has a float32 threshold at the end of the float32 range, where the GEMM strategy's clamped inputs cannot tell ±∞ apart`;
  }
  const { inner, leaves } = counts(e);
  const weights = e.trees * inner * leaves;
  if (weights > GEMM_MAX_WEIGHTS)
    return `the GEMM strategy's path matrix would hold ${weights} values (${e.trees} trees × ${leaves} leaves × ${inner} splits), more than ${GEMM_MAX_WEIGHTS}: the trees are too deep for it`;
  return undefined;
}

/** {@link sizes} without building the layouts (the refusal runs on every ensemble, before any tensor). */
function counts(e: TreeEnsemble): { inner: number; leaves: number } {
  let inner = 1;
  let leaves = 1;
  const stack: number[] = [];
  for (let t = 0; t < e.trees; t++) {
    let splits = 0;
    let ends = 0;
    stack.push(e.roots[t]!);
    while (stack.length) {
      const n = stack.pop()!;
      if (e.feature[n]! < 0) ends++;
      else {
        splits++;
        stack.push(e.left[n]!, e.right[n]!);
      }
    }
    inner = Math.max(inner, splits);
    leaves = Math.max(leaves, ends);
  }
  return { inner, leaves };
}

/** Most internal nodes and leaves of any tree (at least 1 each, so an all-leaf ensemble has shapes). */
function sizes(layouts: readonly GemmTree[]): { inner: number; leaves: number } {
  let inner = 1;
  let leaves = 1;
  for (const l of layouts) {
    inner = Math.max(inner, l.nodes.length);
    leaves = Math.max(leaves, l.leaves.length);
  }
  return { inner, leaves };
}

/** The GEMM tensors of `e` (check {@link gemmRefusal} first) on tfjs's active backend. */
export function createGemmTensors(e: TreeEnsemble): TreeTensors & { readonly inner: number; readonly leaves: number } {
  const T = e.trees;
  const F = e.features;
  const K = e.outputs;
  const W = e.leafWidth;
  const layouts = Array.from({ length: T }, (_, t) => layoutOf(e, t));
  const { inner: I, leaves: L } = sizes(layouts);
  let depth = 0;
  const a = new Float32Array(T * I * F);
  const b = new Float32Array(T * I);
  const missingLeft = new Uint8Array(T * I);
  const c = new Float32Array(T * L * I);
  // Padding leaves keep −1: no row's left-turn count matches it.
  const d = new Float32Array(T * L).fill(-1);
  const values = new Float32Array(K * T * L);
  layouts.forEach(({ nodes, leaves }, t) => {
    nodes.forEach((n, i) => {
      const row = t * I + i;
      a[row * F + e.feature[n]!] = 1;
      b[row] = threshold32(e, n);
      if (e.flags[n]! & MISSING_LEFT) missingLeft[row] = 1;
    });
    leaves.forEach(({ node, path }, j) => {
      depth = Math.max(depth, path.length);
      let lefts = 0;
      for (const [i, left] of path) {
        c[(t * L + j) * I + i] = left ? 1 : -1;
        if (left) lefts++;
      }
      d[t * L + j] = lefts;
      for (let k = 0; k < W; k++) values[(e.treeColumn[t]! + k) * T * L + t * L + j] = e.values[e.left[node]! + k]!;
    });
  });

  const owned: tf.Tensor[] = [];
  const keep = <R extends tf.Tensor>(x: R): R => (owned.push(x), x);
  const A = keep(tf.tensor2d(a, [T * I, F]));
  const B = keep(tf.tensor2d(b, [T * I, 1]));
  const missLeft = missingLeft.includes(1) ? keep(tf.tensor2d(missingLeft, [T * I, 1], 'bool')) : undefined;
  const C = keep(tf.tensor3d(c, [T, L, I]));
  const D = keep(tf.tensor3d(d, [T, L, 1]));
  const E = keep(tf.tensor2d(values, [K, T * L]));
  const base = keep(tf.tensor1d(Float32Array.from(e.base)));

  /** Raw scores (`outputs × rows`) of one chunk of rows. */
  const scores = (x: tf.Tensor2D): tf.Tensor2D =>
    tf.tidy(() => {
      const rows = x.shape[0];
      const nan = tf.isNaN(x);
      // NaN → 0 and ±∞ → ±MAX, so that 0·x stays 0 in the one-hot product (see the module doc).
      const finite = tf.where(nan, tf.zerosLike(x), tf.clipByValue(x, -MAX_FLOAT32, MAX_FLOAT32));
      let left = tf.lessEqual(tf.matMul(A, finite, false, true), B);
      // Nodes whose feature is NaN in the row (a one-hot product of 0/1 values: exact).
      const nanNode = tf.greater(tf.matMul(A, tf.cast(nan, 'float32'), false, true), 0);
      left = missLeft
        ? tf.logicalOr(tf.logicalAnd(nanNode, missLeft), tf.logicalAnd(tf.logicalNot(nanNode), left))
        : tf.logicalAnd(tf.logicalNot(nanNode), left);
      // Sums of ±1 over at most I terms: exact in float32.
      const turns = tf.matMul(C, tf.reshape(tf.cast(left, 'float32'), [T, I, rows]));
      const hit = tf.reshape(tf.cast(tf.equal(turns, D), 'float32'), [T * L, rows]);
      return tf.matMul(E, hit);
    });

  const chunk = Math.max(1, Math.floor(CHUNK_VALUES / (T * Math.max(I, L))));
  const forward = (x: tf.Tensor2D): tf.Tensor2D =>
    tf.tidy((): tf.Tensor2D => {
      const rows = x.shape[0];
      const parts: tf.Tensor2D[] = [];
      for (let start = 0; start < rows; start += chunk) parts.push(scores(rows <= chunk ? x : tf.slice(x, [start, 0], [Math.min(chunk, rows - start), F])));
      const raw = tf.add<tf.Tensor2D>(tf.transpose(parts.length === 1 ? parts[0]! : tf.concat2d(parts, 1)), base);
      return finishScores(e, raw);
    });

  return { depth, inner: I, leaves: L, forward, dispose: () => tf.dispose(owned) };
}
