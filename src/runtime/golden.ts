/**
 * The golden check: the bundle's golden rows, run through the full path on the chosen backend,
 * must reproduce the outputs training stored for them. A backend that computes something else
 * on this device (precision, a driver bug) is not used.
 */
import type { GoldenInput } from './types.js';

/** Outcome of {@link checkGolden}: the largest relative error, and a sentence naming the worst value when over tolerance. */
export interface GoldenResult {
  ok: boolean;
  maxError: number;
  reason?: string;
}

/**
 * Compares `got` with `golden.expected`: each value must satisfy
 * `|got − expected| ≤ tolerance × max(|expected|, 1)` (relative, with an absolute floor so
 * probabilities near 0 are not judged on noise). NaN never matches.
 */
export function checkGolden(got: Float32Array, golden: GoldenInput): GoldenResult {
  const { expected, rows, tolerance } = golden;
  if (got.length !== expected.length) {
    return {
      ok: false,
      maxError: Infinity,
      reason: `golden outputs have ${expected.length / rows} values per row but the model produced ${got.length / rows}`,
    };
  }
  let maxError = 0;
  let worst = -1;
  for (let i = 0; i < got.length; i++) {
    const e = expected[i]!;
    const error = Math.abs(got[i]! - e) / Math.max(Math.abs(e), 1);
    // `!(error <= max)` also catches NaN.
    if (!(error <= maxError)) {
      maxError = error;
      worst = i;
    }
  }
  if (maxError <= tolerance) return { ok: true, maxError };
  const width = got.length / rows;
  const row = Math.floor(worst / width);
  return {
    ok: false,
    maxError,
    reason: `golden row ${row} output ${worst - row * width}: expected ${expected[worst]}, got ${got[worst]} (relative error ${maxError.toPrecision(3)} > tolerance ${tolerance})`,
  };
}
