/**
 * Per-axis resampling weights for the `image` step. Resizing is separable: output pixel (x, y)
 * is `Σ_j Σ_i wy[j] · wx[i] · src[y0 + j][x0 + i] / norm`, so each axis needs only its list of
 * (first source index, weights) per output index, computed once per source size.
 */

/** The taps of one axis: output `o` reads sources `first[o] + k` with `weights[at[o] + k]`. */
export interface AxisTaps {
  /** First source index read by each output index. */
  first: Int32Array;
  /** Output `o`'s weights are `weights[at[o]]` up to (not including) `weights[at[o + 1]]`. */
  at: Int32Array;
  weights: Float64Array;
  /**
   * The weighted sum is divided by the product of both axes' `norm`. Area weights are integer
   * overlaps (norm = source size), so integer pixels sum exactly and the mean is rounded once.
   */
  norm: number;
  /** Output `o` is source `o` with weight 1 (equal sizes): the writer copies pixels without resampling. */
  identity: boolean;
}

/**
 * How an axis is resampled: `'nearest'`, `'smooth'` (area when shrinking, bilinear when
 * enlarging), or 2-tap bilinear exactly as `tf.image.resizeBilinear` samples:
 * `'half-pixel'` (`halfPixelCenters: true`), `'align-corners'` (`alignCorners: true`) and
 * `'asymmetric'` (both false, tfjs's default).
 */
export type AxisMode = 'nearest' | 'smooth' | 'half-pixel' | 'align-corners' | 'asymmetric';

/**
 * Builds the taps mapping `src` source pixels onto `dst` output pixels.
 *
 * - `nearest`: the source pixel under the output pixel's centre (half-pixel centres).
 * - `smooth`, `src > dst`: area averaging, i.e. a box filter over the output pixel's exact
 *   footprint `[o·src/dst, (o+1)·src/dst)`; a source pixel cut by the footprint's edge weighs
 *   its covered fraction (OpenCV's INTER_AREA, also for non-integer ratios). Every source pixel
 *   counts, so a 1-px stroke survives a 10× reduction at 1/10 of its intensity instead of
 *   vanishing between two 4-pixel bilinear samples. Computed in units of 1/dst pixel, where
 *   every overlap is an integer: no rounding, no tolerance.
 * - `smooth`, `src <= dst`: bilinear between the two nearest source pixels, half-pixel centres
 *   clamped at the edges (tf.image.resizeBilinear with halfPixelCenters, canvas scaling);
 *   equal sizes give one tap of weight 1, so pixels pass through unchanged.
 */
export function axisTaps(src: number, dst: number, mode: AxisMode): AxisTaps {
  const first = new Int32Array(dst);
  const at = new Int32Array(dst + 1);
  const weights: number[] = [];
  const f = src / dst;
  // tf.image.resizeBilinear's source coordinate (tfjs-backend-cpu ResizeBilinear).
  const align = mode === 'align-corners' && dst > 1;
  const tfScale = (align ? src - 1 : src) / (align ? dst - 1 : dst);
  for (let o = 0; o < dst; o++) {
    if (mode === 'half-pixel' || mode === 'align-corners' || mode === 'asymmetric') {
      const frac = mode === 'half-pixel' ? tfScale * (o + 0.5) - 0.5 : tfScale * o;
      const top = Math.max(0, Math.floor(frac));
      const bottom = Math.min(src - 1, Math.ceil(frac));
      const t = frac - Math.floor(frac);
      first[o] = top;
      if (bottom === top || t === 0) weights.push(1);
      else weights.push(1 - t, t);
    } else if (mode === 'nearest') {
      first[o] = Math.min(Math.floor((o + 0.5) * f), src - 1);
      weights.push(1);
    } else if (src > dst) {
      // Footprint [lo, hi) and source pixel j = [j·dst, (j+1)·dst), all in units of 1/dst.
      const lo = o * src;
      const hi = lo + src;
      const j0 = Math.floor(lo / dst);
      first[o] = j0;
      for (let j = j0; j * dst < hi; j++) weights.push(Math.min((j + 1) * dst, hi) - Math.max(j * dst, lo));
    } else {
      const s = Math.min(Math.max((o + 0.5) * f - 0.5, 0), src - 1);
      const j0 = Math.floor(s);
      const t = s - j0;
      first[o] = j0;
      weights.push(1 - t);
      // t > 0 implies s < src - 1, so j0 + 1 exists; a zero weight is left out so that a NaN
      // or Infinity neighbour cannot leak into the sum (0 · Infinity is NaN).
      if (t > 0) weights.push(t);
    }
    at[o + 1] = weights.length;
  }
  const norm = mode === 'smooth' && src > dst ? src : 1;
  const identity = src === dst && norm === 1 && weights.length === dst && weights.every((w, o) => w === 1 && first[o] === o);
  return { first, at, weights: Float64Array.from(weights), norm, identity };
}

/** How many source sizes a writer remembers per axis (apps usually send one canvas size). */
const CACHE_SIZE = 4;

/**
 * Returns the taps for `src → dst` from `cache` (keyed by both sizes: a letterbox's `dst` depends
 * on the source's aspect ratio), building them on a miss; the oldest entry is dropped beyond
 * {@link CACHE_SIZE} so a stream of odd sizes stays bounded.
 */
export function cachedTaps(cache: Map<number, AxisTaps>, src: number, dst: number, mode: AxisMode): AxisTaps {
  // dst ≤ 4096 (the schema's limit), so src · 8192 + dst is unique and an exact integer.
  const key = src * 8192 + dst;
  let taps = cache.get(key);
  if (taps === undefined) {
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    taps = axisTaps(src, dst, mode);
    cache.set(key, taps);
  }
  return taps;
}
