/**
 * Decoders for models whose output is more than one vector: `raw` (every output as a named
 * typed array with its shape) and the `detection` result types (its decoder, ./detection-decoder.ts,
 * comes with the engines that run detection models). Outputs arrive packed per row (./model-io.ts);
 * the typed arrays handed out are views on the batch's buffer, which worker mode transfers rather than copies.
 */
import { FerryError } from '../errors.js';
import type { OutputTensor } from '../model/manifest.js';

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
  /**
   * `[y1, x1, y2, x2]` in pixels of the image the caller passed (its own width × height): `box`
   * mapped back through the image column's resize, centre crop or letterbox and clipped to the
   * image. Absent unless the schema has exactly one image column.
   */
  sourceBox?: [number, number, number, number];
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

export const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Where each output starts in a row; throws `MANIFEST_INVALID` unless they fill `outputWidth`. */
export function offsets(outputs: readonly OutputTensor[], outputWidth: number): Map<string, { at: number; shape: number[] }> {
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
