// Paired samples of two variants timed by the page's main-thread CPU time (Chrome DevTools
// Protocol, `Performance.getMetrics` → `ThreadTime`), for figures that must tell 2 % apart on a
// shared machine. Wall-clock pairs (what the telemetry item timed before) see every stretch the
// renderer waits for a core: at load 7–10 on 2 cores one pair's wall-time ratio scatters by 13–33 %
// (robust SD), the same samples' CPU-time ratio by 2–10 % (BENCHMARKS.md, issue 15 item 4). The
// wall time of every sample is kept beside it.
//
// Each sample is one `page.evaluate` (the variant's work, then until the tasks it posted have
// run); the main thread's CPU time is read between samples, back to back, so every CPU µs of the
// main thread lands in exactly one sample: a variant's own background work (drift counting) in
// its own, timers that fire on their own clock (telemetry's 200 ms count, window close) in
// whichever sample is running then. The protocol's own work per sample (0.4–1.2 ms under load,
// measured with samples of no work: `overheadMs`) lands in every sample alike and is taken off
// both sides, so it does not dilute a difference. A known extra cost (`penalty`, a busy loop worth
// a fraction of `a`'s CPU time, calibrated through the same sample path) reads 1 ÷ (1 + penalty).
import type { CDPSession } from 'playwright-core';

/** Runs one sample of variant `a` or `b` in the page: `units` units, then `spinSteps` of busy work; resolves to its wall ms. */
export type Sampler = (variant: 'a' | 'b', units: number, spinSteps: number) => Promise<number>;

/** How {@link cpuPairs} measures. */
export interface CpuPairOptions {
  /** Blocks the pairs are grouped into; their ratios are the figure's rounds. @default 30 */
  blocks?: number;
  /** Pairs per block to start with; more are added until the spread holds. @default 5 */
  minPerBlock?: number;
  /** Stop once the blocks' p10 and p90 are both within this fraction of their median. @default 0.025 */
  within?: number;
  /** Stop adding pairs after this much measuring time (the spread is then reported as it is). @default 60000 */
  maxMs?: number;
  /** About how much main-thread CPU one sample takes. @default 20 */
  targetMs?: number;
  /** CPU ms each variant runs before anything is timed. @default 1500 */
  warmupMs?: number;
  /** `b` also runs a busy loop worth this fraction of `a`'s CPU time: the sensitivity check. @default 0 */
  penalty?: number;
  /** @default Math.random */
  random?: () => number;
}

/** What {@link cpuPairs} measured: per block, `a ÷ b` (the median of its pairs' ratios) and each side's median CPU ms per unit. */
export interface Paired {
  ratios: number[];
  a: number[];
  b: number[];
  /** Pairs measured in all, pairs per block, units per sample (both variants), measuring time (wall ms). */
  pairs: number;
  perBlock: number;
  units: number;
  ms: number;
  /** `spread`: the blocks' p10–p90 came within `within` of their median; `cap`: `maxMs` ran out first. */
  stoppedBy: 'spread' | 'cap';
  within: number;
  /** The sensitivity check's extra cost on `b` (a fraction of `a`'s CPU time), 0 for a plain comparison. */
  penalty: number;
  /** Robust relative SD of one pair's CPU-time ratio: what sets how many pairs a spread needs. */
  pairNoise: number;
  /** Per block, `a ÷ b` of the same samples' wall times. */
  wallRatios: number[];
  /** Robust relative SD of one pair's wall-time ratio. */
  wallPairNoise: number;
  /** Main-thread CPU ms of a sample with no work (the protocol's share of every sample). */
  overheadMs: number;
}

