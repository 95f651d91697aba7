/**
 * Which rows drift counts. Every row until a window has seen `exact` rows; past that, each row
 * independently with probability 1/`every`, and a counted row then stands for `every` rows
 * (its Horvitz–Thompson weight, the inverse of its inclusion probability). So every count a
 * window sends is an unbiased estimate of the exact count, and counts from any number of windows
 * and clients still merge by addition. Below `exact` rows per window (the usual page) nothing is
 * sampled at all; a busy page still counts `exact` rows exactly, then ~1 in `every`.
 *
 * Independent (Bernoulli) rather than systematic 1-in-k: a row stream with a period (an app that
 * sends 16-row batches of fixed composition) cannot alias with it. Drawing the gap to the next
 * counted row from the geometric distribution is the same process at one random number per
 * counted row instead of one per row (./geometric.ts).
 */
import { geometricGaps } from './geometric.js';

/** See the module doc. */
export interface RowSampler {
  /** The weight of a row picked after the first `exact` rows of the window. */
  readonly weight: number;
  /** Of the rows the last `pick` chose, how many (the first ones) came before sampling began: weight 1. */
  readonly exact: number;
  /** Picks rows of a batch of `rows` into `picks` (room for `rows + 1`): ascending, then -1; returns how many. */
  pick(rows: number, picks: Int32Array): number;
  /** Starts the next window. */
  restart(): void;
}

/**
 * @param exact rows per window counted before sampling starts (`Infinity`: never sample).
 * @param every a sampled row is picked with probability 1/every (an integer ≥ 1; 1: every row).
 * @param random uniform [0, 1) source (tests pass a seeded one).
 */
export function createRowSampler(exact: number, every: number, random: () => number = Math.random): RowSampler {
  /** Rows to pass before the next picked one. */
  const gap = geometricGaps(every, random);
  let seen = 0;
  let skip = gap();

  const sampler = {
    weight: every,
    exact: 0,
    pick(rows: number, picks: Int32Array): number {
      const head = Math.max(0, Math.min(rows, exact - seen));
      let n = 0;
      for (; n < head; n++) picks[n] = n;
      sampler.exact = n;
      // Past the exact head: jump from picked row to picked row; the rest of a gap carries over.
      let r = head + skip;
      for (; r < rows; r += 1 + gap()) picks[n++] = r;
      skip = r - rows;
      picks[n] = -1;
      seen += rows;
      return n;
    },
    restart(): void {
      seen = 0;
      skip = gap();
    },
  };
  return sampler;
}
