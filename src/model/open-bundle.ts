/**
 * `openBundle`, the entry point the runtime's `loadModel` calls. Resolution, download,
 * verification and the IndexedDB cache load on first use (a lazy chunk), which keeps them out
 * of the SDK core's size budget; the chunk is fetched while tfjs initialises its backend anyway.
 */
import { IDB_CODE } from '../cache/idb-loader.js';
import { offerIdb } from '../cache/idb-slot.js';
import type { OpenBundleOptions } from './open-bundle-options.js';
import type { OpenedBundle } from './opened-bundle.js';

/**
 * Opens a verified model bundle: resolves the version (pin > channel > rollout > stable), serves
 * it from the verified IndexedDB cache or downloads and verifies every file (sha256, size,
 * signature when `publicKey` is set), stores it atomically, and falls back to the newest cached
 * version when the network fails. Rejects with a FerryError whose `code` says what went wrong.
 * @param options see {@link OpenBundleOptions}
 * @example
 * const bundle = await openBundle({ registry: '/models/index.json', name: 'penguins' });
 * const model = await tf.loadLayersModel(bundle.ioHandler);
 */
export async function openBundle(options: OpenBundleOptions): Promise<OpenedBundle> {
  offerIdb(IDB_CODE);
  const { loadBundle } = await import('./load-bundle.js');
  return loadBundle(options);
}
