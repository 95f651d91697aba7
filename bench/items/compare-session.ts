// One comparison page per tfjs backend, shared by the items overhead, batching, peer_ort and
// telemetry: every variant lives on the same page and is measured in the same interleaved
// rounds, so the ratios the items report come from back-to-back measurements.
// Memoized per run: `--only peer_ort` measures what it needs; a full run measures once.
import type { LoadModelOptions } from '../../src/index.js';
import type { BenchContext } from '../lib/context.js';
import { bundleSource, openPage } from '../lib/context.js';
import type { Interleaved } from '../pages/timing.js';
import { cpuPairs, type CpuPairOptions, type Paired } from '../lib/cpu-pairs.js';
import type { CompareSetup } from '../pages/compare.js';

/** What one backend's page measured. */
export interface BackendSession {
  backend: 'wasm' | 'cpu' | 'webgpu';
  /** Variants and what ferryml's loads reported (backend, decision, lean, timings). */
  setup: { backend: string; rows: number; variants: string[]; ferry: Record<string, Record<string, unknown>> };
  /** Largest |output − raw tfjs output| on the golden rows, per variant. */
  check: Record<string, number>;
  /** ms per batch-1 call, per variant, per round. */
  perCall: Interleaved;
  /** wasm only: ms per 1,000 calls (`<variant>:concurrent` / `:sequential`), per round. */
  workload?: Interleaved;
  /**
   * wasm only: telemetry off ÷ on as pairs of samples timed by main-thread CPU time until their
   * spread holds (a 2 % difference needs more than the 5-variant comparison gives; see
   * ../lib/cpu-pairs.ts), the on variant's counters after a flush, and what the sink received.
   */
  telemetry?: {
    perCall: Paired;
    workload: Paired;
    /** The same pairs on the SDK's default engine for this model (`ferry-auto`: the plain-JS kernel). */
    plain: { perCall: Paired; workload: Paired };
    /** Telemetry off against itself (per call), paired the same way: what the method reads when there is no difference. */
    control: Paired;
    /** Off against off plus a busy loop worth 5 % of it (per call): what the method reads for a known 5 % cost. */
    sensitivity: Paired;
    stats: unknown;
    sink: { requests: number; bytes: number };
  };
}

/** Calls per workload unit (issue 8: 1,000 concurrent vs 1,000 sequential). */
export const CALLS = 1000;

const memo = new WeakMap<BenchContext, Map<string, Promise<BackendSession>>>();

type Bench = {
  setup(s: CompareSetup): Promise<BackendSession['setup']>;
  check(): Promise<Record<string, number>>;
  perCall(names: string[], rounds: number, targetMs?: number, medianOf?: number): Promise<Interleaved>;
  workload(variants: string[], calls: number, rounds: number, targetMs?: number, medianOf?: number): Promise<Interleaved>;
  sample(name: string, mode: 'sequential' | 'concurrent', calls: number, units: number, spinSteps: number): Promise<number>;
  telemetryStats(name: string): Promise<unknown>;
};

