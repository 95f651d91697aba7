// Item 6, `telemetry`: ferryml predict throughput with telemetry and drift on (a real endpoint on
// loopback that accepts OTLP/HTTP JSON) ÷ the same model with telemetry off, on one page, in
// the same interleaved rounds: per call (sequential, where a per-call cost shows most) and for
// 1,000 concurrent calls. Throughput ratio = off ms ÷ on ms.
import type { BenchContext } from '../lib/context.js';
import { judged, pending, ratioFigure, type ItemResult } from '../lib/item.js';
import { pairedRatio, summarize } from '../lib/stats.js';
import { CALLS, compareMissing, compareSession } from './compare-session.js';

const KEY = 'telemetry';
const TITLE = 'predict throughput, telemetry + drift on ÷ off (wasm)';

/** Runs the item; see the file comment. */
export async function telemetryItem(ctx: BenchContext): Promise<ItemResult> {
  const missing = compareMissing(ctx) ?? (ctx.deps.telemetry === true ? undefined : ctx.deps.telemetry);
  if (missing) return pending(KEY, TITLE, missing);
  const s = await compareSession(ctx, 'wasm');
  if (!s.telemetry) throw new Error('the comparison page did not measure the telemetry variant');
  const { perCall, workload, ...facts } = s.telemetry;
  const p = perCall.samples;
  const w = workload.samples;
  // Issue 15: free within the noise — the median ≥ 0.98 and its p10 ≥ 0.95 (the `spread` column).
  const target = { op: '>=' as const, value: 0.98 };
  const P10_FLOOR = 0.95;
  const figures = [
    ratioFigure(
      'per call',
      pairedRatio(p['ferry']!, p['ferry-telemetry']!),
      { off: summarize(p['ferry']!), on: summarize(p['ferry-telemetry']!) },
      {
        target,
        formula: 'off ms per call ÷ on ms per call',
        detail: { units: perCall.units },
      },
    ),
    ratioFigure(
      `${CALLS} concurrent`,
      pairedRatio(w['ferry:concurrent']!, w['ferry-telemetry:concurrent']!),
      { off: summarize(w['ferry:concurrent']!), on: summarize(w['ferry-telemetry:concurrent']!) },
      {
        target,
        formula: `off ms ÷ on ms for ${CALLS} concurrent calls`,
        detail: { units: workload.units },
      },
    ),
  ];
  // The spread is judged too: a median met only because the rounds scatter widely is not "free".
  for (const f of figures) {
    if (f.spread && f.spread.p10 < P10_FLOOR) {
      f.met = false;
      f.note = `p10 ${f.spread.p10} < ${P10_FLOOR}`;
    }
  }
  return judged({
    key: KEY,
    title: TITLE,
    status: 'measured',
    figures,
    facts: { telemetryInfo: s.setup.ferry['ferry-telemetry'], ...facts },
  });
}
