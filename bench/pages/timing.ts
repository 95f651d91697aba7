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

type PostTask = (f: () => void, o: { priority: 'background' }) => Promise<void>;
const taskScheduler = (globalThis as { scheduler?: { postTask?: PostTask } }).scheduler;
/**
 * Resolves once the tasks posted so far have run, background-priority ones included (Chromium's
 * `scheduler.postTask` runs the tasks of one priority in order, and background ones only when
 * nothing more urgent waits): what a sample's work left behind (telemetry's drift counting) then
 * runs inside that sample. Elsewhere one event-loop turn.
 */
export const settleLoop = (): Promise<void> =>
  typeof taskScheduler?.postTask === 'function' ? yieldToLoop().then(() => taskScheduler.postTask!(() => {}, { priority: 'background' })) : yieldToLoop();

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

let spun = 0;
/** A busy loop of `n` steps that the compiler cannot drop (its result is kept): the sensitivity check's known cost. */
export function spin(n: number): void {
  let x = spun;
  for (let i = 0; i < n; i++) x = (x * 1103515245 + 12345) % 2147483648;
  spun = x;
}
