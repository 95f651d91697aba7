/**
 * The lone-row walk of the tree kernel: a row of a lone `predict` call walks four trees side by
 * side — four independent chains of loads that the CPU overlaps, where one tree after another is one
 * long chain — and picks each child by arithmetic, `kids[2n + goes right]`, with no branch on the
 * comparison (which no CPU predicts on real data). A leaf's two kids are the leaf itself, so a tree
 * that reaches its leaf first stays there while the others walk on; the four stop when all four
 * are at a leaf. For ensembles the perfect-tree walks do not take one row at a time (perfect.ts:
 * forests deeper than `LONE_MAX_DEPTH`, trees deeper than `PERFECT_MAX_DEPTH`). Trees with a categorical split keep the general walk (kernel.ts).
 *
 * Bit for bit the general walk: the same comparison with the same threshold (XGBoost's `x < t` as
 * `x <= t′`, kernel.ts), NaN to the node's missing side, and leaf values added tree after tree in
 * the bundle's order.
 */
import { CATEGORICAL, MISSING_LEFT } from './format.js';
import type { TreeEnsemble } from './format.js';

/** Adds every tree's leaf values for rows `r0 … r1` of `x` into `acc` (row stride `outputs`), trees in order. */
export type LoneWalk = (x: Float32Array, r0: number, r1: number, acc: Float64Array) => void;

/**
 * The lone-row walk of `e` with `threshold` (the general walk's, `<` already read as `<=`), or
 * `undefined` when a tree has a categorical split. Its arrays (9 bytes per node) are built on the first call.
 */
export function loneWalk(e: TreeEnsemble, threshold: Float64Array): LoneWalk | undefined {
  const { feature, left, flags, values, roots, treeColumn } = e;
  if (flags.some((g) => (g & CATEGORICAL) !== 0)) return undefined;
  const F = e.features;
  const K = e.outputs;
  const W = e.leafWidth;
  const T = e.trees;
  // Per node: its two children (a leaf: itself twice), the feature it reads (a leaf: 0, any will
  // do) and the side a NaN takes (1: right).
  let kids: Int32Array | undefined;
  let reads: Int32Array;
  let nan: Uint8Array;
  const build = () => {
    const N = feature.length;
    kids = new Int32Array(2 * N);
    reads = new Int32Array(N);
    nan = new Uint8Array(N);
    for (let n = 0; n < N; n++) {
      const leaf = feature[n]! < 0;
      kids[2 * n] = leaf ? n : left[n]!;
      kids[2 * n + 1] = leaf ? n : e.right[n]!;
      reads[n] = leaf ? 0 : feature[n]!;
      nan[n] = flags[n]! & MISSING_LEFT ? 0 : 1;
    }
    return kids;
  };
  // The leaf's values into the row's scores at `o` (plus the tree's column).
  const add = (acc: Float64Array, o: number, t: number, n: number) => {
    for (let k = 0, v = left[n]!, c = o + treeColumn[t]!; k < W; k++) acc[c + k] = acc[c + k]! + values[v + k]!;
  };
  return (x, r0, r1, acc) => {
    const c = kids ?? build();
    for (let r = r0; r < r1; r++) {
      const a = r * F;
      const o = r * K;
      let t = 0;
      for (; t + 4 <= T; t += 4) {
        let n0 = roots[t]!;
        let n1 = roots[t + 1]!;
        let n2 = roots[t + 2]!;
        let n3 = roots[t + 3]!;
        // Sign bits: the AND is negative only once all four are leaves (feature −1).
        while ((feature[n0]! & feature[n1]! & feature[n2]! & feature[n3]!) >= 0) {
          const v0 = x[a + reads[n0]!]!;
          const v1 = x[a + reads[n1]!]!;
          const v2 = x[a + reads[n2]!]!;
          const v3 = x[a + reads[n3]!]!;
          // `+!(…)`: the comparison as 0 / 1 without a branch; the NaN test is one the CPU predicts.
          n0 = c[2 * n0 + (v0 !== v0 ? nan[n0]! : +!(v0 <= threshold[n0]!))]!;
          n1 = c[2 * n1 + (v1 !== v1 ? nan[n1]! : +!(v1 <= threshold[n1]!))]!;
          n2 = c[2 * n2 + (v2 !== v2 ? nan[n2]! : +!(v2 <= threshold[n2]!))]!;
          n3 = c[2 * n3 + (v3 !== v3 ? nan[n3]! : +!(v3 <= threshold[n3]!))]!;
        }
        add(acc, o, t, n0);
        add(acc, o, t + 1, n1);
        add(acc, o, t + 2, n2);
        add(acc, o, t + 3, n3);
      }
      for (; t < T; t++) {
        let n = roots[t]!;
        while (feature[n]! >= 0) {
          const v = x[a + reads[n]!]!;
          n = c[2 * n + (v !== v ? nan[n]! : +!(v <= threshold[n]!))]!;
        }
        add(acc, o, t, n);
      }
    }
  };
}
