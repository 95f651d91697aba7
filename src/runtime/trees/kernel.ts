/**
 * The tree kernel: a tree ensemble evaluated in plain TypeScript over its flat arrays — no tfjs,
 * no recursion, no allocation per row. Trees are the outer loop and rows the inner one, so one
 * tree's nodes stay in cache while every row of a block walks it; each row's scores are summed
 * in float64, tree after tree in the bundle's order (the order the training library sums in).
 *
 * Routing (README "Tree ensembles"): NaN goes where the node's missing bit says; a categorical
 * node sends `trunc(x)` left when it is in the left bitset, right when in the known-right bitset,
 * and anything else (negative, ≥ 256, unseen) the missing way; a numeric node goes left when
 * `x <= threshold` (scikit-learn, HistGradientBoosting) or `x < threshold` (XGBoost).
 */
import { CATEGORICAL, MISSING_LEFT } from './format.js';
import type { TreeEnsemble } from './format.js';

/** A tree ensemble as a plain function of rows. */
export interface TreeKernel {
  /** Runs `rows` rows from the front of `input` (`rows × features`); returns a new `rows × outputWidth` array. */
  run(input: Float32Array | Float64Array, rows: number): Float32Array;
  /** Values per output row: 2 for a sigmoid link (`[1 − p, p]`), else the raw score columns. */
  readonly outputWidth: number;
}

/**
 * Adds tree `t`'s leaf values for rows `r0 … r1` of `x` into `acc` (row stride `K`, column `c`).
 * The walk is written out inside the row loop (no call per row: for shallow boosting trees the
 * call cost more than the walk), once for `x <= t` and once for XGBoost's strict `x < t`.
 */
type Block = (t: number, x: Float32Array | Float64Array, r0: number, r1: number, acc: Float64Array) => void;

function blocks(e: TreeEnsemble): { le: Block; lt: Block; plain: Block } {
  const { feature, threshold, left, right, flags, bitsets, values, roots, treeColumn } = e;
  const F = e.features;
  const K = e.outputs;
  const W = e.leafWidth;
  const le: Block = (t, x, r0, r1, acc) => {
    const root = roots[t]!;
    for (let r = r0, at = r0 * F, o = r0 * K + treeColumn[t]!; r < r1; r++, at += F, o += K) {
      let n = root;
      let f = feature[n]!;
      while (f >= 0) {
        const v = x[at + f]!;
        const g = flags[n]!;
        if (g === 0)
          n = v <= threshold[n]! ? left[n]! : right[n]!; // NaN <= t is false: right, as flag 0 says
        else if (v !== v) n = g & MISSING_LEFT ? left[n]! : right[n]!;
        else if (g & CATEGORICAL) n = category(bitsets, threshold[n]!, v, g) ? left[n]! : right[n]!;
        else n = v <= threshold[n]! ? left[n]! : right[n]!;
        f = feature[n]!;
      }
      const leaf = left[n]!;
      for (let k = 0; k < W; k++) acc[o + k] = acc[o + k]! + values[leaf + k]!;
    }
  };
  const lt: Block = (t, x, r0, r1, acc) => {
    const root = roots[t]!;
    for (let r = r0, at = r0 * F, o = r0 * K + treeColumn[t]!; r < r1; r++, at += F, o += K) {
      let n = root;
      let f = feature[n]!;
      while (f >= 0) {
        const v = x[at + f]!;
        const g = flags[n]!;
        if (g === 0) n = v < threshold[n]! ? left[n]! : right[n]!;
        else if (v !== v) n = g & MISSING_LEFT ? left[n]! : right[n]!;
        else if (g & CATEGORICAL) n = category(bitsets, threshold[n]!, v, g) ? left[n]! : right[n]!;
        else n = v < threshold[n]! ? left[n]! : right[n]!;
        f = feature[n]!;
      }
      const leaf = left[n]!;
      for (let k = 0; k < W; k++) acc[o + k] = acc[o + k]! + values[leaf + k]!;
    }
  };
  // Numeric splits only, NaN to the right (every flag 0, as in scikit-learn's forests and
  // GradientBoosting): the walk needs neither the flags nor the missing test (NaN <= t is false).
  // Leaves made fixed points (left = right = itself, threshold NaN: `x <= NaN` is false, so the
  // walk stays put): each tree is walked exactly its depth, with no exit test per node, and four
  // rows walk it side by side so their dependent loads overlap.
  const nodes = feature.length;
  const fix = { feature: new Int32Array(nodes), threshold: new Float64Array(nodes), left: new Int32Array(nodes), right: new Int32Array(nodes) };
  const depth = new Int32Array(e.trees);
  for (let n = 0; n < nodes; n++) {
    const leaf = feature[n]! < 0;
    fix.feature[n] = leaf ? 0 : feature[n]!;
    fix.threshold[n] = leaf ? NaN : threshold[n]!;
    fix.left[n] = leaf ? n : left[n]!;
    fix.right[n] = leaf ? n : right[n]!;
  }
  for (let t = 0; t < e.trees; t++) {
    const stack = [roots[t]!, 0];
    while (stack.length) {
      const d = stack.pop()!;
      const n = stack.pop()!;
      if (feature[n]! < 0) depth[t] = Math.max(depth[t]!, d);
      else stack.push(left[n]!, d + 1, right[n]!, d + 1);
    }
  }
  const fF = fix.feature;
  const fT = fix.threshold;
  const fL = fix.left;
  const fR = fix.right;
  const plain: Block = (t, x, r0, r1, acc) => {
    const root = roots[t]!;
    const D = depth[t]!;
    if (D > SHALLOW) return le(t, x, r0, r1, acc);
    const col = treeColumn[t]!;
    let r = r0;
    for (; r + 4 <= r1; r += 4) {
      const a0 = r * F;
      const a1 = a0 + F;
      const a2 = a1 + F;
      const a3 = a2 + F;
      let n0 = root;
      let n1 = root;
      let n2 = root;
      let n3 = root;
      for (let d = 0; d < D; d++) {
        n0 = x[a0 + fF[n0]!]! <= fT[n0]! ? fL[n0]! : fR[n0]!;
        n1 = x[a1 + fF[n1]!]! <= fT[n1]! ? fL[n1]! : fR[n1]!;
        n2 = x[a2 + fF[n2]!]! <= fT[n2]! ? fL[n2]! : fR[n2]!;
        n3 = x[a3 + fF[n3]!]! <= fT[n3]! ? fL[n3]! : fR[n3]!;
      }
      const o = r * K + col;
      for (let k = 0; k < W; k++) {
        acc[o + k] = acc[o + k]! + values[left[n0]! + k]!;
        acc[o + K + k] = acc[o + K + k]! + values[left[n1]! + k]!;
        acc[o + 2 * K + k] = acc[o + 2 * K + k]! + values[left[n2]! + k]!;
        acc[o + 3 * K + k] = acc[o + 3 * K + k]! + values[left[n3]! + k]!;
      }
    }
    for (; r < r1; r++) {
      const at = r * F;
      let n = root;
      for (let d = 0; d < D; d++) n = x[at + fF[n]!]! <= fT[n]! ? fL[n]! : fR[n]!;
      const o = r * K + col;
      for (let k = 0; k < W; k++) acc[o + k] = acc[o + k]! + values[left[n]! + k]!;
    }
  };
  return { le, lt, plain };
}

