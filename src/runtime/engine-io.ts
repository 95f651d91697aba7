/** The engine's view of a manifest's inputs and outputs; no tfjs import, so the load path stays lean. */
import type { InputTensor, Manifest, OutputTensor } from '../model/manifest.js';

/** `EngineInit.inputs` / `outputs` from the manifest's `model.inputs` and `raw`/`detection` outputs. */
export function engineIo(manifest: Manifest): { inputs?: InputTensor[]; outputs?: OutputTensor[] } {
  const io: { inputs?: InputTensor[]; outputs?: OutputTensor[] } = {};
  if (manifest.model.inputs) io.inputs = manifest.model.inputs;
  const out = manifest.output;
  if (out.kind === 'raw' || out.kind === 'detection') io.outputs = out.outputs;
  return io;
}
