/**
 * The fast walk of the tree kernel: each numeric tree laid out as a perfect binary tree of its own
 * depth, in heap order (node `i`'s children are `2i` and `2i + 1`; a leaf above the bottom level is
 * copied into every bottom slot under it, and the nodes under it never decide anything). A step is
 * then `i = 2i + (goes right)`: no child index to load and no branch on the comparison, which a
 * CPU cannot predict on real data — and eight rows walk a tree side by side, so their dependent
 * loads overlap. Every tree is walked exactly its depth.
 *
 * Routing stays bit for bit the library's (README "Tree ensembles"): the input is float32, so
 * XGBoost's strict `x < t` is exactly `x <= t′` with `t′` the largest float32 below `t`, and one
 * comparison serves all three libraries; `!(x <= t)` sends NaN right, and a node whose missing
 * values go left (HistGradientBoosting, XGBoost) is honoured by a NaN test that only such
 * ensembles pay for. Trees with categorical splits, or deeper than {@link PERFECT_MAX_DEPTH},
 * keep the general walk (kernel.ts).
 */
import { CATEGORICAL, MISSING_LEFT } from './format.js';
import type { Scores, TreeEnsemble } from './format.js';

/** Deepest tree laid out perfect: 2^10 − 1 nodes and 2^10 leaves at most, ~28 KB for a two-value leaf. */
export const PERFECT_MAX_DEPTH = 10;

/** Rows walked side by side: a batch's rows past the last full group take the general walk, whose early exit wins on a lone row. */
export const PERFECT_ROWS = 8;

/**
 * Deepest trees a lone row walks at fixed depth: deeper ones (a forest's, whose leaves lie at many
 * depths) take the general walk, whose early exit wins for one row (BENCHMARKS.md `trees`).
 */
export const LONE_MAX_DEPTH = 5;

/** Largest layout (node and leaf arrays) walked tree after tree per group of rows: more would not stay in a core's L2 cache. */
const GROUPS_MAX_BYTES = 256 * 1024;

/** The perfect layout of some of an ensemble's trees. */
export interface PerfectTrees {
  /** 1 for a tree in this layout; the others take the general walk. */
  readonly laid: Uint8Array;
  /**
   * Walks tree `t` (laid out here) for rows `r0 … r1` of `x` (`r1 − r0` a multiple of {@link PERFECT_ROWS}),
   * adding its leaf values into `acc` (row stride `outputs`).
   */
  readonly walk: (t: number, x: Float32Array, r0: number, r1: number, acc: Scores) => void;
  /**
   * Walks rows `r0 … r1` one at a time through every tree, trees in order, in one call (no call
   * per tree: for a lone predict of 200 shallow trees the calls cost as much as the walks).
   * Only when every tree is laid out here and at most {@link LONE_MAX_DEPTH} deep.
   */
  readonly rows: ((x: Float32Array, r0: number, r1: number, acc: Scores) => void) | undefined;
  /**
   * Walks rows `r0 … r1` (a multiple of {@link PERFECT_ROWS}) eight at a time through every tree,
   * trees in order, their eight scores held in locals from the first tree to the last. For one
   * score per row (binary boosting, regressors) with every tree laid out and NaN always right: the
   * per-tree loads and stores of the scores and a call per tree are gone.
   */
  readonly groups: ((x: Float32Array, r0: number, r1: number, acc: Scores) => void) | undefined;
}

/** The largest float32 below `t` (NaN for −∞: nothing is below it, and `x <= NaN` is false for every x). */
export function float32Below(t: number): number {
  const f = Math.fround(t);
  if (f < t) return f;
  if (f === -Infinity) return NaN;
  if (f === 0) return -1.401298464324817e-45; // below both +0 and −0
  const one = new Float32Array([f]);
  const bits = new Int32Array(one.buffer);
  bits[0] = bits[0]! + (f > 0 ? -1 : 1); // +∞ steps down to the largest finite float32
  return one[0]!;
}

/** The largest float32 ≤ `t` (NaN stays NaN): for a float32 `x`, `x <= t` exactly when `x <= float32AtMost(t)`. */
export function float32AtMost(t: number): number {
  const f = Math.fround(t);
  return f > t ? float32Below(f) : f;
}

