/**
 * The k-anonymity rule of distribution windows (input drift and output drift): a window's counts
 * describe the values of the few users behind it, so it leaves the browser only once it holds at
 * least `minRows` observed values (`driftMinRows`). Counts of codes (errors, strange outputs) are
 * not distributions of values and are sent either way.
 */

/** Whether a window with `observed` values may be sent under the minimum `minRows`. */
export function releasable(observed: number, minRows: number): boolean {
  return observed >= minRows;
}
