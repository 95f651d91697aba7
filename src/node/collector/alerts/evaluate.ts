/**
 * One evaluation of the alert rules: for every model version that reported within the lookback,
 * each rule's measure over its window, read through the read API (`AlertReader`: the same
 * `models` and `summary` JSON the dashboard reads, whichever store serves them), never with SQL
 * of its own. Returns the conditions that hold now; ./state.ts turns them into alerts.
 */
import type { Range } from '../queries.js';
import type { models, summary } from '../read-api.js';
import { thresholdOf } from './rules.js';
import type { AlertRule } from './rules.js';

/** The read API the rules need: what `GET /api/models` and `GET /api/summary` answer. */
export interface AlertReader {
  models(): ReturnType<typeof models>;
  summary(range: Range): ReturnType<typeof summary>;
}

type Summary = Awaited<ReturnType<AlertReader['summary']>>;

/** A rule's condition for one model version (and feature or code) with the measured value. */
export interface Condition {
  rule: AlertRule;
  model: string;
  version: string;
  /** The input feature, watched output or strange-output code; `""` when the rule has none. */
  feature: string;
  value: number;
  threshold: number;
  /** Whether the condition holds now. */
  active: boolean;
}

const DAY_S = 86_400;

/** Whether a rule's alert (no feature) fires now for a model version (`""`: sent without one). */
export type FiringNow = (alertname: string, model: string, version: string) => boolean;

/**
 * Evaluates `rules` at `now` (epoch ms); one entry per rule × version × feature that was measured.
 * A version silent for longer than a `no_data` rule's lookback is no longer expected to report,
 * except while that rule's alert fires for it (`firing`): it is still measured, so the alert
 * resolves when data comes back (or when retention deletes the version's records), never because
 * the silence outlasted the lookback.
 */
export async function evaluateRules(reader: AlertReader, rules: readonly AlertRule[], now: number, firing: FiringNow = () => false): Promise<Condition[]> {
  const out: Condition[] = [];
  const lookback = Math.max(DAY_S, ...rules.map((r) => r.lookbackS ?? 0)) * 1000;
  const silentFiring = (model: string, version: string | null) => rules.some((r) => r.kind === 'no_data' && firing(r.name, model, version ?? ''));
  const versions = (await reader.models()).models.flatMap((m) =>
    (m.versions as Array<{ version: string | null; lastMs: number }>)
      .filter((v) => v.lastMs >= now - lookback || silentFiring(m.name, v.version))
      .map((v) => ({ model: m.name, version: v.version, lastMs: v.lastMs })),
  );
  // One summary per version and distinct window, shared by the rules that use that window.
  const cache = new Map<string, Promise<Summary>>();
  const read = (model: string, version: string | null, windowS: number) => {
    const key = JSON.stringify([model, version, windowS]);
    let s = cache.get(key);
    if (!s) cache.set(key, (s = reader.summary({ model, version, from: now - windowS * 1000, to: now + 1 })));
    return s;
  };
  for (const v of versions) {
    for (const rule of rules) {
      const threshold = thresholdOf(rule, v.model);
      const push = (feature: string, value: number, active: boolean) =>
        out.push({ rule, model: v.model, version: v.version ?? '', feature, value, threshold, active });
      if (rule.kind === 'no_data') {
        if (v.lastMs >= now - (rule.lookbackS ?? DAY_S) * 1000 || firing(rule.name, v.model, v.version ?? ''))
          push('', (now - v.lastMs) / 1000, v.lastMs < now - rule.windowS * 1000);
        continue;
      }
      if (v.lastMs < now - lookback) continue; // kept for a firing no_data alert only: nothing else to measure
      const s = await read(v.model, v.version, rule.windowS);
      const p = s.predictions;
      switch (rule.kind) {
        case 'input_psi':
        case 'output_psi':
          for (const d of rule.kind === 'input_psi' ? s.drift : s.outputDrift) if (d.psi !== null) push(d.feature, d.psi, d.psi >= threshold);
          break;
        case 'error_rate':
          if (p.calls + p.errors > 0) push('', p.errorRate, p.errorRate >= threshold);
          break;
        case 'invalid_rate': {
          const issues = s.validation.reduce((n, i) => n + i.count, 0);
          if (p.rows + issues > 0) push('', issues / (p.rows + issues), issues / (p.rows + issues) >= threshold);
          break;
        }
        case 'latency_p95':
          if (p.latency.p95 !== null) push('', p.latency.p95, p.latency.p95 > threshold);
          break;
        case 'strange_outputs':
          for (const [code, n] of Object.entries(s.strangeOutputs)) push(code, n, n > threshold);
          break;
        case 'telemetry_drops': {
          const n = Object.values(s.drops).reduce((a, b) => a + b, 0);
          if (n > 0 || s.dropReports > 0) push('', n, n > threshold);
          break;
        }
      }
    }
  }
  return out;
}
