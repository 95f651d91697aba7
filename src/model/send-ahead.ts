/**
 * loadModel's head start on IndexedDB platforms (moved out of ./load-bundle.ts, reached through
 * ../cache/idb-slot.ts, so `ferryml/edge` leaves it out): a pinned version's manifest and files
 * requested before the cache has answered. On a fresh profile (nothing ever stored in this
 * database) they go out at once; a returning visitor's database answers first, and they go out only
 * when it lacks the version. When the cache turns out to hold it, everything requested ahead but
 * the registry is aborted (the registry may still revoke the version).
 */
import { readRecord } from '../cache/bundle-cache.js';
import type { EarlyRead } from '../cache/early-idb.js';
import type { IdbCode } from '../cache/idb-slot.js';
import type { KvStore } from '../cache/kv-store.js';
import type { BundlePhase } from './bundle-phases.js';
import { fetchEarly, type EarlyFetch } from './early-fetch.js';
import type { NormalizedOpenBundleOptions } from './open-bundle-options.js';
import type { Ahead } from './prefetch-files.js';
import { versionUrl } from './resolve-target.js';

export interface SendAhead {
  opts: NormalizedOpenBundleOptions;
  registry: URL;
  name: string;
  version: string;
  storeReady: Promise<KvStore | undefined>;
  /** The SDK core's early IndexedDB read, when it made one. */
  cached: Promise<EarlyRead | undefined> | undefined;
  /** The core's own early request (the registry), never aborted here. */
  coreEarly: EarlyFetch | undefined;
  /** Nothing was ever stored in this database on this origin (../cache/stored-hint.ts). */
  fresh: boolean;
  ahead: Ahead;
  mark: ((phase: BundlePhase) => void) | undefined;
  /** Whether the download began (it then requests what it needs itself). */
  downloadStarted: () => boolean;
  idb: IdbCode;
}

export function sendAhead(s: SendAhead): void {
  const { opts, registry, name, version, storeReady, ahead, mark } = s;
  const early = ahead.list;
  const fromStore = () => storeReady.then((st) => (st ? readRecord(st, name, version).then((r) => r !== undefined) : false));
  const inCache = (s.cached ? s.cached.then((read) => (read ? read.cached !== undefined : fromStore())) : fromStore()).catch(() => false);
  const requestAhead = () => {
    const baseUrl = versionUrl(registry, name, version);
    const url = `${baseUrl}manifest.json`;
    if (early.some((e) => e.url === url && e.cache === 'no-cache')) return;
    const manifest = fetchEarly(url, 'no-cache', opts.fetch, opts.signal);
    early.push(manifest);
    // A signed version's files wait for its manifest's signature (./download-version.ts).
    if (!opts.publicKey) s.idb.prefetchFiles({ manifest, baseUrl, name, version, fetch: opts.fetch, signal: opts.signal, ahead, mark });
  };
  // The SDK core has sent them already when it could (./prefetch-files.ts `sendAheadEarly`).
  if (s.fresh) requestAhead();
  void inCache.then((cached) => {
    mark?.('cacheReadAt');
    if (!cached) {
      if (!s.fresh && !s.downloadStarted() && !ahead.stopped && !opts.signal?.aborted) requestAhead();
      return;
    }
    ahead.stopped = true;
    // Everything requested ahead but the registry (the version may still be revoked); abort() marks
    // it taken, so that a download after all (a cached copy that fails its check) asks afresh.
    for (const e of early) if (e !== s.coreEarly && !e.taken) e.abort();
  });
}
