/**
 * `bundleFromFiles`: open a bundle from bytes already in hand (the `ferryml predict` CLI, tests,
 * a dropped folder), verified exactly as a download is. No fs; the work loads lazily.
 */
import type { BundleFromFilesOptions } from './open-local-bundle.js';
import type { OpenedBundle } from './opened-bundle.js';

export type { BundleFromFilesOptions } from './open-local-bundle.js';

/**
 * A verified {@link OpenedBundle} (source `"local"`) from a bundle's files keyed by manifest path,
 * `manifest.json` among them. Rejects with the first problem (all of them in `details.problems`).
 * @example const bundle = await bundleFromFiles(new Map([['manifest.json', bytes], ...]));
 */
export async function bundleFromFiles(files: ReadonlyMap<string, Uint8Array>, options: BundleFromFilesOptions = {}): Promise<OpenedBundle> {
  const { openLocalBundle } = await import('./open-local-bundle.js');
  return openLocalBundle(files, options);
}
