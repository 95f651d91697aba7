/** The engine's view of a manifest's inputs and outputs; no tfjs import, so the load path stays lean. */
import type { InputTensor, Manifest } from '../model/manifest.js';
import type { Schema } from '../schema/types.js';

/** One image column's values in a transformed row: where they start and their `[height, width, channels]`. */
export interface ImageRange {
  column: string;
  offset: number;
  shape: [number, number, number];
}

/** What {@link engineIo} gives `EngineInit`. */
export interface EngineIo {
  inputs?: InputTensor[];
  outputSizes?: number[];
  outputNames?: string[];
  images?: ImageRange[];
}

/**
 * `EngineInit.inputs` / `outputSizes` / `outputNames` from the manifest's `model.inputs` and
 * `raw`/`detection` outputs, and `images` from the schema's image columns (formatVersion 2 ranges).
 */
export function engineIo(manifest: Manifest, schema?: Schema): EngineIo {
  const io: EngineIo = {};
  if (manifest.model.inputs) io.inputs = manifest.model.inputs;
  const out = manifest.output;
  if (out.kind === 'raw' || out.kind === 'detection') {
    io.outputSizes = out.outputs.map((o) => o.shape.reduce((a, b) => a * b, 1));
    io.outputNames = out.outputs.map((o) => o.name);
  }
  const images: ImageRange[] = [];
  let at = 0;
  for (const f of schema?.features ?? []) {
    if (typeof f === 'string') {
      at++;
      continue;
    }
    const step = schema!.columns.find((c) => c.name === f.column)?.steps.find((s) => s.kind === 'image');
    if (step?.kind === 'image') images.push({ column: f.column, offset: at, shape: [step.height, step.width, step.channels] });
    at += f.count;
  }
  if (images.length) io.images = images;
  return io;
}
