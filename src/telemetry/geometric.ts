/**
 * Gaps of a Bernoulli process in which each item is picked independently with probability
 * 1/`every`: how many items to pass before the next picked one (Geometric(1/every) on
 * {0, 1, …}). Drawing the gap is the same process as a coin per item at one random number per
 * picked item, so a sampler's per-item decision is a counter decrement, and a stream with a
 * period (fixed 16-row batches) cannot alias with it as with a systematic 1-in-k.
 */

/**
 * @param every an item is picked with probability 1/every (≥ 1; 1: every item, no random draw).
 * @param random uniform [0, 1) source (tests pass a seeded one).
 */
export function geometricGaps(every: number, random: () => number): () => number {
  if (every === 1) return () => 0;
  const logMiss = Math.log(1 - 1 / every);
  return () => Math.floor(Math.log(1 - random()) / logMiss);
}
