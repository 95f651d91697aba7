/**
 * `ferryml/node`: what only server runtimes (Node, Bun, Deno) can use — the file-system cache
 * store. Kept out of the root, `ferryml/lite` and `ferryml/edge` so no browser or Worker bundle
 * reaches `node:fs`; pair it with either's `loadModel`.
 */
export { fileCache } from './cache/file-cache.js';
export type { FsStoreOptions } from './cache/fs-store.js';
export type { KvStore, KvTransaction, StorageLike } from '../cache/kv-store.js';
