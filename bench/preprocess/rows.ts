// The rows every side of the `preprocess` benchmark transforms: the same source file, tiled
// the same way (row i is source[i % length]), so Node, Chromium and scikit-learn see identical
// input, messy values included.

/** The first `n` rows of `source` repeated end to end. */
export function tile<T>(source: readonly T[], n: number): T[] {
  if (source.length === 0) throw new Error('tile: the source has no rows');
  return Array.from({ length: n }, (_, i) => source[i % source.length]!);
}

/** Timing protocol shared by the three timers (JSON lines for Node and Python, page calls for Chromium). */
export type TimerCommand = { op: 'sample'; rows: number; calls: number } | { op: 'parity'; rows: number };
