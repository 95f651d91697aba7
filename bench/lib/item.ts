// What one benchmark item reports: one or more figures (a ratio or a byte count each), each
// with its spread, the target it is judged against, and the raw medians behind it.
import { rounded, sig, type RatioSummary, type Summary } from './stats.js';

/** A target: the figure must be `<=` or `>=` `value`. */
export interface Target {
  op: '<=' | '>=';
  value: number;
}

/** One number of an item (e.g. overhead on wasm), with what it is made of. */
export interface Figure {
  name: string;
  /** `ratio`: dimensionless, `bytes`, or `ms` for context figures that are never judged. */
  unit: 'ratio' | 'bytes' | 'ms';
  value: number;
  /** p10/p90 of the per-round ratios (ratios) or of the samples (ms). */
  spread?: { p10: number; p90: number };
  target?: Target;
  met?: boolean;
  /** How the ratio is formed, in words (e.g. "ferryml ms ÷ raw tfjs ms"). */
  formula?: string;
  /** Raw medians, spreads, repetitions, units per sample: whatever produced the value. */
  detail?: Record<string, unknown>;
  note?: string;
}

/** The outcome of one item. */
export interface ItemResult {
  key: string;
  title: string;
  status: 'measured' | 'pending' | 'error';
  /** For `pending`: what is missing; for `error`: the message. */
  reason?: string;
  figures: Figure[];
  /** All judged figures met their targets (absent when nothing was judged). */
  met?: boolean;
  /** Item-level facts (e.g. which backend the automatic policy chose). */
  facts?: Record<string, unknown>;
  seconds?: number;
}

/** Whether `value` meets `target`. */
export const meets = (value: number, target: Target) => (target.op === '<=' ? value <= target.value : value >= target.value);

/** A judged ratio figure from a paired-ratio summary and the two variants' summaries. */
export function ratioFigure(
  name: string,
  r: RatioSummary,
  parts: Record<string, Summary>,
  options: { target?: Target; formula: string; detail?: Record<string, unknown>; note?: string },
): Figure {
  const fig: Figure = {
    name,
    unit: 'ratio',
    value: sig(r.ratio),
    spread: { p10: sig(r.p10), p90: sig(r.p90) },
    formula: options.formula,
    detail: { rounds: r.rounds, ...Object.fromEntries(Object.entries(parts).map(([k, s]) => [k, rounded(s)])), ...options.detail },
  };
  if (options.target) {
    fig.target = options.target;
    fig.met = meets(r.ratio, options.target);
  }
  if (options.note) fig.note = options.note;
  return fig;
}

/** An item that could not run because a dependency is not there yet. */
export const pending = (key: string, title: string, reason: string): ItemResult => ({ key, title, status: 'pending', reason, figures: [] });

/** Fills `met` from the judged figures. */
export function judged(result: ItemResult): ItemResult {
  const judgedFigures = result.figures.filter((f) => f.met !== undefined);
  if (result.status === 'measured' && judgedFigures.length) result.met = judgedFigures.every((f) => f.met);
  return result;
}
