// Item 8, `backends`: per-call latency (batch 1, sequential predict) of every backend on every
// shipped model, and whether the SDK's automatic policy chose the fastest measured one.
// One page per forced backend (tfjs runs one backend per page); wasm and cpu rounds alternate
// between their pages so drift hits both; webgpu is measured on its own afterwards. The automatic choice is read from a fresh browser context
// (nothing remembered), with the SDK's default options.
import type { BackendName } from '../../src/index.js';
import type { BenchContext } from '../lib/context.js';
import { bundleSource, openPage } from '../lib/context.js';
import { judged, pending, type Figure, type ItemResult } from '../lib/item.js';
import { pairedRatio, rounded, sig, summarize } from '../lib/stats.js';

const KEY = 'backends';
const TITLE = 'per-call latency per backend per model; automatic choice = fastest measured?';
const BACKENDS: BackendName[] = ['webgpu', 'wasm', 'cpu'];

type Bench = {
  setup(options: unknown, golden: string): Promise<Record<string, unknown> & { backend: BackendName }>;
  sample(units: number): Promise<{ ms: number; units: number }>;
};

/** Runs the item; see the file comment. */
export async function backendsItem(ctx: BenchContext): Promise<ItemResult> {
  if (ctx.deps.runtime !== true) return pending(KEY, TITLE, ctx.deps.runtime);
  const models = (['penguins', 'digits'] as const).filter((n) => ctx.bundles[n]);
  if (!models.length) return pending(KEY, TITLE, 'no shipped bundle is there yet');
  const figures: Figure[] = [];
  const facts: Record<string, unknown> = {};
  const missingModels = (['penguins', 'digits'] as const).filter((n) => !ctx.bundles[n]);
  if (missingModels.length) facts['notMeasured'] = missingModels.map((n) => `${n}: bundle not there yet`);
  for (const name of models) {
    const b = ctx.bundles[name]!;
    const where = { ...bundleSource(ctx.root, b), remember: false, cache: { dbName: 'ferryml-bench-backends' } };
    const golden = `${b.url}/${b.manifest.golden ?? 'golden.json'}`;
    const opened: Array<Awaited<ReturnType<typeof openPage>>> = [];
    try {
      // The automatic choice first, in its own fresh context, with default options.
      const autoPage = await openPage(ctx, 'backends');
      opened.push(autoPage);
      const auto = await autoPage.page.evaluate(([o, g]) => (window as unknown as { bench: Bench }).bench.setup(o, g), [
        bundleSource(ctx.root, b),
        golden,
      ] as const);
      await autoPage.context.close();
      // Phase 1: wasm and cpu pages side by side, alternating round by round. Phase 2: webgpu on
      // its own — an open WebGPU (SwiftShader) page keeps the GPU process busy, which on 2 cores
      // slowed the other pages' calls ~10× when they were open together.
      const samples: Partial<Record<BackendName, number[]>> = {};
      const units: Partial<Record<BackendName, number>> = {};
      const infos: Partial<Record<BackendName, Record<string, unknown>>> = {};
      const failed: Record<string, string> = {};
      const rounds = ctx.quick ? 3 : 15;
      for (const phase of [['wasm', 'cpu'], ['webgpu']] as BackendName[][]) {
        const pages: Partial<Record<BackendName, (units: number) => Promise<{ ms: number; units: number }>>> = {};
        for (const backend of phase) {
          const p = await openPage(ctx, 'backends');
          opened.push(p);
          try {
            infos[backend] = await p.page.evaluate(([o, g]) => (window as unknown as { bench: Bench }).bench.setup(o, g), [
              { ...where, backend },
              golden,
            ] as const);
            pages[backend] = (u) => p.page.evaluate((n) => (window as unknown as { bench: Bench }).bench.sample(n), u);
          } catch (error) {
            failed[backend] = (error as Error).message.split('\n')[0]!;
            await p.context.close();
          }
        }
        const up = phase.filter((x) => pages[x]);
        for (const x of up) units[x] = (await pages[x]!(0)).units; // calibrate (~15 ms a sample)
        for (const x of up) samples[x] = [];
        const n = phase.includes('webgpu') ? Math.min(rounds, 5) : rounds;
        for (let r = 0; r < n; r++) {
          for (const x of r % 2 ? [...up].reverse() : up) samples[x]!.push((await pages[x]!(units[x]!)).ms);
        }
        for (const p of opened.splice(0)) await p.context.close().catch(() => {});
      }
      const up = BACKENDS.filter((x) => samples[x]);
      const medians = Object.fromEntries(up.map((x) => [x, summarize(samples[x]!)]));
      const fastest = up.reduce((a, x) => (medians[x]!.median < medians[a]!.median ? x : a));
      const chosen = auto.backend;
      // Paired per round when both ran in the same phase; webgpu ran alone, so against it only medians compare.
      const paired = samples[chosen]?.length === samples[fastest]!.length;
      const vsFastest = !samples[chosen]
        ? undefined
        : paired
          ? pairedRatio(samples[chosen], samples[fastest]!)
          : { ratio: medians[chosen]!.median / medians[fastest]!.median, p10: Number.NaN, p90: Number.NaN, rounds: 0 };
      const tie = chosen !== fastest && paired && vsFastest !== undefined && vsFastest.p10 <= 1;
      for (const x of up) {
        figures.push({
          name: `${name}: ${x} ms per call`,
          unit: 'ms',
          value: sig(medians[x]!.median),
          spread: { p10: sig(medians[x]!.p10), p90: sig(medians[x]!.p90) },
          detail: { ...rounded(medians[x]!), units: units[x], load: infos[x] },
        });
      }
      figures.push({
        name: `${name}: automatic choice ${chosen}, fastest ${fastest}`,
        unit: 'ratio',
        value: vsFastest ? sig(vsFastest.ratio) : Number.NaN,
        ...(vsFastest && paired ? { spread: { p10: sig(vsFastest.p10), p90: sig(vsFastest.p90) } } : {}),
        target: { op: '<=', value: 1 },
        met: chosen === fastest || tie,
        formula: 'chosen backend ms ÷ fastest backend ms (1 when the choice is the fastest)',
        ...(tie ? { note: `${chosen} is not the fastest median, but the per-round ratio's p10 is ≤ 1: a tie within this machine's noise` } : {}),
        detail: { auto, failedToComeUp: failed },
      });
      facts[name] = { chosen, decision: auto['decision'], fastest, rejected: auto['rejected'], failedToComeUp: failed };
    } finally {
      for (const p of opened) await p.context.close().catch(() => {});
    }
  }
  return judged({ key: KEY, title: TITLE, status: 'measured', figures, facts });
}
