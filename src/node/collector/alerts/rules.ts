/**
 * Alert rules: the shipped defaults and the `--alert-rules FILE` format (README "Alerts").
 * A rule names one measure of one model version (`kind`), a threshold, how long the condition
 * must hold before the alert fires (`forS`) and the window of telemetry it is measured over.
 * A file overrides defaults by name, disables one with `"disabled": true`, or adds rules.
 */
import { readFileSync } from 'node:fs';
import { FerryError } from '../../../errors.js';

/** What a rule measures, per model version (and per feature or code where it says so). */
export type RuleKind =
  /** PSI of one input feature ≥ threshold (per feature). */
  | 'input_psi'
  /** PSI of one watched output (`class`, `confidence`, a regression value) ≥ threshold. */
  | 'output_psi'
  /** Failed calls / (calls + failed) ≥ threshold. */
  | 'error_rate'
  /** Validation issues / (rows + issues) ≥ threshold (an upper bound of invalid rows: a row may carry several issues). */
  | 'invalid_rate'
  /** p95 predict latency in ms > threshold (`models` sets one per model). */
  | 'latency_p95'
  /** Strange outputs of one code (NON_FINITE, NOT_NORMALIZED, CONSTANT, EMPTY) > threshold. */
  | 'strange_outputs'
  /** Telemetry records the SDK dropped (all reasons) > threshold. */
  | 'telemetry_drops'
  /** A version that reported within `lookbackS` sent nothing for the window. */
  | 'no_data';

/** One rule as written in the file (every field but `name` optional when it overrides a default). */
export interface AlertRule {
  /** The `alertname` label. */
  name: string;
  kind: RuleKind;
  threshold: number;
  /** Per-model thresholds (model name → threshold), e.g. p95 latency budgets. */
  models?: Record<string, number>;
  /** Seconds the condition must hold before firing (0: at the first evaluation). */
  forS: number;
  /** Seconds of telemetry a measure covers (ending now). */
  windowS: number;
  /** `no_data` only: how far back a version must have reported to be expected. @default 86400 */
  lookbackS?: number;
  /** The `severity` label. */
  severity: 'critical' | 'warning' | 'info';
  /** A one-line summary annotation. */
  summary: string;
  disabled?: boolean;
}

const KINDS: readonly RuleKind[] = ['input_psi', 'output_psi', 'error_rate', 'invalid_rate', 'latency_p95', 'strange_outputs', 'telemetry_drops', 'no_data'];

/** The shipped defaults: what "someone is told" means out of the box. */
export const DEFAULT_RULES: readonly AlertRule[] = [
  {
    name: 'FerrymlInputDrift',
    kind: 'input_psi',
    threshold: 0.25,
    forS: 300,
    windowS: 3600,
    severity: 'warning',
    summary: 'input feature drifted from its training baseline',
  },
  {
    name: 'FerrymlOutputDrift',
    kind: 'output_psi',
    threshold: 0.25,
    forS: 300,
    windowS: 3600,
    severity: 'warning',
    summary: 'model outputs drifted from the pack-time baseline',
  },
  { name: 'FerrymlErrorRate', kind: 'error_rate', threshold: 0.05, forS: 300, windowS: 900, severity: 'critical', summary: 'predict calls are failing' },
  {
    name: 'FerrymlInvalidRows',
    kind: 'invalid_rate',
    threshold: 0.1,
    forS: 300,
    windowS: 900,
    severity: 'warning',
    summary: 'many input rows fail validation',
  },
  { name: 'FerrymlLatencyP95', kind: 'latency_p95', threshold: 250, forS: 600, windowS: 900, severity: 'warning', summary: 'p95 predict latency above budget' },
  {
    name: 'FerrymlStrangeOutputs',
    kind: 'strange_outputs',
    threshold: 0,
    forS: 0,
    windowS: 900,
    severity: 'critical',
    summary: 'the model produced strange outputs',
  },
  {
    name: 'FerrymlTelemetryDrops',
    kind: 'telemetry_drops',
    threshold: 0,
    forS: 0,
    windowS: 900,
    severity: 'info',
    summary: 'the SDK dropped telemetry records',
  },
  {
    name: 'FerrymlNoData',
    kind: 'no_data',
    threshold: 0,
    forS: 600,
    windowS: 900,
    lookbackS: 86_400,
    severity: 'warning',
    summary: 'a model version that reported in the last day went silent',
  },
];

function fail(where: string, message: string): never {
  throw new FerryError('INVALID_OPTIONS', `${where}: ${message} (see README "Alerts" for the rule format)`, { details: { file: where } });
}

/** Checks one merged rule; throws INVALID_OPTIONS naming the rule and field. */
function checkRule(r: Partial<AlertRule>, where: string): AlertRule {
  const at = `${where}: rule "${r.name}"`;
  if (!r.kind || !KINDS.includes(r.kind)) fail(at, `"kind" must be one of ${KINDS.join(', ')}; got ${JSON.stringify(r.kind)}`);
  for (const k of ['threshold', 'forS', 'windowS'] as const) {
    const v = r[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(at, `"${k}" must be a number ≥ 0; got ${JSON.stringify(v)}`);
  }
  if ((r.windowS ?? 0) < 1) fail(at, '"windowS" must be at least 1 second');
  if (r.severity !== 'critical' && r.severity !== 'warning' && r.severity !== 'info')
    fail(at, `"severity" must be critical, warning or info; got ${JSON.stringify(r.severity)}`);
  for (const [m, v] of Object.entries(r.models ?? {}))
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(at, `models.${m} must be a number; got ${JSON.stringify(v)}`);
  return { summary: '', ...r } as AlertRule;
}

/**
 * The defaults merged with a rules document `{ "rules": [ … ] }` (an entry with a default's
 * name overrides its fields; a new name adds a rule, then `kind`, `threshold`, `forS`,
 * `windowS` and `severity` are required). Disabled rules are left out.
 */
export function mergeRules(doc: unknown, where = 'alert rules'): AlertRule[] {
  const list = (doc as { rules?: unknown } | null)?.rules;
  if (typeof doc !== 'object' || doc === null || !Array.isArray(list)) fail(where, 'expected a JSON object { "rules": [ … ] }');
  const merged = new Map<string, Partial<AlertRule>>(DEFAULT_RULES.map((r) => [r.name, { ...r }]));
  for (const [i, entry] of (list as unknown[]).entries()) {
    const e = entry as Partial<AlertRule> | null;
    if (typeof e !== 'object' || e === null || typeof e.name !== 'string' || !e.name) fail(where, `rules[${i}] needs a "name"`);
    merged.set(e.name, { ...merged.get(e.name), ...e });
  }
  return [...merged.values()].filter((r) => !r.disabled).map((r) => checkRule(r, where));
}

/** The rules in force: the defaults, or the defaults merged with `file` (JSON). */
export function loadRules(file: string | undefined): AlertRule[] {
  if (!file) return DEFAULT_RULES.map((r) => ({ ...r }));
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    fail(file, `cannot read the rules file as JSON (${(e as Error).message})`);
  }
  return mergeRules(doc, file);
}

/** The threshold of `rule` for `model`. */
export const thresholdOf = (rule: AlertRule, model: string) => rule.models?.[model] ?? rule.threshold;
