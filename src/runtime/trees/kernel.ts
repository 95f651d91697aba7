/**
 * The tree kernel: a tree ensemble evaluated in plain TypeScript over its flat arrays — no tfjs,
 * no recursion, no allocation per row. Trees are the outer loop and rows the inner one, so one
 * tree's nodes stay in cache while every row of a block walks it; each row's scores are summed
 * in float64 (float32, rounded after every tree, where the bundle says `"accumulate": "float32"`:
 * format.ts `Scores`), tree after tree in the bundle's order (the order the training library sums in).
 * Numeric trees up to depth 10 take the branch-free perfect-tree walk (perfect.ts); trees with
 * categorical splits or deeper ones take the general walk below.
 *
 * Routing (README "Tree ensembles"): NaN goes where the node's missing bit says; a categorical
 * node sends `trunc(x)` left when it is in the left bitset, right when in the known-right bitset,
 * and anything else (negative, ≥ 256, unseen) the missing way; a numeric node goes left when
 * `x <= threshold` (scikit-learn, HistGradientBoosting) or `x < threshold` (XGBoost).
 */
import { CATEGORICAL, MISSING_LEFT } from './format.js';
import type { Scores, TreeEnsemble } from './format.js';
import { loneWalk } from './lone.js';
import { loneWalkOffered } from './simd-slot.js';
import { PERFECT_ROWS, float32Below, perfectTrees } from './perfect.js';

/** A tree ensemble as a plain function of rows. */
export interface TreeKernel {
  /** Runs `rows` rows from the front of `input` (`rows × features`); returns a new `rows × outputWidth` array. */
  run(input: Float32Array, rows: number): Float32Array;
  /**
   * The raw scores `run` finishes: `rows × outputs` float64 (float32 for `"accumulate": "float32"`),
   * `base` plus every tree's leaf values, tree after tree. The array is the kernel's own, reused by the next call.
   */
  sums(input: Float32Array, rows: number): Scores;
  /** Averaging and the link over raw scores (`sums`, or the SIMD kernel's: simd.ts) into a new `rows × outputWidth` array; `acc` is overwritten. */
  finish(acc: Scores, rows: number): Float32Array;
  /** Values per output row: 2 for a sigmoid link (`[1 − p, p]`), else the raw score columns. */
  readonly outputWidth: number;
  /** Trees walked by the perfect-tree walk (perfect.ts); the others take the general walk. */
  readonly perfectTrees: number;
}

/**
 * Adds the leaf values of trees `t0 … t1` for rows `r0 … r1` of `x` into `acc` (row stride `K`),
 * tree after tree (a lone row walks all trees in one call: no call per tree).
 * The walk is written out inside the row loop (no call per row: for shallow boosting trees the
 * call cost more than the walk). XGBoost's strict `x < t` is `x <= t′` with `t′` the largest
 * float32 below `t` (the inputs are float32: perfect.ts `float32Below`), so one walk serves all.
 */
type Block = (t0: number, t1: number, x: Float32Array, r0: number, r1: number, acc: Scores) => void;

function general(e: TreeEnsemble, threshold: Float64Array): Block {
  const { feature, left, right, flags, bitsets, values, roots, treeColumn } = e;
  const F = e.features;
  const K = e.outputs;
  const W = e.leafWidth;
  return (t0, t1, x, r0, r1, acc) => {
    for (let t = t0; t < t1; t++) {
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
    }
  };
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

/**
 * Rows per block: each block's inputs (here 256 × features float32) stay in cache while every
 * tree walks them; over a large batch, tree-outer order alone re-reads all rows from memory per tree.
 */
const BLOCK = 256;

/**
 * The kernel for `e` (arrays checked by readTreeEnsemble).
 * @param walks `"general"`: every tree and row in the general walk (the reference the perfect walk is tested against).
 * @default "auto"
 */
export function createTreeKernel(e: TreeEnsemble, walks: 'auto' | 'general' = 'auto'): TreeKernel {
  const K = e.outputs;
  const outputWidth = e.link === 'sigmoid' ? 2 : K;
  const threshold = e.compare === '<' ? e.threshold.map((t, n) => (e.flags[n]! & CATEGORICAL ? t : float32Below(t))) : e.threshold;
  const walk = general(e, threshold);
  const perfect = walks === 'auto' ? perfectTrees(e) : undefined;
  const laid = perfect?.laid;
  // A lone row (a predict call) the perfect walk does not take walks four trees side by side (lone.ts), where the entry offers it.
  const lone = perfect?.rows ?? (walks === 'auto' && loneWalkOffered() ? loneWalk(e, threshold) : undefined);
  const groups = perfect?.groups;
  const base = Float64Array.from(e.base);
  const T = e.trees;
  // The score rows, grown to the largest batch seen and reused: nothing is allocated per row. Float32
  // for `"accumulate": "float32"`: each walk's store rounds after every tree (format.ts `Scores`).
  const Sums = e.accumulate ? Float32Array : Float64Array;
  let acc: Scores = new Sums(0);
  const kernel: TreeKernel = {
    outputWidth,
    perfectTrees: laid === undefined ? 0 : laid.reduce((n, l) => n + l, 0),
    run(input, rows) {
      return kernel.finish(kernel.sums(input, rows), rows);
    },
    finish(scores, rows) {
      // A new array per call: predictions keep views of it (`raw`), and a worker transfers it.
      const out = new Float32Array(rows * outputWidth);
      finish(e, scores, rows, out);
      return out;
    },
    sums(input, rows) {
      if (acc.length < rows * K) acc = new Sums(rows * K);
      // A loop, not acc.set(base, …): for one row the builtin's call costs more than the copy.
      for (let r = 0, o = 0; r < rows; r++) for (let k = 0; k < K; k++, o++) acc[o] = base[k]!;
      // Trees in order for every row: each row's float64 sum is in the library's order.
      for (let r0 = 0; r0 < rows; r0 += BLOCK) {
        const r1 = Math.min(rows, r0 + BLOCK);
        // Whole groups of rows in the perfect walk, the few left over (a lone predict call) apart.
        const r8 = laid === undefined ? r0 : r0 + (r1 - r0) - ((r1 - r0) % PERFECT_ROWS);
        if (r8 > r0 && groups !== undefined) groups(input, r0, r8, acc);
        else if (r8 > r0)
          for (let t = 0; t < T; t++) {
            if (laid![t]) perfect!.walk(t, input, r0, r8, acc);
            else walk(t, t + 1, input, r0, r8, acc);
          }
        // The few rows left (a lone predict call): one row through every tree; more, tree after tree.
        if (r8 < r1 && lone !== undefined && r1 - r8 < PERFECT_ROWS) lone(input, r8, r1, acc);
        else if (r8 < r1) walk(0, T, input, r8, r1, acc);
      }
      return acc;
    },
  };
  return kernel;
}

/** Averaging and the link, per row: float64 until the one rounding to the float32 output. */
function finish(e: TreeEnsemble, acc: Scores, rows: number, out: Float32Array): void {
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