/** Deepest tree walked at fixed depth, four rows side by side; a deeper tree's leaves lie at many depths, where the early exit wins. */
const SHALLOW = 5;

/**
 * True when a categorical split sends `v` left. HistGradientBoosting casts the value to uint8
 * (truncation) and tests its raw-category bitset; a category it never saw in training goes the
 * way missing values go (scikit-learn `_predictor.pyx`), which the known-right bitset encodes.
 */
function category(bitsets: Uint32Array, pair: number, v: number, g: number): boolean {
  const missingLeft = (g & MISSING_LEFT) !== 0;
  if (!(v >= 0 && v < 256)) return missingLeft;
  const c = v | 0;
  const word = pair * 16 + (c >>> 5);
  const bit = 1 << (c & 31);
  if (bitsets[word]! & bit) return true;
  if (bitsets[word + 8]! & bit) return false;
  return missingLeft;
}

/**
 * Rows per block: each block's inputs (here 256 × features float32) stay in cache while every
 * tree walks them; over a large batch, tree-outer order alone re-reads all rows from memory per tree.
 */
const BLOCK = 256;

/** The kernel for `e` (arrays checked by readTreeEnsemble). */
export function createTreeKernel(e: TreeEnsemble): TreeKernel {
  const K = e.outputs;
  const outputWidth = e.link === 'sigmoid' ? 2 : K;
  const { le, lt, plain } = blocks(e);
  const block = e.compare === '<' ? lt : e.flags.every((g) => g === 0) ? plain : le;
  const base = Float64Array.from(e.base);
  const T = e.trees;
  // The float64 score rows, grown to the largest batch seen and reused: nothing is allocated per row.
  let acc = new Float64Array(0);
  return {
    outputWidth,
    run(input, rows) {
      if (acc.length < rows * K) acc = new Float64Array(rows * K);
      for (let r = 0; r < rows; r++) acc.set(base, r * K);
      // Trees in order for every row: each row's float64 sum is in the library's order.
      for (let r0 = 0; r0 < rows; r0 += BLOCK) {
        const r1 = Math.min(rows, r0 + BLOCK);
        for (let t = 0; t < T; t++) block(t, input, r0, r1, acc);
      }
      // A new array per call: predictions keep views of it (`raw`), and a worker transfers it.
      const out = new Float32Array(rows * outputWidth);
      finish(e, acc, rows, out);
      return out;
    },
  };
}

/** Averaging and the link, per row: float64 until the one rounding to the float32 output. */
function finish(e: TreeEnsemble, acc: Float64Array, rows: number, out: Float32Array): void {
  const K = e.outputs;
  if (e.aggregate === 'mean') for (let i = 0; i < rows * K; i++) acc[i] = acc[i]! / e.trees;
  if (e.link === 'identity') {
    for (let i = 0; i < rows * K; i++) out[i] = acc[i]!;
  } else if (e.link === 'sigmoid') {
    for (let r = 0; r < rows; r++) {
      // scipy.special.expit, then scikit-learn's 1 − p for the negative class.
      const p = 1 / (1 + Math.exp(-acc[r]!));
      out[2 * r] = 1 - p;
      out[2 * r + 1] = p;
    }
  } else {
    for (let r = 0, o = 0; r < rows; r++, o += K) {
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (acc[o + k]! > max) max = acc[o + k]!;
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.exp(acc[o + k]! - max);
      for (let k = 0; k < K; k++) out[o + k] = Math.exp(acc[o + k]! - max) / sum;
    }
  }
}
