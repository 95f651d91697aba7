/** The engine's view of a manifest's inputs and outputs; no tfjs import, so the load path stays lean. */
import type { InputTensor, Manifest } from '../model/manifest.js';

/** What {@link engineIo} gives `EngineInit`. */
export interface EngineIo {
  inputs?: InputTensor[];
  outputSizes?: number[];
  outputNames?: string[];
}

/** `EngineInit.inputs` / `outputSizes` / `outputNames` from the manifest's `model.inputs` and `raw`/`detection` outputs. */
export function engineIo(manifest: Manifest): EngineIo {
  const io: EngineIo = {};
  if (manifest.model.inputs) io.inputs = manifest.model.inputs;
  const out = manifest.output;
  if (out.kind === 'raw' || out.kind === 'detection') {
    io.outputSizes = out.outputs.map((o) => o.shape.reduce((a, b) => a * b, 1));
    io.outputNames = out.outputs.map((o) => o.name);
  }
  return io;
}
