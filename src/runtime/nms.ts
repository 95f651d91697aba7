/**
 * Greedy non-max suppression over one row's boxes, as `tf.image.nonMaxSuppression` does it
 * (tfjs-core non_max_suppression_impl.ts, hard NMS): candidates with score > threshold, best
 * first (ties: lower index first), a candidate dropped when its IoU with a kept box is ≥ the IoU
 * threshold. Plain JavaScript on the row's values: no tensors, nothing to dispose.
 */

/** Intersection over union of boxes `i` and `j` (4 values each at `at + 4·index`, either corner order). */
function iou(boxes: ArrayLike<number>, at: number, i: number, j: number): number {
  const a = at + 4 * i;
  const b = at + 4 * j;
  const ay1 = Math.min(boxes[a]!, boxes[a + 2]!),
    ay2 = Math.max(boxes[a]!, boxes[a + 2]!);
  const ax1 = Math.min(boxes[a + 1]!, boxes[a + 3]!),
    ax2 = Math.max(boxes[a + 1]!, boxes[a + 3]!);
  const by1 = Math.min(boxes[b]!, boxes[b + 2]!),
    by2 = Math.max(boxes[b]!, boxes[b + 2]!);
  const bx1 = Math.min(boxes[b + 1]!, boxes[b + 3]!),
    bx2 = Math.max(boxes[b + 1]!, boxes[b + 3]!);
  const areaA = (ay2 - ay1) * (ax2 - ax1);
  const areaB = (by2 - by1) * (bx2 - bx1);
  if (areaA <= 0 || areaB <= 0) return 0;
  const inter = Math.max(Math.min(ay2, by2) - Math.max(ay1, by1), 0) * Math.max(Math.min(ax2, bx2) - Math.max(ax1, bx1), 0);
  return inter / (areaA + areaB - inter);
}

/**
 * Indices of the kept boxes, best score first.
 * @param boxes the row's boxes, 4 values per box from `at`
 * @param scores one score per box
 * @param classes each box's class: given, a box suppresses only boxes of its own class (per-class
 * NMS: `tf.image.nonMaxSuppression` run per class, the kept boxes merged best first and capped)
 */
export function nonMaxSuppression(
  boxes: ArrayLike<number>,
  at: number,
  scores: ArrayLike<number>,
  maxOutput: number,
  iouThreshold: number,
  scoreThreshold: number,
  classes?: ArrayLike<number>,
): number[] {
  const candidates: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i]! > scoreThreshold) candidates.push(i);
  candidates.sort((a, b) => scores[b]! - scores[a]! || a - b);
  const kept: number[] = [];
  for (const c of candidates) {
    if (kept.length >= maxOutput) break;
    let keep = true;
    for (let k = kept.length - 1; k >= 0; k--)
      if ((!classes || classes[c] === classes[kept[k]!]) && iou(boxes, at, c, kept[k]!) >= iouThreshold) {
        keep = false;
        break;
      }
    if (keep) kept.push(c);
  }
  return kept;
}
