// In-page timing: interleaved rounds of several variants of the same work.
// Chromium coarsens performance.now() to 100 µs on pages that are not cross-origin isolated,
// and one prediction takes tens of µs, so a sample is several units timed together (~10–15 ms)
// divided by their number. Rounds alternate the order (A B C, C B A, …) so a slow stretch of the
// shared machine lands on every variant.

/** Runs `n` units of one variant's work (awaiting each or all, as the variant defines). */
export type Work = (n: number) => Promise<void>;

/** How many rounds, how much work per sample. */
export interface InterleaveOptions {
  rounds: number;
  /** Units per sample for every variant; by default calibrated per variant (see `targetMs`). */
  units?: number;
  /** @default 15 */
  targetMs?: number;
  /**
   * Each variant runs for at least this long before anything is timed: V8 and tfjs keep tiering
   * up for thousands of calls (first samples were 3× slower with a 20-call warm-up). @default 400
   */
  warmupMs?: number;
  /** Units timed per variant to calibrate `units`. @default 20 */
  calibrateWith?: number;
  /**
   * Each round's sample is the median of this many sub-samples taken alternately (A B A B …):
   * a stall of the shared machine then costs one sub-sample, not a round, which keeps the
   * per-round ratios of a small difference (telemetry on ÷ off) within a few %. @default 1
   */
  medianOf?: number;
  /**
   * Every variant gets the same units per sample, from the fastest one's calibration: for two
   * variants of the same work (telemetry on / off) a calibration disturbed by the machine then
   * cannot give one of them samples too short to time. @default false
   */
  sameUnits?: boolean;
}

/** Per variant: one sample per round, in ms per unit, plus the units per sample used. */
export interface Interleaved {
  samples: Record<string, number[]>;
  units: Record<string, number>;
}

// setTimeout(0) is clamped to ≥ 4 ms after nesting; a message round-trip yields without a delay.
const channel = new MessageChannel();
export const yieldToLoop = () =>
  new Promise<void>((resolve) => {
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(0);
  });

async function time(work: Work, n: number): Promise<number> {
  const t0 = performance.now();
  await work(n);
  return performance.now() - t0;
}

/**
 * Measures the variants in alternating rounds; see {@link InterleaveOptions}. Without `units`,
 * each variant gets its own units per sample so that every sample takes about `targetMs`.
 */
export async function interleave(variants: Record<string, Work>, options: InterleaveOptions): Promise<Interleaved> {
  const names = Object.keys(variants);
  const warmMs = options.warmupMs ?? 400;
  for (const name of names) {
    for (let n = 1, spent = 0; spent < warmMs; n = Math.min(n * 2, 4096)) spent += await time(variants[name]!, n);
  }
  const units: Record<string, number> = {};
  for (const name of names) {
    if (options.units !== undefined) {
      units[name] = options.units;
      continue;
    }
    const c = options.calibrateWith ?? 20;
    const perUnit = Math.max((await time(variants[name]!, c)) / c, 1e-4);
    units[name] = Math.max(1, Math.min(20_000, Math.ceil((options.targetMs ?? 15) / perUnit)));
  }
  if (options.sameUnits) {
    const most = Math.max(...names.map((n) => units[n]!));
    for (const name of names) units[name] = most;
  }
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const k = options.medianOf ?? 1;
  const sub: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < options.rounds; r++) {
    for (const name of names) sub[name]!.length = 0;
    for (let j = 0; j < k; j++) {
      const order = (r * k + j) % 2 === 0 ? names : [...names].reverse();
      for (const name of order) {
        await yieldToLoop();
        sub[name]!.push((await time(variants[name]!, units[name]!)) / units[name]!);
      }
    }
    for (const name of names) {
      const s = sub[name]!.sort((a, b) => a - b);
      samples[name]!.push(s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2);
    }
  }
  return { samples, units };
}

/** Sequential work: `n` awaited calls of `call(i)`. */
export const sequential =
  (call: (i: number) => Promise<unknown>): Work =>
  async (n) => {
    for (let i = 0; i < n; i++) await call(i);
  };

/** How {@link pairs} measures; see there. */
export interface PairOptions {
  /** Blocks the pairs are grouped into; their ratios are the figure's rounds. @default 30 */
  blocks?: number;
  /** Pairs per block to start with; more are added until the spread holds. @default 5 */
  minPerBlock?: number;
  /** Stop once the blocks' p10 and p90 are both within this fraction of their median. @default 0.05 */
  within?: number;
  /** Stop adding pairs after this much measuring time (the spread is then reported as it is). @default 60000 */
  maxMs?: number;
  /** About how long one timed sample runs. @default 5 */
  targetMs?: number;
  /** @default 400 */
  warmupMs?: number;
  /** Units timed per variant to calibrate the units per sample. @default 20 */
  calibrateWith?: number;
  /** Random source for the order within a pair (tests and reruns may seed it). @default Math.random */
  random?: () => number;
}

