// `ferryml pack`'s last check: the bundle loads through the SDK's own loader in Node on the cpu
// backend, as a browser would load it: schema compiled, manifest inputs and outputs matched to the
// model, golden rows run against their outputs, decoder built. A failure is the loader's own
// FerryError, so pack refuses with the code a browser would give (SCHEMA_INVALID,
// MANIFEST_INVALID, NO_BACKEND with GOLDEN_MISMATCH or MODEL_FAILED reasons).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Loads the bundle in `dir` on cpu and disposes it; throws what loadModel throws. */
export async function checkLoads(dir: string): Promise<void> {
  const { loadModel } = await import('../../load-model.js');
  const model = await loadModel({ files: (path: string) => readFile(join(dir, path)), backend: 'cpu', remember: false });
  await model.dispose();
}
