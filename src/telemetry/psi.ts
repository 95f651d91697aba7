/**
 * Population stability index of an observed window against a training baseline. Shared by the
 * SDK (per-window scores) and the collector (scores of counts merged across clients).
 */
import type { Baseline } from '../schema/types.js';
import type { DriftStatus } from './types.js';

/** PSI at or above this is a warning (moderate shift). */
export const PSI_WARN = 0.1;
/** PSI at or above this is an alert (significant shift). */
export const PSI_ALERT = 0.25;

/**
 * Empty bins would make PSI infinite (ln 0); the usual fix is a floor on both shares. 1e-4 keeps
 * a bin that is empty on both sides at 0 and caps one empty side's term near 0.9·share.
 */
const EPSILON = 1e-4;

/**
 * Expected shares in the layout drift windows use: one entry per baseline bin (or category),
 * then "missing", then "unknown" (values the baseline never saw: expected 0). Bin shares in the
 * schema are over non-missing values, so they are scaled by `1 - missing`.
 */
export function expectedShares(baseline: Baseline): number[] {
  const present = 1 - baseline.missing;
  return [...baseline.shares.map((s) => s * present), baseline.missing, 0];
}

/** PSI = Σ (a − e) · ln(a / e) over bins, with `actual` as counts in the layout of {@link expectedShares}. */
export function psi(expected: readonly number[], actual: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < actual.length; i++) total += actual[i] as number;
  if (total === 0) return 0;
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i] as number, EPSILON);
    const a = Math.max((actual[i] ?? 0) / total, EPSILON);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

/** `"ok"` / `"warn"` / `"alert"` by the thresholds {@link PSI_WARN} and {@link PSI_ALERT}. */
export function driftStatus(value: number): DriftStatus {
  return value >= PSI_ALERT ? 'alert' : value >= PSI_WARN ? 'warn' : 'ok';
}
