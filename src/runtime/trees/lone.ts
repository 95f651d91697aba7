/**
 * The lone-row walk of the tree kernel: a row of a lone `predict` call walks four trees side by
 * side — four independent chains of loads that the CPU overlaps, where one tree after another is one
 * long chain — and picks each child by arithmetic, `kids[2n + goes right]`, with no branch on the
 * comparison (which no CPU predicts on real data). A leaf's two kids are the leaf itself, so a tree
 * that reaches its leaf first stays there while the others walk on; the four stop when all four
 * are at a leaf. For the ensembles whose lone rows the perfect-tree walks do not take (perfect.ts:
 * forests deeper than `LONE_MAX_DEPTH`, trees deeper than `PERFECT_MAX_DEPTH`), when every node
 * sends NaN right (scikit-learn's forests and boosting); others keep the general walk (kernel.ts).
 *
 * Bit for bit the general walk: the same comparison with the same threshold (XGBoost's `x < t` as
 * `x <= t′`, kernel.ts), `!(NaN <= t)` right, and leaf values added tree after tree in the
 * bundle's order.
 */
import type { Scores, TreeEnsemble } from './format.js';

/** Adds every tree's leaf values for rows `r0 … r1` of `x` into `acc` (row stride `outputs`), trees in order. */
export type LoneWalk = (x: Float32Array, r0: number, r1: number, acc: Scores) => void;

/**
 * The lone-row walk of `e` with `threshold` (the general walk's, `<` already read as `<=`), or
 * `undefined` unless every node is numeric with NaN going right (flags 0). Its arrays (12 bytes
 * per node) are built on the first call: a page that predicts only batches never makes them.
 */
export function loneWalk(e: TreeEnsemble, threshold: Float64Array): LoneWalk | undefined {
  const { feature, left, values, roots, treeColumn } = e;
  if (e.flags.some((g) => g !== 0)) return undefined;
  const F = e.features;
  const K = e.outputs;
  const W = e.leafWidth;
  const T = e.trees;
  // Per node: its two children (a leaf: itself twice) and the feature it reads (a leaf: 0, any will do).
  let kids = new Int32Array(0);
  let reads = kids;
  // One step down from node `n` for the row at `a`: `+!(…)` is the comparison as 0 / 1 without a branch.
  const step = (x: Float32Array, a: number, n: number) => kids[2 * n + +!(x[a + reads[n]!]! <= threshold[n]!)]!;
  // The leaf's values into the row's scores at `o` (plus the tree's column).
  const add = (acc: Scores, o: number, t: number, n: number) => {
    for (let k = 0, v = left[n]!, s = o + treeColumn[t]!; k < W; k++) acc[s + k] = acc[s + k]! + values[v + k]!;
  };
  return (x, r0, r1, acc) => {
    if (kids.length === 0) {
      kids = new Int32Array(2 * feature.length);
      reads = feature.map((f) => (f < 0 ? 0 : f));
      feature.forEach((f, n) => {
        kids[2 * n] = f < 0 ? n : left[n]!;
        kids[2 * n + 1] = f < 0 ? n : e.right[n]!;
      });
    }
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
          n0 = step(x, a, n0);
          n1 = step(x, a, n1);
          n2 = step(x, a, n2);
          n3 = step(x, a, n3);
        }
        add(acc, o, t, n0);
        add(acc, o, t + 1, n1);
        add(acc, o, t + 2, n2);
        add(acc, o, t + 3, n3);
      }
      for (; t < T; t++) {
        let n = roots[t]!;
        while (feature[n]! >= 0) n = step(x, a, n);
        add(acc, o, t, n);
      }
    }
  };
}
