/**
 * `fileCache(dir)`: the file-system cache store for server runtimes (Node, Bun, Deno), handed to
 * `loadModel({ cache: { store } })`. Opt-in from `ferryml/node` only, so no browser or edge bundle
 * ever reaches `node:fs`.
 */
import { FerryError } from '../../errors.js';
import { createFsStore, realDir, type FsStoreOptions } from './fs-store.js';
import type { KvStore } from '../../cache/kv-store.js';

// One handle per real directory and quota in this process. Handles on one directory with different
// quotas share its transaction queue (./fs-store.ts): only `storage.estimate()` differs.
const handles = new Map<string, KvStore>();

/**
 * A cache store in directory `dir` (created when first written): verified bundle files by sha256,
 * one record per version, written atomically; safe for several processes sharing the directory.
 * @param dir the cache directory, e.g. `/var/cache/my-app/ferryml`; relative paths resolve against the working directory, symbolic links to the directory they name
 * @param options `quota`: what this handle's `storage.estimate()` reports; handles on one directory share one transaction queue whatever their quota
 * @example
 * import { loadModel } from 'ferryml/edge';
 * import { fileCache } from 'ferryml/node';
 * const model = await loadModel({ registry: 'https://models.example.com/index.json', name: 'penguins', cache: { store: fileCache('/var/cache/my-app/ferryml') } });
 */
export function fileCache(dir: string, options: FsStoreOptions = {}): KvStore {
  if (typeof dir !== 'string' || dir.trim() === '')
    throw new FerryError('INVALID_OPTIONS', `fileCache: \`dir\` must be a non-empty directory path (e.g. "/var/cache/my-app/ferryml"), got ${describe(dir)}`, {
      details: { scope: 'fileCache', option: 'dir', got: describe(dir) },
    });
  const quota = options.quota;
  if (quota !== undefined && !(typeof quota === 'number' && quota >= 0))
    throw new FerryError('INVALID_OPTIONS', `fileCache: \`quota\` must be a number of bytes ≥ 0, got ${describe(quota)}`, {
      details: { scope: 'fileCache', option: 'quota', got: describe(quota) },
    });
  const key = `${realDir(dir)}\0${quota ?? ''}`;
  let handle = handles.get(key);
  if (!handle) handles.set(key, (handle = createFsStore(dir, options)));
  return handle;
}

const describe = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : v === null ? 'null' : typeof v === 'number' ? String(v) : typeof v);
