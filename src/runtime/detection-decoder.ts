/**
 * The `detection` decoder: boxes, scores and classes after score threshold and non-max
 * suppression. In a module of its own so that it comes with the engines that run detection
 * models (tfjs, worker mode), not with ferryml/lite.
 */
import { FerryError } from '../errors.js';
import type { DetectionSpec } from '../model/manifest.js';
import { offsets, size } from './decode-tensors.js';
import type { Detection, DetectionPrediction } from './decode-tensors.js';
import { nonMaxSuppression } from './nms.js';
import type { Schema } from '../schema/types.js';
import { sourceBoxes } from './source-box.js';
import type { Decoder } from './decode.js';

/**
 * Decoder for a {@link DetectionSpec} (its `classes` output, when given, holds one class per box).
 * With the bundle's `schema` and its one image column, each detection also gets `sourceBox`, from
 * the source sizes that `see` records right after each batch's transform.
 */
export function detectionDecoder(
  spec: DetectionSpec,
  outputWidth: number,
  schema?: Schema,
): ((output: Float32Array, index: number) => DetectionPrediction) & Pick<Decoder, 'see'> {
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
  // With a classes output each box has one score and one class (TF OD API post-processed heads).
  const odd = !classes ? undefined : perBox !== 1 ? scores : size(classes.shape) !== n ? classes : undefined;
  if (odd) {
    const name = odd === scores ? spec.scores : spec.classes!;
    throw new FerryError(
      'MANIFEST_INVALID',
      `Detection: output "${name}" has shape [${odd.shape.join(', ')}], expected [${n}] (one per box of "${spec.boxes}") when output.classes is given; scores per class ([${n}, classes]) go without output.classes`,
      { details: { output: name, expected: [n], got: odd.shape } },
    );
  }
  const scoreThreshold = spec.scoreThreshold ?? 0.5;
  const iouThreshold = spec.iouThreshold ?? 0.5;
  const maxDetections = spec.maxDetections ?? 20;
  const xyxy = spec.boxFormat === 'xyxy';
  const nms = spec.nms !== false;
  const perClass = spec.nms === 'per-class';
  const best = new Float32Array(n);
  const bestClass = new Int32Array(n);
  const source = schema && sourceBoxes(schema, spec.boxUnits === 'pixels');
  const decode = (output: Float32Array, index: number): DetectionPrediction => {
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
    const kept = nonMaxSuppression(
      output,
      base + boxes.at,
      best,
      maxDetections,
      nms ? iouThreshold : Infinity,
      scoreThreshold,
      perClass ? bestClass : undefined,
    );
    const toSource = source?.row(index);
    const detections = kept.map((b): Detection => {
      const p = base + boxes.at + 4 * b;
      const box: Detection['box'] = xyxy
        ? [output[p + 1]!, output[p]!, output[p + 3]!, output[p + 2]!]
        : [output[p]!, output[p + 1]!, output[p + 2]!, output[p + 3]!];
      const cls = bestClass[b]!;
      const detection: Detection = { box, score: best[b]!, class: cls, label: spec.labels?.[cls] ?? String(cls) };
      if (toSource) detection.sourceBox = toSource(box);
      return detection;
    });
    return { kind: 'detection', detections, raw: output.subarray(base, base + outputWidth) };
  };
  return source ? Object.assign(decode, { see: source.see }) : decode;
}