async function measure(ctx: BenchContext, backend: BackendSession['backend']): Promise<BackendSession> {
  const b = ctx.bundles.penguins!;
  const base: LoadModelOptions = { ...bundleSource(ctx.root, b), backend, remember: false, cache: { dbName: 'ferryml-bench-compare' } };
  const ferry: Record<string, LoadModelOptions> = { ferry: base };
  if (backend !== 'webgpu') ferry['ferry-nolean'] = { ...base, lean: false };
  const wasm = backend === 'wasm';
  // The SDK's default: no backend forced, it measures what comes up and keeps the fastest (on a
  // small dense model without a real GPU that is cpu's direct kernel). Compared with ORT per call.
  if (wasm) ferry['ferry-auto'] = { ...bundleSource(ctx.root, b), remember: false, cache: { dbName: 'ferryml-bench-compare' } };
  if (wasm && ctx.deps.telemetry === true) {
    const telemetry = { endpoint: ctx.sink.url, drift: true };
    ferry['ferry-telemetry'] = { ...base, telemetry };
    // The default engine for this model (the plain-JS kernel), where a call costs a few µs: context.
    ferry['ferry-auto-telemetry'] = { ...ferry['ferry-auto']!, telemetry };
  }
  const { page, context, errors } = await openPage(ctx, 'compare');
  try {
    const setupArg: CompareSetup = { backend, bundle: b.url, ferry, ...(wasm && ctx.onnx ? { onnx: ctx.onnx.url } : {}) };
    const setup = await page.evaluate((s) => (window as unknown as { bench: Bench }).bench.setup(s), setupArg);
    const check = await page.evaluate(() => (window as unknown as { bench: Bench }).bench.check());
    const rounds = ctx.quick ? 4 : backend === 'webgpu' ? 10 : 60;
    const compared = setup.variants.filter((v) => !v.endsWith('-telemetry'));
    const perCall = await page.evaluate(([v, r]) => (window as unknown as { bench: Bench }).bench.perCall(v, r), [compared, rounds] as const);
    const session: BackendSession = { backend, setup, check, perCall };
    if (wasm) {
      const variants = ['ferry:concurrent', 'raw:sequential', ...(setup.variants.includes('ort') ? ['ort:concurrent'] : [])];
      session.workload = await page.evaluate(([v, c, r]) => (window as unknown as { bench: Bench }).bench.workload(v, c, r), [
        variants,
        CALLS,
        ctx.quick ? 3 : 20,
      ] as const);
      if (ferry['ferry-telemetry']) {
        // Issue 15: a median ≥ 0.98 with p10 ≥ 0.95, so the blocks' p10–p90 must hold within
        // ±2.5 %: 30 blocks of ABBA pairs of ~20 ms samples, timed by main-thread CPU time; pairs
        // are added until the spread holds or the figure's cap is spent (bench/lib/cpu-pairs.ts).
        // 75 s each: at 40 s the per-call figure ran out of time before its spread held in one run
        // of three on a busy machine (p10 0.944, 13:32 on 2026-12-07); the stop rule looks only at
        // the spread, so a longer cap adds pairs, never picks a reading.
        const options: CpuPairOptions = ctx.quick ? { blocks: 10, minPerBlock: 1, maxMs: 3000, warmupMs: 300 } : { maxMs: 75_000 };
        const cdp = await context.newCDPSession(page);
        const paired = (off: string, on: string, mode: 'sequential' | 'concurrent', o: CpuPairOptions) =>
          cpuPairs(
            cdp,
            (v, units, steps) =>
              page.evaluate(([n, m, c, u, s]) => (window as unknown as { bench: Bench }).bench.sample(n, m, c, u, s), [
                v === 'a' ? off : on,
                mode,
                CALLS,
                units,
                steps,
              ] as const),
            o,
          );
        const perCallT = await paired('ferry', 'ferry-telemetry', 'sequential', options);
        const workloadT = await paired('ferry', 'ferry-telemetry', 'concurrent', options);
        // Context figures, not judged: shorter caps (the whole item stays near 3 min at load 8–10).
        const contextOptions = ctx.quick ? options : { ...options, minPerBlock: 3, maxMs: 12_000 };
        const plain = {
          perCall: await paired('ferry-auto', 'ferry-auto-telemetry', 'sequential', contextOptions),
          workload: await paired('ferry-auto', 'ferry-auto-telemetry', 'concurrent', contextOptions),
        };
        // A/A control: the off variant against itself, measured the same way, must read 1; and the
        // sensitivity check: against itself plus 5 % of busy work, it must read 1 ÷ 1.05 = 0.952.
        const control = await paired('ferry', 'ferry', 'sequential', ctx.quick ? options : { ...options, maxMs: 25_000 });
        const sensitivity = await paired('ferry', 'ferry', 'sequential', { ...contextOptions, penalty: 0.05 });
        const stats = await page.evaluate(() => (window as unknown as { bench: Bench }).bench.telemetryStats('ferry-telemetry'));
        session.telemetry = { perCall: perCallT, workload: workloadT, plain, control, sensitivity, stats, sink: ctx.sink.received() };
      }
    }
    if (errors.length) throw new Error(`compare page (${backend}): ${errors.join('; ')}`);
    return session;
  } finally {
    await context.close();
  }
}

/** The measurements of `backend`'s comparison page (run once per bench run). */
export function compareSession(ctx: BenchContext, backend: BackendSession['backend']): Promise<BackendSession> {
  let m = memo.get(ctx);
  if (!m) memo.set(ctx, (m = new Map()));
  let p = m.get(backend);
  if (!p) m.set(backend, (p = measure(ctx, backend)));
  return p;
}

/** Why the comparison cannot run yet, or undefined when it can. */
export function compareMissing(ctx: BenchContext): string | undefined {
  if (ctx.deps.runtime !== true) return ctx.deps.runtime;
  if (!ctx.bundles.penguins) return 'the penguins bundle (models/penguins/<version>/) is not there yet';
  return undefined;
}