/** What {@link pairs} measured: per block, `a ÷ b` (the median of its pairs' ratios) and each side's median ms per unit. */
export interface Paired {
  ratios: number[];
  a: number[];
  b: number[];
  /** Pairs measured in all, pairs per block, units per sample (both variants), measuring time. */
  pairs: number;
  perBlock: number;
  units: number;
  ms: number;
  /** `spread`: the blocks' p10–p90 came within `within` of their median; `cap`: `maxMs` ran out first. */
  stoppedBy: 'spread' | 'cap';
  within: number;
}

const medianOf = (v: number[]) => {
  const s = [...v].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const quantileOf = (sorted: number[], q: number) => {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  return sorted[lo]! + (sorted[Math.ceil(pos)]! - sorted[lo]!) * (pos - lo);
};

/**
 * Two variants of the same work (telemetry on / off) as many short pairs: each pair times `a`
 * and `b` once each, back to back, in a random order, and keeps `a ÷ b` (ms per unit). A stall of
 * the shared machine then spoils one pair, and no order effect (the second sample finding warmer
 * caches, or the first one's leftover background tasks) can favour either variant. The pairs, in
 * the order measured, are grouped into `blocks` consecutive blocks; a block's ratio is the median
 * of its pairs' ratios. Pairs are added (one more per block at a time, the blocks re-formed from
 * every pair so far) until the blocks' p10 and p90 are within `within` of their median, or `maxMs`
 * is spent. The stopping rule looks at the spread only, never at the ratio itself.
 *
 * Each timed sample ends with one turn of the event loop inside the timing: tasks that a
 * variant's work posts (telemetry's background counting, timers, delivery) that run there count
 * against the sample that caused them, and both variants pay the same turn.
 */
export async function pairs(a: Work, b: Work, options: PairOptions = {}): Promise<Paired> {
  const random = options.random ?? Math.random;
  const blocks = options.blocks ?? 30;
  const within = options.within ?? 0.05;
  const maxMs = options.maxMs ?? 60_000;
  const warmMs = options.warmupMs ?? 400;
  for (const w of [a, b, a, b]) {
    for (let n = 1, spent = 0; spent < warmMs / 2; n = Math.min(n * 2, 4096)) spent += await time(w, n);
  }
  const c = options.calibrateWith ?? 20;
  const perUnit = Math.max(Math.min((await time(a, c)) / c, (await time(b, c)) / c), 1e-4);
  const units = Math.max(1, Math.min(20_000, Math.ceil((options.targetMs ?? 5) / perUnit)));
  const timed = async (w: Work) => {
    const t0 = performance.now();
    await w(units);
    await yieldToLoop();
    return (performance.now() - t0) / units;
  };
  const ra: number[] = [];
  const rb: number[] = [];
  const started = performance.now();
  let perBlock = 0;
  let result: Pick<Paired, 'ratios' | 'a' | 'b'> = { ratios: [], a: [], b: [] };
  for (;;) {
    for (let i = 0; i < blocks; i++) {
      await yieldToLoop();
      if (random() < 0.5) {
        ra.push(await timed(a));
        rb.push(await timed(b));
      } else {
        rb.push(await timed(b));
        ra.push(await timed(a));
      }
    }
    perBlock++;
    result = { ratios: [], a: [], b: [] };
    for (let k = 0; k < blocks; k++) {
      const from = k * perBlock;
      const sa = ra.slice(from, from + perBlock);
      const sb = rb.slice(from, from + perBlock);
      result.ratios.push(medianOf(sa.map((x, i) => x / sb[i]!)));
      result.a.push(medianOf(sa));
      result.b.push(medianOf(sb));
    }
    if (perBlock < (options.minPerBlock ?? 5)) continue;
    const s = [...result.ratios].sort((x, y) => x - y);
    const m = quantileOf(s, 0.5);
    const spread = Math.max(m - quantileOf(s, 0.1), quantileOf(s, 0.9) - m) / m;
    const ms = performance.now() - started;
    if (spread <= within || ms >= maxMs) {
      return { ...result, pairs: ra.length, perBlock, units, ms, stoppedBy: spread <= within ? 'spread' : 'cap', within };
    }
  }
}