/** Depth of each tree (a lone leaf is depth 0), and whether it has a categorical split. */
function shapes(e: TreeEnsemble): { depth: Int32Array; categorical: Uint8Array } {
  const depth = new Int32Array(e.trees);
  const categorical = new Uint8Array(e.trees);
  for (let t = 0; t < e.trees; t++) {
    const stack = [e.roots[t]!, 0];
    while (stack.length) {
      const d = stack.pop()!;
      const n = stack.pop()!;
      if (e.feature[n]! < 0) {
        if (d > depth[t]!) depth[t] = d;
        continue;
      }
      if (e.flags[n]! & CATEGORICAL) categorical[t] = 1;
      stack.push(e.left[n]!, d + 1, e.right[n]!, d + 1);
    }
  }
  return { depth, categorical };
}

/** Lays out every tree it can (see the module doc); `undefined` when none qualifies. */
export function perfectTrees(e: TreeEnsemble): PerfectTrees | undefined {
  const { depth, categorical } = shapes(e);
  const T = e.trees;
  const W = e.leafWidth;
  const K = e.outputs;
  const laid = new Uint8Array(T);
  // Per tree: where its heap index 1 sits in the node arrays (minus 1), and its leaf index 2^D's values (minus 2^D·W).
  const nodeBase = new Int32Array(T);
  const leafBase = new Int32Array(T);
  let nodes = 0;
  let leaves = 0;
  for (let t = 0; t < T; t++) {
    if (categorical[t] || depth[t]! > PERFECT_MAX_DEPTH) continue;
    laid[t] = 1;
    const size = 1 << depth[t]!;
    nodeBase[t] = nodes - 1;
    leafBase[t] = leaves - size * W;
    nodes += size - 1;
    leaves += size * W;
  }
  if (!laid.includes(1)) return undefined;
  const feature = new Int32Array(nodes);
  const threshold = new Float64Array(nodes);
  // 1 where NaN goes right; the nodes under a leaf keep 0 (both of their sides hold the same leaf).
  const nanRight = new Uint8Array(nodes);
  const values = new Float64Array(leaves);
  let missingLeft = false;
  for (let t = 0; t < T; t++) {
    if (!laid[t]) continue;
    const D = depth[t]!;
    const stack = [e.roots[t]!, 1, 0];
    while (stack.length) {
      const d = stack.pop()!;
      const i = stack.pop()!;
      const n = stack.pop()!;
      if (e.feature[n]! < 0) {
        const span = 1 << (D - d);
        for (let s = i * span, end = s + span; s < end; s++) for (let k = 0; k < W; k++) values[leafBase[t]! + s * W + k] = e.values[e.left[n]! + k]!;
        continue;
      }
      const at = nodeBase[t]! + i;
      feature[at] = e.feature[n]!;
      threshold[at] = e.compare === '<' ? float32Below(e.threshold[n]!) : e.threshold[n]!;
      if (e.flags[n]! & MISSING_LEFT) missingLeft = true;
      else nanRight[at] = 1;
      stack.push(e.left[n]!, 2 * i, d + 1, e.right[n]!, 2 * i + 1, d + 1);
    }
  }
  const F = e.features;
  const column = e.treeColumn;

  // Numeric splits, NaN always right (scikit-learn's trees and GradientBoosting): `!(x <= t)` decides alone.
  const right: PerfectTrees['walk'] = (t, x, r0, r1, acc) => {
    const D = depth[t]!;
    const nb = nodeBase[t]!;
    const lb = leafBase[t]!;
    const c = column[t]!;
    for (let r = r0; r < r1; r += 8) {
      const a0 = r * F;
      const a1 = a0 + F;
      const a2 = a1 + F;
      const a3 = a2 + F;
      const a4 = a3 + F;
      const a5 = a4 + F;
      const a6 = a5 + F;
      const a7 = a6 + F;
      let i0 = 1;
      let i1 = 1;
      let i2 = 1;
      let i3 = 1;
      let i4 = 1;
      let i5 = 1;
      let i6 = 1;
      let i7 = 1;
      for (let d = 0; d < D; d++) {
        // `+!(…)`: the comparison as 0 / 1 without a branch (a ternary compiles to one).
        i0 = 2 * i0 + +!(x[a0 + feature[nb + i0]!]! <= threshold[nb + i0]!);
        i1 = 2 * i1 + +!(x[a1 + feature[nb + i1]!]! <= threshold[nb + i1]!);
        i2 = 2 * i2 + +!(x[a2 + feature[nb + i2]!]! <= threshold[nb + i2]!);
        i3 = 2 * i3 + +!(x[a3 + feature[nb + i3]!]! <= threshold[nb + i3]!);
        i4 = 2 * i4 + +!(x[a4 + feature[nb + i4]!]! <= threshold[nb + i4]!);
        i5 = 2 * i5 + +!(x[a5 + feature[nb + i5]!]! <= threshold[nb + i5]!);
        i6 = 2 * i6 + +!(x[a6 + feature[nb + i6]!]! <= threshold[nb + i6]!);
        i7 = 2 * i7 + +!(x[a7 + feature[nb + i7]!]! <= threshold[nb + i7]!);
      }
      const o = r * K + c;
      for (let k = 0; k < W; k++) {
        acc[o + k] = acc[o + k]! + values[lb + i0 * W + k]!;
        acc[o + K + k] = acc[o + K + k]! + values[lb + i1 * W + k]!;
        acc[o + 2 * K + k] = acc[o + 2 * K + k]! + values[lb + i2 * W + k]!;
        acc[o + 3 * K + k] = acc[o + 3 * K + k]! + values[lb + i3 * W + k]!;
        acc[o + 4 * K + k] = acc[o + 4 * K + k]! + values[lb + i4 * W + k]!;
        acc[o + 5 * K + k] = acc[o + 5 * K + k]! + values[lb + i5 * W + k]!;
        acc[o + 6 * K + k] = acc[o + 6 * K + k]! + values[lb + i6 * W + k]!;
        acc[o + 7 * K + k] = acc[o + 7 * K + k]! + values[lb + i7 * W + k]!;
      }
    }
  };

  // Some NaN go left: a NaN takes its node's missing side. The test is a branch, but one the CPU
  // predicts (missing values are the exception), unlike the comparison itself.
  const missing: PerfectTrees['walk'] = (t, x, r0, r1, acc) => {
    const D = depth[t]!;
    const nb = nodeBase[t]!;
    const lb = leafBase[t]!;
    const c = column[t]!;
    // Four rows side by side (eight gained little here, and this walk is rarer: it keeps the bundle small).
    for (let r = r0; r < r1; r += 4) {
      const a0 = r * F;
      const a1 = a0 + F;
      const a2 = a1 + F;
      const a3 = a2 + F;
      let i0 = 1;
      let i1 = 1;
      let i2 = 1;
      let i3 = 1;
      for (let d = 0; d < D; d++) {
        const v0 = x[a0 + feature[nb + i0]!]!;
        const v1 = x[a1 + feature[nb + i1]!]!;
        const v2 = x[a2 + feature[nb + i2]!]!;
        const v3 = x[a3 + feature[nb + i3]!]!;
        i0 = 2 * i0 + (v0 !== v0 ? nanRight[nb + i0]! : +!(v0 <= threshold[nb + i0]!));
        i1 = 2 * i1 + (v1 !== v1 ? nanRight[nb + i1]! : +!(v1 <= threshold[nb + i1]!));
        i2 = 2 * i2 + (v2 !== v2 ? nanRight[nb + i2]! : +!(v2 <= threshold[nb + i2]!));
        i3 = 2 * i3 + (v3 !== v3 ? nanRight[nb + i3]! : +!(v3 <= threshold[nb + i3]!));
      }
      const o = r * K + c;
      for (let k = 0; k < W; k++) {
        acc[o + k] = acc[o + k]! + values[lb + i0 * W + k]!;
        acc[o + K + k] = acc[o + K + k]! + values[lb + i1 * W + k]!;
        acc[o + 2 * K + k] = acc[o + 2 * K + k]! + values[lb + i2 * W + k]!;
        acc[o + 3 * K + k] = acc[o + 3 * K + k]! + values[lb + i3 * W + k]!;
      }
    }
  };

  const rows: PerfectTrees['rows'] = (x, r0, r1, acc) => {
    for (let r = r0; r < r1; r++) {
      const a = r * F;
      for (let t = 0; t < T; t++) {
        const D = depth[t]!;
        const nb = nodeBase[t]!;
        let i = 1;
        for (let d = 0; d < D; d++) {
          const v = x[a + feature[nb + i]!]!;
          i = 2 * i + (v !== v ? nanRight[nb + i]! : +!(v <= threshold[nb + i]!));
        }
        const o = r * K + column[t]!;
        const v = leafBase[t]! + i * W;
        for (let k = 0; k < W; k++) acc[o + k] = acc[o + k]! + values[v + k]!;
      }
    }
  };

  // One score per row (binary boosting, regressors): two trees of equal depth walked side by side —
  // two independent chains of loads for the CPU to overlap instead of one (GB one-row call, Node:
  // sums ~1.5× faster). Same additions in the same order, each stored (float32 `acc` rounds it).
  const rowsOne: PerfectTrees['rows'] = (x, r0, r1, acc) => {
    for (let r = r0; r < r1; r++) {
      const a = r * F;
      for (let t = 0; t < T;) {
        const D = depth[t]!;
        const nb = nodeBase[t]!;
        let i = 1;
        if (t + 1 < T && depth[t + 1] === D) {
          const nc = nodeBase[t + 1]!;
          let j = 1;
          for (let d = 0; d < D; d++) {
            const v = x[a + feature[nb + i]!]!;
            const u = x[a + feature[nc + j]!]!;
            i = 2 * i + (v !== v ? nanRight[nb + i]! : +!(v <= threshold[nb + i]!));
            j = 2 * j + (u !== u ? nanRight[nc + j]! : +!(u <= threshold[nc + j]!));
          }
          acc[r] = acc[r]! + values[leafBase[t]! + i]!;
          acc[r] = acc[r]! + values[leafBase[t + 1]! + j]!;
          t += 2;
        } else {
          for (let d = 0; d < D; d++) {
            const v = x[a + feature[nb + i]!]!;
            i = 2 * i + (v !== v ? nanRight[nb + i]! : +!(v <= threshold[nb + i]!));
          }
          acc[r] = acc[r]! + values[leafBase[t]! + i]!;
          t += 1;
        }
      }
    }
  };

  const groups: PerfectTrees['groups'] = (x, r0, r1, acc) => {
    for (let r = r0; r < r1; r += 8) {
      const a0 = r * F;
      const a1 = a0 + F;
      const a2 = a1 + F;
      const a3 = a2 + F;
      const a4 = a3 + F;
      const a5 = a4 + F;
      const a6 = a5 + F;
      const a7 = a6 + F;
      let s0 = acc[r]!;
      let s1 = acc[r + 1]!;
      let s2 = acc[r + 2]!;
      let s3 = acc[r + 3]!;
      let s4 = acc[r + 4]!;
      let s5 = acc[r + 5]!;
      let s6 = acc[r + 6]!;
      let s7 = acc[r + 7]!;
      for (let t = 0; t < T; t++) {
        const D = depth[t]!;
        const nb = nodeBase[t]!;
        const lb = leafBase[t]!;
        let i0 = 1;
        let i1 = 1;
        let i2 = 1;
        let i3 = 1;
        let i4 = 1;
        let i5 = 1;
        let i6 = 1;
        let i7 = 1;
        for (let d = 0; d < D; d++) {
          i0 = 2 * i0 + +!(x[a0 + feature[nb + i0]!]! <= threshold[nb + i0]!);
          i1 = 2 * i1 + +!(x[a1 + feature[nb + i1]!]! <= threshold[nb + i1]!);
          i2 = 2 * i2 + +!(x[a2 + feature[nb + i2]!]! <= threshold[nb + i2]!);
          i3 = 2 * i3 + +!(x[a3 + feature[nb + i3]!]! <= threshold[nb + i3]!);
          i4 = 2 * i4 + +!(x[a4 + feature[nb + i4]!]! <= threshold[nb + i4]!);
          i5 = 2 * i5 + +!(x[a5 + feature[nb + i5]!]! <= threshold[nb + i5]!);
          i6 = 2 * i6 + +!(x[a6 + feature[nb + i6]!]! <= threshold[nb + i6]!);
          i7 = 2 * i7 + +!(x[a7 + feature[nb + i7]!]! <= threshold[nb + i7]!);
        }
        s0 += values[lb + i0]!;
        s1 += values[lb + i1]!;
        s2 += values[lb + i2]!;
        s3 += values[lb + i3]!;
        s4 += values[lb + i4]!;
        s5 += values[lb + i5]!;
        s6 += values[lb + i6]!;
        s7 += values[lb + i7]!;
      }
      acc[r] = s0;
      acc[r + 1] = s1;
      acc[r + 2] = s2;
      acc[r + 3] = s3;
      acc[r + 4] = s4;
      acc[r + 5] = s5;
      acc[r + 6] = s6;
      acc[r + 7] = s7;
    }
  };

  const all = !laid.includes(0);
  return {
    laid,
    walk: missingLeft ? missing : right,
    rows: all && !depth.some((d) => d > LONE_MAX_DEPTH) ? (K === 1 && W === 1 ? rowsOne : rows) : undefined,
    // Every tree per group of rows: only while all trees' arrays stay in cache (L2) between groups.
    // Not for float32 sums: its scores stay in float64 locals from the first tree to the last.
    groups: all && K === 1 && W === 1 && !missingLeft && !e.accumulate && nodes * 12 + leaves * 8 <= GROUPS_MAX_BYTES ? groups : undefined,
  };
}
