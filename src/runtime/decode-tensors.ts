/**
 * Decoders for models whose output is more than one vector: `raw` (every output as a named
 * typed array with its shape) and `detection` (boxes, scores and classes after score threshold
 * and non-max suppression). Outputs arrive packed per row (./model-io.ts); the typed arrays
 * handed out are views on the batch's buffer, which worker mode transfers rather than copies.
 */
import { FerryError } from '../errors.js';
import type { DetectionSpec, OutputTensor } from '../model/manifest.js';
import { nonMaxSuppression } from './nms.js';

/** One output of a `raw` prediction. */
export interface RawTensor {
  /** The row's values (a view; copy it to keep it beyond the batch). */
  data: Float32Array;
  /** Per row, without the batch dimension. */
  shape: number[];
}

/** A `raw` result: every output by name. */
export interface RawPrediction {
  kind: 'raw';
  outputs: Record<string, RawTensor>;
  raw: Float32Array;
}

/** One detected object. */
export interface Detection {
  /** `[y1, x1, y2, x2]` as the model gives them (usually 0..1 of the input image). */
  box: [number, number, number, number];
  score: number;
  /** Class index. */
  class: number;
  /** `labels[class]`, else the index as a string. */
  label: string;
}

/** A `detection` result: the kept boxes, best score first. */
export interface DetectionPrediction {
  kind: 'detection';
  detections: Detection[];
  raw: Float32Array;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Where each output starts in a row; throws `MANIFEST_INVALID` unless they fill `outputWidth`. */
function offsets(outputs: readonly OutputTensor[], outputWidth: number): Map<string, { at: number; shape: number[] }> {
  const map = new Map<string, { at: number; shape: number[] }>();
  let at = 0;
  for (const o of outputs) {
    map.set(o.name, { at, shape: o.shape });
    at += size(o.shape);
  }
  if (at !== outputWidth)
    throw new FerryError(
      'MANIFEST_INVALID',
      `The manifest's outputs hold ${at} values per row but the model produces ${outputWidth}; list every output with its shape`,
      {
        details: { outputs, outputWidth },
      },
    );
  return map;
}

/** Decoder for `{ kind: 'raw', outputs }`. */
export function rawDecoder(outputs: readonly OutputTensor[], outputWidth: number): (output: Float32Array, index: number) => RawPrediction {
  const map = [...offsets(outputs, outputWidth)];
  return (output, index) => {
    const base = index * outputWidth;
    const named: Record<string, RawTensor> = {};
    for (const [name, { at, shape }] of map) named[name] = { data: output.subarray(base + at, base + at + size(shape)), shape };
    return { kind: 'raw', outputs: named, raw: output.subarray(base, base + outputWidth) };
  };
}

/** Decoder for a {@link DetectionSpec} (its `classes` output, when given, holds one class per box). */
export function detectionDecoder(spec: DetectionSpec, outputWidth: number) {
  const map = offsets(spec.outputs, outputWidth);
  const boxes = map.get(spec.boxes)!;
  const scores = map.get(spec.scores)!;
  const classes = spec.classes === undefined ? undefined : map.get(spec.classes);
  const n = size(boxes.shape) / 4;
  const perBox = size(scores.shape) / n;
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(perBox) || perBox < 1)
    throw new FerryError(
      'MANIFEST_INVALID',
      `Detection: ${spec.boxes} [${boxes.shape.join(', ')}] and ${spec.scores} [${scores.shape.join(', ')}] do not describe the same boxes`,
      {
        details: { spec },
      },
    );
  const scoreThreshold = spec.scoreThreshold ?? 0.5;
  const iouThreshold = spec.iouThreshold ?? 0.5;
  const maxDetections = spec.maxDetections ?? 20;
  const xyxy = spec.boxFormat === 'xyxy';
  const nms = spec.nms !== false;
  const best = new Float32Array(n);
  const bestClass = new Int32Array(n);
  return (output: Float32Array, index: number): DetectionPrediction => {
    const base = index * outputWidth;
    // Per box: its best class (skipping the background class) and that class's score. With a
    // `classes` output the one score column is no class index: the class comes from that output.
    for (let b = 0; b < n; b++) {
      const s = base + scores.at + b * perBox;
      let top = -Infinity;
      let cls = 0;
      for (let c = 0; c < perBox; c++) {
        if ((classes || c !== spec.background) && output[s + c]! > top) {
          top = output[s + c]!;
          cls = c;
        }
      }
      best[b] = top;
      // Class outputs are floats, not always whole (1.988 seen from a TF OD API model on tfjs cpu).
      bestClass[b] = classes ? Math.round(output[base + classes.at + b]!) : cls;
      if (classes && bestClass[b] === spec.background) best[b] = -Infinity;
    }
    // Without NMS an IoU above 1 suppresses nothing: threshold, best first, at most maxDetections.
    const kept = nonMaxSuppression(output, base + boxes.at, best, maxDetections, nms ? iouThreshold : Infinity, scoreThreshold);
    const detections = kept.map((b): Detection => {
      const p = base + boxes.at + 4 * b;
      const box: Detection['box'] = xyxy
        ? [output[p + 1]!, output[p]!, output[p + 3]!, output[p + 2]!]
        : [output[p]!, output[p + 1]!, output[p + 2]!, output[p + 3]!];
      const cls = bestClass[b]!;
      return { box, score: best[b]!, class: cls, label: spec.labels?.[cls] ?? String(cls) };
    });
    return { kind: 'detection', detections, raw: output.subarray(base, base + outputWidth) };
  };
}
