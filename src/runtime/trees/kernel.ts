/**
 * The tree kernel: a tree ensemble evaluated in plain TypeScript over its flat arrays — no tfjs,
 * no recursion, no allocation per row. Trees are the outer loop and rows the inner one, so one
 * tree's nodes stay in cache while every row of the batch walks it; each row's scores are summed
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

/** The leaf `row` reaches in the tree rooted at `root` (its offset in `values`). */
function leafLe(e: TreeEnsemble, root: number, x: Float32Array | Float64Array, at: number): number {
  const { feature, threshold, left, right, flags, bitsets } = e;
  let n = root;
  let f = feature[n]!;
  while (f >= 0) {
    const v = x[at + f]!;
    const g = flags[n]!;
    if (v !== v) n = g & MISSING_LEFT ? left[n]! : right[n]!;
    else if (g & CATEGORICAL) n = category(bitsets, threshold[n]!, v, g) ? left[n]! : right[n]!;
    else n = v <= threshold[n]! ? left[n]! : right[n]!;
    f = feature[n]!;
  }
  return left[n]!;
}

/** Same walk with XGBoost's strict `<` (a separate function so each loop stays monomorphic and branch-light). */
function leafLt(e: TreeEnsemble, root: number, x: Float32Array | Float64Array, at: number): number {
  const { feature, threshold, left, right, flags, bitsets } = e;
  let n = root;
  let f = feature[n]!;
  while (f >= 0) {
    const v = x[at + f]!;
    const g = flags[n]!;
    if (v !== v) n = g & MISSING_LEFT ? left[n]! : right[n]!;
    else if (g & CATEGORICAL) n = category(bitsets, threshold[n]!, v, g) ? left[n]! : right[n]!;
    else n = v < threshold[n]! ? left[n]! : right[n]!;
    f = feature[n]!;
  }
  return left[n]!;
}

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

/** The kernel for `e` (arrays checked by readTreeEnsemble). */
export function createTreeKernel(e: TreeEnsemble): TreeKernel {
  const K = e.outputs;
  const outputWidth = e.link === 'sigmoid' ? 2 : K;
  const leaf = e.compare === '<=' ? leafLe : leafLt;
  const width = e.leafWidth;
  const base = Float64Array.from(e.base);
  // The float64 score rows, grown to the largest batch seen and reused: nothing is allocated per row.
  let acc = new Float64Array(0);
  return {
    outputWidth,
    run(input, rows) {
      if (acc.length < rows * K) acc = new Float64Array(rows * K);
      for (let r = 0; r < rows; r++) acc.set(base, r * K);
      const { values, roots, treeColumn } = e;
      const F = e.features;
      for (let t = 0; t < e.trees; t++) {
        const root = roots[t]!;
        const column = treeColumn[t]!;
        if (width === 1) {
          for (let r = 0, at = 0, o = column; r < rows; r++, at += F, o += K) acc[o] = acc[o]! + values[leaf(e, root, input, at)]!;
        } else {
          for (let r = 0, at = 0, o = 0; r < rows; r++, at += F, o += K) {
            const v = leaf(e, root, input, at);
            for (let k = 0; k < width; k++) acc[o + k] = acc[o + k]! + values[v + k]!;
          }
        }
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
