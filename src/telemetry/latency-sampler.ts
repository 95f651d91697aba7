/**
 * Which batches have their latency timed (README "Latency sampling"). Every batch among a
 * window's first {@link EXACT_BATCHES}; past them, each batch independently with a probability
 * that halves each time the window's batch count doubles (1/2 from 1,024 batches, 1/4 from 2,048,
 * … down to 1/{@link MAX_SAMPLE_EVERY}), and a timed batch stands for 1/probability batches (its
 * Horvitz–Thompson weight) in the latency sum and histogram. Those stay unbiased estimates that
 * merge by addition across windows and clients, and a busy window still times about
 * EXACT_BATCHES / 2 more batches per doubling. Calls, rows, errors, backends and drift are
 * counted for every batch; only the timing is sampled, because an untimed batch reads no clock
 * and the clock reads were most of what telemetry still cost a call (BENCHMARKS.md, "Issue 15
 * item 4").
 *
 * The decision per batch is a counter decrement: gaps between timed batches are drawn from the
 * geometric distribution (./geometric.ts), anew whenever the rate halves (a Bernoulli process
 * has no memory, so each batch is timed with exactly the probability of its place in the window).
 */
import { geometricGaps } from './geometric.js';

/** Batches per window whose latency is timed one by one before sampling starts. */
export const EXACT_BATCHES = 1024;

/** The lowest rate is 1 batch in this many, from 32 × {@link EXACT_BATCHES} batches in a window. */
export const MAX_SAMPLE_EVERY = 64;

/** See the module doc. */
export interface LatencySampler {
  /** Decides for the window's next batch: its weight (1 / its chance of being timed) when it is timed, 0 when not. */
  next(): number;
  /** Starts the next window: every batch is timed again. */
  restart(): void;
}

/** @param random uniform [0, 1) source (tests pass a seeded one). */
export function createLatencySampler(random: () => number = Math.random): LatencySampler {
  let batches = 0;
  let every = 1;
  let halveAt = EXACT_BATCHES;
  let gap = geometricGaps(every, random);
  let skip = 0;

  return {
    next(): number {
      if (batches++ === halveAt) {
        every *= 2;
        halveAt = every < MAX_SAMPLE_EVERY ? 2 * halveAt : Infinity;
        gap = geometricGaps(every, random);
        skip = gap();
      }
      if (skip > 0) {
        skip--;
        return 0;
      }
      skip = gap();
      return every;
    },
    restart(): void {
      batches = 0;
      every = 1;
      halveAt = EXACT_BATCHES;
      gap = geometricGaps(every, random);
      skip = 0;
    },
  };
}
