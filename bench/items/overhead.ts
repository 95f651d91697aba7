// Item 1, `overhead`: ferryml's end-to-end predict(row) (validate + transform + schedule + infer +
// decode) ÷ the hand-written raw tfjs pipeline (hand-made features → tensor → LayersModel.predict
// → data() → arg-max) on the same backend, batch 1: wasm and cpu, and webgpu when it comes up.
// Context (not judged): ferryml with `lean: false`, i.e. through LayersModel.predict like the
// baseline, which isolates the SDK's own per-call cost from its fused-op path.
import type { BenchContext } from '../lib/context.js';
import { judged, pending, ratioFigure, type Figure, type ItemResult } from '../lib/item.js';
import { pairedRatio, summarize } from '../lib/stats.js';
import { compareMissing, compareSession, type BackendSession } from './compare-session.js';

const KEY = 'overhead';
const TITLE = 'ferryml predict(row) ÷ hand-written raw tfjs, batch 1, same backend';

/** Runs the item; see the file comment. */
export async function overheadItem(ctx: BenchContext): Promise<ItemResult> {
  const missing = compareMissing(ctx);
  if (missing) return pending(KEY, TITLE, missing);
  const figures: Figure[] = [];
  const facts: Record<string, unknown> = {};
  for (const backend of ['wasm', 'cpu', 'webgpu'] as const) {
    let s: BackendSession;
    try {
      s = await compareSession(ctx, backend);
    } catch (error) {
      if (backend !== 'webgpu') throw error;
      facts['webgpu'] = `not measured: ${(error as Error).message.split('\n')[0]}`;
      continue;
    }
    for (const [variant, diff] of Object.entries(s.check)) {
      if (!(diff <= 1e-5))
        throw new Error(`${backend}: ${variant} differs from raw tfjs by ${diff} on the golden rows (> 1e-5): not the same math, no figures`);
    }
    const samples = s.perCall.samples;
    const detail = { units: s.perCall.units, ferryInfo: s.setup.ferry['ferry'], maxAbsDiffVsRaw: s.check['ferry'] };
    figures.push(
      ratioFigure(
        backend,
        pairedRatio(samples['ferry']!, samples['raw']!),
        { ferry: summarize(samples['ferry']!), raw: summarize(samples['raw']!) },
        {
          target: { op: '<=', value: 1.1 },
          formula: 'ferryml ms per predict ÷ raw tfjs ms per predict',
          detail,
        },
      ),
    );
    if (samples['ferry-nolean']) {
      figures.push(
        ratioFigure(
          `${backend}, lean: false (context)`,
          pairedRatio(samples['ferry-nolean'], samples['raw']!),
          { ferryNoLean: summarize(samples['ferry-nolean']), raw: summarize(samples['raw']!) },
          {
            formula: 'ferryml (LayersModel.predict path) ms ÷ raw tfjs ms',
            detail: { ferryInfo: s.setup.ferry['ferry-nolean'] },
          },
        ),
      );
    }
  }
  return judged({ key: KEY, title: TITLE, status: 'measured', figures, facts });
}