const median = (v: number[]) => {
  const s = [...v].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const quantile = (sorted: number[], q: number) => {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  return sorted[lo]! + (sorted[Math.ceil(pos)]! - sorted[lo]!) * (pos - lo);
};
/** Robust relative standard deviation: 1.4826 × MAD ÷ median. */
const noise = (v: number[]) => {
  const m = median(v);
  return (1.4826 * median(v.map((x) => Math.abs(x - m)))) / m;
};

/** The page's main-thread CPU clock in ms (CDP `Performance` must be enabled). */
async function threadMs(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const t = metrics.find((m) => m.name === 'ThreadTime');
  if (!t) throw new Error('CDP Performance.getMetrics reported no ThreadTime (Chromium too old?)');
  return t.value * 1000;
}

/**
 * Two variants as pairs of samples in ABBA order (`a b b a` or `b a a b`, at random; the pair's
 * ratio is `(a₁ + a₂) ÷ (b₁ + b₂)`, so a steady drift of the machine weighs on both sides), timed
 * by main-thread CPU time. Pairs are grouped into `blocks` consecutive blocks, a block's ratio is
 * the median of its pairs' ratios, and pairs are added until the blocks' p10 and p90 are within
 * `within` of their median or `maxMs` is spent (the rule looks at the spread, never at the ratio).
 */
export async function cpuPairs(cdp: CDPSession, sample: Sampler, options: CpuPairOptions = {}): Promise<Paired> {
  const random = options.random ?? Math.random;
  const blocks = options.blocks ?? 30;
  const within = options.within ?? 0.025;
  const maxMs = options.maxMs ?? 60_000;
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  let last = await threadMs(cdp);
  /** CPU ms since the previous reading and the sample's wall ms. */
  const timed = async (v: 'a' | 'b', units: number, steps: number) => {
    const wall = await sample(v, units, steps);
    const now = await threadMs(cdp);
    const cpu = now - last;
    last = now;
    return { cpu, wall };
  };
  // Warm-up: samples of doubling size, alternately, until each variant ran `warmupMs` of CPU (V8
  // and tfjs tier up over thousands of calls); units per sample from the last, warm samples.
  const warm = { a: { spent: 0, n: 4, perUnit: Infinity }, b: { spent: 0, n: 4, perUnit: Infinity } };
  while (warm.a.spent < (options.warmupMs ?? 1500) || warm.b.spent < (options.warmupMs ?? 1500)) {
    for (const v of ['a', 'b'] as const) {
      const w = warm[v];
      const { cpu } = await timed(v, w.n, 0);
      w.spent += cpu;
      // The largest sample so far (≥ 5 ms once the work allows it) sets the cost per unit.
      if (cpu >= 5 || w.perUnit === Infinity) w.perUnit = Math.max(cpu, 1e-3) / w.n;
      if (cpu < 25 && w.n < 20_000) w.n *= 2;
    }
  }
  const perUnit = Math.min(warm.a.perUnit, warm.b.perUnit);
  const units = Math.max(1, Math.min(20_000, Math.ceil((options.targetMs ?? 20) / perUnit)));
  const empty: number[] = [];
  for (let i = 0; i < 5; i++) empty.push((await timed('a', 0, 0)).cpu);
  const overheadMs = median(empty);
  let steps = 0;
  const penalty = options.penalty ?? 0;
  if (penalty > 0) {
    // Busy-loop steps per CPU ms, timed through the same sample path (no units, only the loop),
    // then steps worth `penalty` of a's CPU per sample.
    let perMs = 0;
    for (let n = 1 << 16; ; n *= 2) {
      const { cpu } = await timed('b', 0, n);
      if (cpu - overheadMs >= 50) {
        perMs = n / (cpu - overheadMs);
        break;
      }
    }
    const aMs: number[] = [];
    for (let i = 0; i < 5; i++) aMs.push((await timed('a', units, 0)).cpu - overheadMs);
    steps = Math.round(penalty * median(aMs) * perMs);
  }

  const ca: number[] = [];
  const cb: number[] = [];
  const wa: number[] = [];
  const started = performance.now();
  let perBlock = 0;
  for (;;) {
    for (let i = 0; i < blocks; i++) {
      const order: Array<'a' | 'b'> = random() < 0.5 ? ['a', 'b', 'b', 'a'] : ['b', 'a', 'a', 'b'];
      let sa = 0;
      let sb = 0;
      let xa = 0;
      let xb = 0;
      for (const v of order) {
        const { cpu, wall } = await timed(v, units, v === 'b' ? steps : 0);
        if (v === 'a') {
          sa += cpu;
          xa += wall;
        } else {
          sb += cpu;
          xb += wall;
        }
      }
      // The protocol's own CPU per sample comes off both sides: it would dilute a difference.
      ca.push((sa / 2 - overheadMs) / units);
      cb.push((sb / 2 - overheadMs) / units);
      wa.push(xa / xb);
    }
    perBlock++;
    const ratios: number[] = [];
    const wallRatios: number[] = [];
    const a: number[] = [];
    const b: number[] = [];
    for (let k = 0; k < blocks; k++) {
      const from = k * perBlock;
      const sa = ca.slice(from, from + perBlock);
      const sb = cb.slice(from, from + perBlock);
      ratios.push(median(sa.map((x, i) => x / sb[i]!)));
      wallRatios.push(median(wa.slice(from, from + perBlock)));
      a.push(median(sa));
      b.push(median(sb));
    }
    if (perBlock < (options.minPerBlock ?? 5)) continue;
    const s = [...ratios].sort((x, y) => x - y);
    const m = quantile(s, 0.5);
    const spread = Math.max(m - quantile(s, 0.1), quantile(s, 0.9) - m) / m;
    const ms = performance.now() - started;
    if (spread <= within || ms >= maxMs) {
      return {
        ratios,
        a,
        b,
        pairs: ca.length,
        perBlock,
        units,
        ms,
        stoppedBy: spread <= within ? 'spread' : 'cap',
        within,
        penalty,
        pairNoise: noise(ca.map((x, i) => x / cb[i]!)),
        wallRatios,
        wallPairNoise: noise(wa),
        overheadMs,
      };
    }
  }
}
