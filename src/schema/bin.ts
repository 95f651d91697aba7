/**
 * The one binning rule of ferryml: the number of ascending `edges` that are <= x, i.e.
 * lower-inclusive bins with no tolerance. It is KBinsDiscretizer.transform as scikit-learn 1.2
 * computes it (`np.searchsorted(bin_edges_[1:-1], x, side="right")`; scikit-learn/scikit-learn#22526,
 * in 1.1, removed the `1e-8 + 1e-5·|x|` nudge `np.digitize` got before), and telemetry bins live
 * values against the drift baselines with it too, so shares compare like with like.
 */
export function baselineBin(edges: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
