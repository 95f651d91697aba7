/**
 * Turns one row of model output into what the manifest's `output` spec says it means:
 * a label with probabilities by label and the top-k, or a value (and values by name).
 */
import { FerryError } from '../errors.js';
import type { OutputSpec } from '../model/manifest.js';

/** One label and its probability. */
export interface LabelProbability {
  label: string;
  probability: number;
}

/** A classification result. */
export interface ClassificationPrediction {
  kind: 'classification';
  /** The most probable label (first one on ties). */
  label: string;
  /** Probability of every label. */
  probabilities: Record<string, number>;
  /** The `topK` most probable labels, most probable first. */
  top: LabelProbability[];
  /** The model's raw output row (a view; copy it to keep it beyond the batch). */
  raw: Float32Array;
}

/** A regression result. */
export interface RegressionPrediction {
  kind: 'regression';
  /** The first (usually only) output. */
  value: number;
  /** Every output by name (`output.names`, else `"0"`, `"1"`, …). */
  values: Record<string, number>;
  raw: Float32Array;
}

/** What `predict()` resolves to. */
export type Prediction = ClassificationPrediction | RegressionPrediction;

/** Decodes row `index` of `output` (`outputWidth` values per row). */
export type Decoder = (output: Float32Array, index: number) => Prediction;

/** Builds the decoder for `spec`; throws `MANIFEST_INVALID` when the model's output width does not fit it. */
export function createDecoder(spec: OutputSpec, outputWidth: number, topK: number): Decoder {
  if (spec.kind === 'regression') {
    const names = spec.names ?? Array.from({ length: outputWidth }, (_, i) => String(i));
    if (names.length !== outputWidth) {
      throw new FerryError('MANIFEST_INVALID', `The manifest names ${names.length} regression outputs but the model produces ${outputWidth}`, { details: { names, outputWidth } });
    }
    return (output, index) => {
      const raw = output.subarray(index * outputWidth, (index + 1) * outputWidth);
      const values: Record<string, number> = {};
      for (let i = 0; i < outputWidth; i++) values[names[i]!] = raw[i]!;
      return { kind: 'regression', value: raw[0]!, values, raw };
    };
  }
  const labels = spec.labels;
  // One sigmoid unit for two labels: p(labels[1]) = output, p(labels[0]) = 1 − output.
  const binary = outputWidth === 1 && labels.length === 2;
  if (!binary && labels.length !== outputWidth) {
    throw new FerryError('MANIFEST_INVALID', `The manifest lists ${labels.length} labels but the model produces ${outputWidth} outputs per row`, { details: { labels, outputWidth } });
  }
  const k = Math.max(1, Math.min(topK, labels.length));
  return (output, index) => {
    const raw = output.subarray(index * outputWidth, (index + 1) * outputWidth);
    const probabilities: Record<string, number> = {};
    const top: LabelProbability[] = [];
    for (let i = 0; i < labels.length; i++) {
      const probability = binary ? (i === 1 ? raw[0]! : 1 - raw[0]!) : raw[i]!;
      probabilities[labels[i]!] = probability;
      // Insertion into a k-long sorted list: no sort, no per-label allocation beyond the entry.
      let at = top.length;
      while (at > 0 && top[at - 1]!.probability < probability) at--;
      if (at < k) {
        top.splice(at, 0, { label: labels[i]!, probability });
        if (top.length > k) top.pop();
      }
    }
    return { kind: 'classification', label: top[0]!.label, probabilities, top, raw };
  };
}
