/** The engine's view of a manifest's inputs and outputs; no tfjs import, so the load path stays lean. */
import type { InputTensor, Manifest } from '../model/manifest.js';

/** `EngineInit.inputs` / `outputSizes` from the manifest's `model.inputs` and `raw`/`detection` outputs. */
export function engineIo(manifest: Manifest): { inputs?: InputTensor[]; outputSizes?: number[] } {
  const io: { inputs?: InputTensor[]; outputSizes?: number[] } = {};
  if (manifest.model.inputs) io.inputs = manifest.model.inputs;
  const out = manifest.output;
  if (out.kind === 'raw' || out.kind === 'detection') io.outputSizes = out.outputs.map((o) => o.shape.reduce((a, b) => a * b, 1));
  return io;
}
