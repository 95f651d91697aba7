/**
 * Turns one row of model output into what the manifest's `output` spec says it means:
 * a label with probabilities by label and the top-k, or a value (and values by name).
 */
import { FerryError } from '../errors.js';
import type { OutputSpec } from '../model/manifest.js';
import type { Schema } from '../schema/types.js';
import { rawDecoder } from './decode-tensors.js';
import type { detectionDecoder } from './detection-decoder.js';
import type { BatchRows } from './source-box.js';
import type { DetectionPrediction, RawPrediction } from './decode-tensors.js';

export type { Detection, DetectionPrediction, RawPrediction, RawTensor } from './decode-tensors.js';

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
export type Prediction = ClassificationPrediction | RegressionPrediction | RawPrediction | DetectionPrediction;

/**
 * Decodes row `index` of `output` (`outputWidth` values per row). `see`, where a decoder needs
 * more of a row than its output (a detection's source size), is called with each batch right after
 * its transform (`rejected`: its rows left out of the model call).
 */
export type Decoder = ((output: Float32Array, index: number) => Prediction) & {
  see?: (batch: BatchRows, rejected: Uint8Array) => void;
};

/** An object with every name as a key (value 0): spreading it gives each row's record its final shape at once. */
function template(names: readonly string[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const name of names) t[name] = 0;
  return t;
}

/**
 * Builds the decoder for `spec` (`detect`: the engine's detection decoder, for `detection` specs,
 * given the bundle's `schema` for boxes in source pixels); throws `MANIFEST_INVALID` when the
 * model's output width does not fit it.
 */
export function createDecoder(spec: OutputSpec, outputWidth: number, topK: number, detect?: typeof detectionDecoder, schema?: Schema): Decoder {
  if (spec.kind === 'raw') return rawDecoder(spec.outputs, outputWidth);
  if (spec.kind === 'detection') {
    // The engine that runs the model brings it (types.ts `Engine.detectionDecoder`): every engine that can run a detection model does.
    if (!detect)
      throw new FerryError(
        'NEEDS_TFJS',
        'Detection outputs are decoded with the tfjs engine, which runs these models: load with `engine: "tfjs"` from ferryml',
      );
    return detect(spec, outputWidth, schema);
  }
  if (spec.kind === 'regression') {
    const names = spec.names ?? Array.from({ length: outputWidth }, (_, i) => String(i));
    if (names.length !== outputWidth) {
      throw new FerryError('MANIFEST_INVALID', `The manifest names ${names.length} regression outputs but the model produces ${outputWidth}`, {
        details: { names, outputWidth },
      });
    }
    const blank = template(names);
    return (output, index) => {
      const at = index * outputWidth;
      const values = { ...blank };
      for (let i = 0; i < outputWidth; i++) values[names[i]!] = output[at + i]!;
      return { kind: 'regression', value: output[at]!, values, raw: output.subarray(at, at + outputWidth) };
    };
  }
  const labels = spec.labels;
  // One sigmoid unit for two labels: p(labels[1]) = output, p(labels[0]) = 1 − output.
  const binary = outputWidth === 1 && labels.length === 2;
  if (!binary && labels.length !== outputWidth) {
    throw new FerryError('MANIFEST_INVALID', `The manifest lists ${labels.length} labels but the model produces ${outputWidth} outputs per row`, {
      details: { labels, outputWidth },
    });
  }
  const k = Math.max(1, Math.min(topK, labels.length));
  const blank = template(labels);
  // The running top-k as label indices and probabilities, reused row after row: the only
  // objects a row allocates are the ones it returns.
  const order = new Int32Array(k);
  const best = new Float64Array(k);
  return (output, index) => {
    const at = index * outputWidth;
    const probabilities = { ...blank };
    let n = 0;
    for (let i = 0; i < labels.length; i++) {
      const probability = binary ? (i === 1 ? output[at]! : 1 - output[at]!) : output[at + i]!;
      probabilities[labels[i]!] = probability;
      // Insertion into the sorted top-k; ties keep the earlier label first.
      let j = n;
      while (j > 0 && best[j - 1]! < probability) j--;
      if (j >= k) continue;
      for (let m = Math.min(n, k - 1); m > j; m--) {
        order[m] = order[m - 1]!;
        best[m] = best[m - 1]!;
      }
      order[j] = i;
      best[j] = probability;
      if (n < k) n++;
    }
    const top: LabelProbability[] = new Array<LabelProbability>(n);
    for (let t = 0; t < n; t++) top[t] = { label: labels[order[t]!]!, probability: best[t]! };
    return { kind: 'classification', label: top[0]!.label, probabilities, top, raw: output.subarray(at, at + outputWidth) };
  };
}
