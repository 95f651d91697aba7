/**
 * `GET /metrics` (bearer token): Prometheus text exposition format 0.0.4, built from the read API
 * (`AlertReader`, the same `models`/`summary` JSON the dashboard reads, on either store). Counters
 * are totals over everything stored per model version; PSI gauges cover the input-drift rule's
 * window (the last hour by default). Latency buckets are the SDK's fixed histogram in seconds.
 */
import { LATENCY_BOUNDS } from '../../telemetry/histogram.js';
import type { AlertReader } from './alerts/evaluate.js';

/** One metric family: name, type, help and samples (labels → value). */
interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  help: string;
  samples: Array<{ suffix?: string; labels: Record<string, string>; value: number }>;
}

/** Label values escape backslash, double quote and newline (exposition format). */
const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labelText = (labels: Record<string, string>) => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};
const value = (v: number) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));

/** Renders families in the text format. */
export function exposition(families: readonly Family[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) lines.push(`${f.name}${s.suffix ?? ''}${labelText(s.labels)} ${value(s.value)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The families for every model version in the store at `now`. `psiWindowS`: the window of the
 * PSI gauges; `firing`: the alerts firing now (`ferryml_alerts_firing`).
 */
export async function collectMetrics(
  reader: AlertReader,
  now: number,
  psiWindowS: number,
  firing: ReadonlyArray<{ labels: Record<string, string> }> = [],
): Promise<Family[]> {
  const fam = (name: string, type: Family['type'], help: string): Family => ({ name, type, help, samples: [] });
  const predictions = fam('ferryml_predictions_total', 'counter', 'Rows predicted.');
  const calls = fam('ferryml_predict_calls_total', 'counter', 'Predict calls (micro-batches) that succeeded.');
  const errors = fam('ferryml_predict_errors_total', 'counter', 'Failed predict calls by FerryError code.');
  const latency = fam('ferryml_predict_latency_seconds', 'histogram', 'Latency of one predict call (micro-batch) in the SDK.');
  const loads = fam('ferryml_model_loads_total', 'counter', 'Model loads by where the files came from.');
  const issues = fam('ferryml_validation_issues_total', 'counter', 'Input validation issues by column and code.');
  const inputPsi = fam('ferryml_input_psi', 'gauge', `PSI of an input feature against its training baseline over the last ${psiWindowS} s.`);
  const outputPsi = fam('ferryml_output_psi', 'gauge', `PSI of a watched output against the pack-time baseline over the last ${psiWindowS} s.`);
  const strange = fam('ferryml_strange_outputs_total', 'counter', 'Strange outputs by code (NON_FINITE, NOT_NORMALIZED, CONSTANT, EMPTY).');
  const drops = fam('ferryml_telemetry_dropped_total', 'counter', 'Telemetry records the SDK dropped, by reason.');
  const alerts = fam('ferryml_alerts_firing', 'gauge', 'Alerts firing now (1 per alert).');

  for (const m of (await reader.models()).models) {
    for (const v of m.versions as Array<{ version: string | null }>) {
      const base = { model: m.name, version: v.version ?? '' };
      const range = { model: m.name, version: v.version, to: now + 1 };
      const [all, recent] = await Promise.all([reader.summary({ ...range, from: 0 }), reader.summary({ ...range, from: now - psiWindowS * 1000 })]);
      const p = all.predictions;
      predictions.samples.push({ labels: base, value: p.rows });
      calls.samples.push({ labels: base, value: p.calls });
      for (const [code, n] of Object.entries(p.errorsByCode)) errors.samples.push({ labels: { ...base, code }, value: n });
      let cumulative = 0;
      const counts = p.latency.histogram.counts;
      LATENCY_BOUNDS.forEach((bound, i) => {
        cumulative += counts[i] ?? 0;
        latency.samples.push({ suffix: '_bucket', labels: { ...base, le: String(bound / 1000) }, value: cumulative });
      });
      latency.samples.push({ suffix: '_bucket', labels: { ...base, le: '+Inf' }, value: p.calls });
      latency.samples.push({ suffix: '_sum', labels: base, value: ((p.latency.meanMs ?? 0) * p.calls) / 1000 });
      latency.samples.push({ suffix: '_count', labels: base, value: p.calls });
      for (const [source, n] of Object.entries(all.loads.sources)) loads.samples.push({ labels: { ...base, source }, value: n });
      for (const i of all.validation) issues.samples.push({ labels: { ...base, column: i.column, code: i.code }, value: i.count });
      for (const d of recent.drift) if (d.psi !== null) inputPsi.samples.push({ labels: { ...base, feature: d.feature }, value: d.psi });
      for (const d of recent.outputDrift) if (d.psi !== null) outputPsi.samples.push({ labels: { ...base, feature: d.feature }, value: d.psi });
      for (const [code, n] of Object.entries(all.strangeOutputs)) strange.samples.push({ labels: { ...base, code }, value: n });
      for (const [reason, n] of Object.entries(all.drops)) drops.samples.push({ labels: { ...base, reason }, value: n });
    }
  }
  for (const a of firing)
    alerts.samples.push({
      labels: {
        alertname: a.labels.alertname ?? '',
        model: a.labels.model ?? '',
        version: a.labels.version ?? '',
        feature: a.labels.feature ?? '',
        severity: a.labels.severity ?? '',
      },
      value: 1,
    });
  return [predictions, calls, errors, latency, loads, issues, inputPsi, outputPsi, strange, drops, alerts];
}
