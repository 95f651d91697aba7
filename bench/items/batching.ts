// Item 2, `batching`: throughput of 1,000 concurrent ferryml predict() calls (coalesced by the
// scheduler into batched tensor calls) ÷ 1,000 sequential per-call raw tfjs predictions, wasm.
import type { BenchContext } from '../lib/context.js';
import { judged, pending, ratioFigure, type ItemResult } from '../lib/item.js';
import { pairedRatio, summarize } from '../lib/stats.js';
import { CALLS, compareMissing, compareSession } from './compare-session.js';

const KEY = 'batching';
const TITLE = `${CALLS} concurrent ferryml predict() ÷ ${CALLS} sequential raw tfjs calls (throughput, wasm)`;

/** Runs the item; see the file comment. */
export async function batchingItem(ctx: BenchContext): Promise<ItemResult> {
  const missing = compareMissing(ctx);
  if (missing) return pending(KEY, TITLE, missing);
  const s = await compareSession(ctx, 'wasm');
  const w = s.workload!.samples;
  const ferry = w['ferry:concurrent']!;
  const raw = w['raw:sequential']!;
  return judged({
    key: KEY,
    title: TITLE,
    status: 'measured',
    figures: [
      ratioFigure(
        'wasm',
        pairedRatio(raw, ferry),
        { ferryConcurrent: summarize(ferry), rawSequential: summarize(raw) },
        {
          target: { op: '>=', value: 5 },
          formula: `raw tfjs ms for ${CALLS} sequential calls ÷ ferryml ms for ${CALLS} concurrent calls`,
          detail: { unit: `ms per ${CALLS} calls` },
        },
      ),
    ],
  });
}
