/**
 * The output baseline a bundle ships (`manifest.outputBaseline`): what the model's predictions
 * looked like on the training (or golden) rows, in the same bin/share form as the schema's input
 * baselines, so telemetry scores output drift with the same PSI. Classifiers get the predicted
 * class shares (`class`) and a top-1 probability histogram (`confidence`); regressors a value
 * histogram per output. Computed by `ferryml pack` (and `ferryml_export`); plain data, signed
 * with the manifest.
 */
import { categoricalBaseline, numericBaseline } from '../schema/baseline.js';
import type { Baseline } from '../schema/types.js';
import type { OutputSpec } from './manifest.js';

/** One watched output quantity and its baseline. */
export interface OutputFeatureBaseline {
  /** `"class"` and `"confidence"` for classifiers; the output's name for regressors. */
  name: string;
  /** Non-finite outputs count as missing. */
  baseline: Baseline;
}

/** `manifest.outputBaseline`. */
export interface OutputBaseline {
  /** Where the predictions came from: `"golden"`, `"training"`, or a file name. */
  source: string;
  /** Predictions it was computed from. */
  rows: number;
  features: OutputFeatureBaseline[];
}

/**
 * Models answer in float32, golden files and training predictions in float64 (0.7 is 0.699999988
 * as a float32): edges taken from float64 values would put a float32 answer equal to an edge in
 * the bin below. Baselines bin the float32 values the SDK will see.
 */
const f32 = Math.fround;

/** Top-1 probability of a row (a single sigmoid unit for two labels counts as p and 1 − p). */
export function topProbability(row: ArrayLike<number>, binary: boolean): { index: number; p: number } {
  if (binary) {
    const p = row[0] as number;
    return p >= 0.5 ? { index: 1, p } : { index: 0, p: 1 - p };
  }
  let index = 0;
  for (let i = 1; i < row.length; i++) if ((row[i] as number) > (row[index] as number)) index = i;
  return { index, p: row[index] as number };
}

/**
 * The baseline of `outputs` (one vector per row, as golden.json holds them) under `spec`.
 * Throws (a caller mistake at pack time) when a row's width does not fit the spec.
 */
export function computeOutputBaseline(outputs: readonly (readonly number[])[], spec: OutputSpec, source: string): OutputBaseline {
  const rows = outputs.length;
  if (spec.kind === 'classification') {
    const binary = spec.labels.length === 2 && outputs.every((r) => r.length === 1);
    const labels: string[] = [];
    const confidence: number[] = [];
    let missing = 0;
    for (const [i, r] of outputs.entries()) {
      if (!binary && r.length !== spec.labels.length)
        throw new Error(`output baseline: prediction ${i} has ${r.length} values, the spec lists ${spec.labels.length} labels`);
      if (!r.every(Number.isFinite)) {
        missing++;
        continue;
      }
      const top = topProbability(r, binary);
      labels.push(spec.labels[top.index] as string);
      confidence.push(f32(top.p));
    }
    return {
      source,
      rows,
      features: [
        { name: 'class', baseline: categoricalBaseline(spec.labels, labels, missing) },
        { name: 'confidence', baseline: numericBaseline(confidence, missing) },
      ],
    };
  }
  const width = outputs[0]?.length ?? 0;
  // raw and detection outputs (tensors, boxes) have no per-value baseline: nothing is monitored for them.
  const names = spec.kind === 'regression' ? (spec.names ?? Array.from({ length: width }, (_, i) => String(i))) : [];
  return {
    source,
    rows,
    features: names.map((name, c) => {
      const values: number[] = [];
      let missing = 0;
      for (const r of outputs) {
        const v = r[c];
        if (v === undefined || !Number.isFinite(v)) missing++;
        else values.push(f32(v));
      }
      return { name, baseline: numericBaseline(values, missing) };
    }),
  };
}
