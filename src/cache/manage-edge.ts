/**
 * `modelCache` of `ferryml/edge`: the same operations as the root's (./manage.ts) on the stores an
 * edge runtime has (the Cache API; no IndexedDB code, ./idb-slot.ts).
 */
import type { modelCache as RootCache } from './manage.js';

const impl = () => import('./manage-cache.js');

export const modelCache: typeof RootCache = {
  list: async (options) => (await impl()).listCached(options),
  evict: async (name, version, options) => (await impl()).evict(name, version, options),
  clear: async (options) => (await impl()).clear(options),
  estimate: async (options) => (await impl()).storageEstimate(options),
};
