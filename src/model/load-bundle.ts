/**
 * The implementation behind `openBundle` (loaded lazily, see ./open-bundle.ts): resolve a version (pin > channel > rollout > stable), serve it from the verified
 * cache or download and verify it (sharing the download with concurrent callers), store it
 * atomically, and fall back to the newest cached version when the network fails.
 */
import { readRecord, touchRecord } from '../cache/bundle-cache.js';
import type { EarlyRead } from '../cache/early-idb.js';
import type { KvStore } from '../cache/kv-store.js';
import { openStore } from '../cache/open-store.js';
import { FerryError, isFerryError } from '../errors.js';
import { assemble } from './assemble.js';
import { downloadVersion } from './download-version.js';
import { browserOffline, type FetchPolicy } from './fetch-bytes.js';
import { offlineFallback } from './offline-fallback.js';
import { normalizeOptions, type BundleProgress, type NormalizedOpenBundleOptions, type OpenBundleOptions } from './open-bundle-options.js';
import type { BundleCacheStatus, BundleSource, OpenedBundle, ResolvedBy } from './opened-bundle.js';
import { readCachedVersion } from './read-cached-version.js';
import { resolveTarget, type Target } from './resolve-target.js';
import { isRegistryTrustError, manifestKeys } from './registry-trust.js';
import { createInflightGroup } from './share-inflight.js';
import type { EarlyFetch } from './early-fetch.js';
import { persistence, storeVersion } from './store-version.js';
import type { VerifiedVersion } from './verified-version.js';
import { RETRY_STATUS } from '../http-retry.js';
import type { BundlePhase, PhaseClock } from './bundle-phases.js';
import type { Ahead } from './prefetch-files.js';
import { loadIdb } from '../cache/idb-slot.js';
import { idbWriteKey, pend, writes } from '../cache/pending-writes.js';

type Fetched = { version: VerifiedVersion; status: BundleCacheStatus; stored?: Promise<BundleCacheStatus> };
const downloads = createInflightGroup<Fetched>();

/** How `loadModel` opens a bundle; `openBundle` keeps the default. */
export interface LoadBundleMode {
  /**
   * Resolve as soon as the version is verified and persist it after: `cache.pending` is set and
   * `stored` settles with the write's status. Without it the write is awaited (openBundle's contract).
   */
  deferStore?: boolean;
  /** The registry request `loadModel` started before this code arrived (./early-fetch.ts); taken over, not repeated. */
  early?: EarlyFetch | undefined;
  /** What `loadModel` requested ahead for the pinned version on a fresh profile: its manifest, then its files (./prefetch-files.ts). */
  ahead?: Ahead | undefined;
  /** What `loadModel` read of the pinned version before this code arrived (../cache/early-idb.ts). */
  cached?: Promise<EarlyRead | undefined> | undefined;
  /** Where each step's finish is marked (./bundle-phases.ts). */
  phases?: PhaseClock | undefined;
  /**
   * With `deferStore` on a fresh profile: the database is created (and the version written) once
   * this settles — loadModel settles it after its answer, so that creating the database, tens of ms
   * of the browser's CPU, does not compete with the schema, engine and first prediction.
   */
  storeAfter?: Promise<void> | undefined;
}
const ids = new WeakMap<object, number>();
let nextId = 1;
const idOf = (o: object) => ids.get(o) ?? (ids.set(o, nextId), nextId++);

/**
 * Loads share a download only where it is the same download: the same cache (`where`: the store,
 * a fresh profile's database, none) and its limits (the shared task stores and evicts by them), the
 * key that verifies it, the caller's `fetch` (auth headers), timeout and retries, which the shared
 * task uses, and whether the write is awaited (`openBundle`) or deferred (`loadModel`).
 */
function shareKey(where: string, baseUrl: string, opts: NormalizedOpenBundleOptions, fetchGiven: typeof fetch | undefined, mode: LoadBundleMode): string {
  // Keys by value (a JWK's point; a CryptoKey by identity), so equal key lists share a download.
  const keyPart = [opts.publicKey ?? []]
    .flat()
    .map((k) => ('kty' in k ? `${k.x ?? ''}.${k.y ?? ''}` : idOf(k)))
    .join(',');
  const c = opts.cache;
  const limits = c ? `${c.maxVersions},${c.maxBytes},${c.persist}` : '';
  return `${where}|${baseUrl}|${keyPart}|${fetchGiven ? idOf(fetchGiven) : ''}|${opts.downloadTimeoutMs},${opts.retries},${opts.backoffMs}|${limits}|${mode.deferStore ? 'defer' : 'await'}`;
}

/**
 * Failures a cached version can stand in for: no answer (transport, a retryable status) and, from
 * the registry (`registry`), no usable one — any other status, a captive portal's HTML, bytes that
 * are not a registry — which can revoke nothing. Integrity and resolution failures never are: a
 * registry that parsed and revokes or lacks the version wins.
 */
function noAnswer(error: unknown, registry: boolean): error is FerryError {
  if (!isFerryError(error)) return false;
  const { code } = error;
  if (code === 'NETWORK_ERROR' || code === 'TIMEOUT' || (registry && (code === 'HTTP_ERROR' || code === 'UNEXPECTED_CONTENT' || code === 'REGISTRY_INVALID')))
    return true;
  const status = error.details.status as number | undefined;
  return code === 'HTTP_ERROR' && status !== undefined && RETRY_STATUS.has(status);
}

/** Opens a verified model bundle; see `openBundle` for the contract. */
export async function loadBundle(options: OpenBundleOptions, mode: LoadBundleMode = {}): Promise<OpenedBundle> {
  const started = performance.now();
  const opts = normalizeOptions(options);
  const { registry, name: pinnedName, version: pinnedVersion } = opts;
  const hintDb = opts.cache && !opts.cache.store && !opts.cache.bucket ? opts.cache.dbName : undefined;
  // Only where IndexedDB is offered (not in ferryml/edge, ../cache/idb-slot.ts).
  const idbCode = loadIdb();
  // IndexedDB opens (slow on a fresh profile) while the registry is fetched: nothing waits for it
  // before the first request, and what needs the store awaits it there. Except for loadModel's
  // pinned version on a fresh profile (nothing ever stored in this database on this origin,
  // ../cache/stored-hint.ts): the cache cannot serve it, and creating the database there costs tens
  // of ms of the browser's CPU (BENCHMARKS.md, issue 15) while the registry, manifest and files are
  // on the wire, so it is opened once the download is verified (to store it behind the answer), or
  // as soon as anything needs the store before that (a failed request looking for a cached version).
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const limits = opts.cache;
  // (A registry always comes with a name: normalizeOptions.) Gated where the cache cannot hold the version.
  const opening = limits
    ? idbCode
        .then((idb) =>
          mode.deferStore && registry && pinnedVersion !== undefined && !opts.publicKey && hintDb && idb && !idb.storedBefore(hintDb) && !browserOffline()
            ? released
            : undefined,
        )
        .then(() => openStore(limits.dbName, limits.bucket, limits.store))
    : undefined;
  const mark = mode.phases?.mark;
  // Set in a callback (a plain `let` would read as always false to the type checker).
  const storeState = { opened: false };
  void opening?.then(() => {
    storeState.opened = true;
    mark?.('cacheOpenAt');
  });
  const storeReady = opening ? opening.then((o) => o.store) : Promise.resolve(undefined);
  // Whether storage is persistent (a query to the browser process) is asked as soon as the store is
  // open, beside the registry, not after the cached version is read. Not `persist: true`: persist()
  // may prompt, so it is asked once, where the version is served or stored.
  const persistedEarly = opts.cache && !opts.cache.persist ? storeReady.then((s) => (s ? persistence(false, s) : false)) : undefined;
  // Its answer once in (persistence() never rejects): a cache hit answers without waiting for it.
  const persistedKnown: { value?: boolean } = {};
  void persistedEarly?.then((value) => (persistedKnown.value = value));
  // The core's early read of the pinned version is checked while the registry is in flight; used
  // below only once the registry has confirmed that version (./read-cached-version.ts).
  // Through the IndexedDB code (the early read is IndexedDB's): ferryml/edge leaves it out.
  const earlyRead = mode.cached;
  const checkedAhead = earlyRead && !opts.publicKey ? idbCode.then((idb) => idb?.checkEarlyRead(earlyRead, storeReady)) : undefined;
  let store: KvStore | undefined;
  let baseStatus: BundleCacheStatus = { persisted: false, memoryOnly: true, code: 'CACHE_DISABLED', reason: 'cache: false' };
  let bucket = {};
  const storeOpened = async () => {
    release();
    const opened = await opening;
    store = opened?.store;
    bucket = store?.bucket === undefined ? {} : { bucket: store.bucket };
    if (opts.cache)
      baseStatus = opened?.problem ? { persisted: false, memoryOnly: true, ...opened.problem } : { persisted: false, memoryOnly: false, ...bucket };
  };
  // The offline fallback, looked for at the first request that gets no answer and reused by the
  // catch below; forgotten when a fresh registry arrives (it may revoke what was found).
  let usable: Promise<VerifiedVersion | undefined> | undefined;
  const fallbackVersion = () => {
    release();
    return (usable ??= storeReady.then((s) => (s ? offlineFallback(opts, s) : undefined)));
  };
  // Backoff heals a blip, not a disconnection: offline, one attempt and no retry (the attempt still
  // reaches a server on this machine or LAN, which navigator.onLine does not rule out); online with a
  // verified cached version to stand in, one retry; otherwise `retries`, as nothing else can serve.
  const transportRetries = async () => (browserOffline() ? 0 : (await fallbackVersion().catch(() => undefined)) ? Math.min(1, opts.retries) : opts.retries);
  const policy: FetchPolicy = {
    fetch: opts.fetch,
    timeoutMs: opts.downloadTimeoutMs,
    retries: opts.retries,
    backoffMs: opts.backoffMs,
    signal: opts.signal,
    transportRetries,
  };
  // loadModel, version pinned: on a fresh profile (no version ever stored in this database, see
  // ../cache/stored-hint.ts) the manifest is requested beside the registry, not after it, and the
  // files it names as soon as it is in (./prefetch-files.ts) — without waiting for IndexedDB, which
  // takes tens of ms to create there (BENCHMARKS.md, issue 15). A returning visitor's database
  // opens in a few ms and may hold the version or some of its blobs: there the manifest and files
  // are requested once IndexedDB said it lacks the version, still without waiting for the registry,
  // so a warm load asks the origin for nothing but the registry. Whatever was requested ahead is
  // aborted when the cache turns out to hold the version. Not when the browser says it is offline
  // (the registry is the one request, the cache answers).
  const ahead: Ahead = mode.ahead ?? { list: [], stopped: false };
  const early = ahead.list;
  if (mode.early) early.unshift(mode.early);
  // Set once the download began (it then requests what it needs itself).
  let downloadStarted = false;
  const downloadMark = (phase: BundlePhase) => {
    // The download has the manifest: it requests the files itself.
    if (phase === 'manifestAt') ahead.stopped = true;
    mark?.(phase);
  };
  const idb = await idbCode;
  if (idb && mode.deferStore && registry && pinnedName !== undefined && pinnedVersion !== undefined && !browserOffline() && !opts.signal?.aborted)
    idb.sendAhead({
      opts,
      registry,
      name: pinnedName,
      version: pinnedVersion,
      storeReady,
      cached: mode.cached,
      coreEarly: mode.early,
      fresh: !opts.cache || (hintDb !== undefined && !idb.storedBefore(hintDb)),
      ahead,
      mark,
      downloadStarted: () => downloadStarted,
      idb,
    });
  policy.early = early;
  const unused = () => {
    for (const e of early) if (!e.taken) e.abort();
  };
  const finish = (
    version: VerifiedVersion,
    source: BundleSource,
    resolvedBy: ResolvedBy,
    cache: BundleCacheStatus,
    fallback?: OpenedBundle['fallback'],
    stored?: Promise<BundleCacheStatus>,
  ): OpenedBundle => {
    unused();
    mark?.('verifiedAt');
    const { manifest, id, baseUrl, downloadedBytes } = version;
    const parts = assemble(manifest, version.files, baseUrl);
    const out: OpenedBundle = { manifest, id, baseUrl, source, resolvedBy, downloadedBytes, ms: performance.now() - started, ...parts, cache };
    if (fallback) out.fallback = fallback;
    if (stored) out.stored = stored;
    if (opts.onProgress && source !== 'network') opts.onProgress({ loaded: parts.bytes, total: parts.bytes });
    return out;
  };

  let target: Target | undefined;
  try {
    // A registry with no answer in `registryTimeoutMs` while a verified cached version can stand in:
    // that version serves (the catch below, as for no answer at all). loadModel on IndexedDB lets the
    // request go on behind the answer and saves a late registry (its revocations reach the next
    // load); elsewhere (a CLI would wait for what is left running) it is aborted. A limit past
    // setTimeout's 2^31 − 1 ms (it would fire at once) waits, as Infinity does.
    target = await (idb && registry && limits && opts.registryTimeoutMs <= 0x7fffffff
      ? idb.registryDeadline(opts, storeReady, policy, mark, release, fallbackVersion, mode.deferStore)
      : resolveTarget(opts, storeReady, policy, mark, release));
    // On a fresh profile, the files the registry lists for the version are requested now, beside
    // its manifest rather than once it is in (./request-listed.ts).
    if (mode.deferStore) idb?.requestListed(target, ahead, opts, mark);
    // loadModel on a fresh profile (nothing ever stored in this database, ../cache/stored-hint.ts)
    // whose IndexedDB is not open: the cache cannot hold the version, so the download does not wait
    // for it; the database is opened once loadModel has answered (`storeAfter`) and the version
    // stored then.
    if (
      idb &&
      mode.deferStore &&
      opts.cache &&
      hintDb !== undefined &&
      !opts.publicKey &&
      !storeState.opened &&
      !idb.storedBefore(hintDb) &&
      // A write to it still running (another load's, on this page): not fresh any more; wait for it below.
      !writes.has(idbWriteKey(hintDb))
    ) {
      const t = target;
      const onEvent = opts.onProgress && ((p: unknown) => opts.onProgress!(p as BundleProgress));
      downloadStarted = true;
      const limits = opts.cache;
      const fetched = await downloads.join(
        shareKey(`fresh:${hintDb}`, t.baseUrl, opts, options.fetch, mode),
        async (signal, emit) => {
          const v = await downloadVersion(t.baseUrl, {
            policy: { ...policy, signal },
            store: undefined,
            publicKey: undefined,
            expect: { name: t.name, version: t.version },
            mark: downloadMark,
            onProgress: emit,
          });
          const stored = Promise.resolve(mode.storeAfter)
            .then(storeOpened)
            .then(async (): Promise<BundleCacheStatus> => {
              const opened = store;
              if (!opened || baseStatus.memoryOnly) return baseStatus;
              return storeVersion(opened, v, limits).then(({ status: st }) => {
                if (!st.memoryOnly && opened.kind === 'indexeddb') idb.noteStored(hintDb);
                return { ...st, ...bucket };
              });
            })
            .catch((error: unknown) => ({ persisted: false, memoryOnly: true, code: 'CACHE_UNAVAILABLE' as const, reason: String(error) }));
          // A load that starts from now on waits for this write, as for any deferred one — tracked
          // from here, not once the database is open: until the write lands the hint still says
          // "fresh", and a load in between (a model disposed and loaded again) would download the
          // version a second time instead of reading it from the cache.
          void pend(idbWriteKey(hintDb), stored);
          return { version: v, status: { persisted: false, memoryOnly: false, pending: true }, stored };
        },
        opts.signal,
        onEvent,
      );
      return finish(fetched.version, 'network', t.resolvedBy, fetched.status, undefined, fetched.stored);
    }
    await storeOpened();
    usable = undefined;
    // After a rotation the registry's new key signs manifests too; the app's key still verifies older ones.
    const keys = await manifestKeys(opts.registry?.href, opts.publicKey, store);
    const { name, version } = target;
    const storeKey = store && `${store.kind}:${store.name}`;
    const writing = storeKey === undefined ? undefined : writes.get(storeKey);
    // Writes go on behind loadModel's answer only in IndexedDB: a page outlives its answer, while a
    // Worker ends the I/O of a request once it has responded — a write left running never settles,
    // and a later request waiting on it (the `writes` below, the store's own queue) fails — and a CLI
    // or serverless process may exit. Elsewhere each write is awaited before answering, as the version's is.
    const behind = mode.deferStore && store?.kind === 'indexeddb' ? storeKey : undefined;
    // The registry snapshot is written behind a deferred load (nothing below reads it), tracked like
    // the version's write so a load that starts meanwhile waits for both; openBundle waits for it.
    const saved = target.saved;
    if (saved && behind !== undefined) void pend(behind, saved);
    else if (saved) await saved;
    if (writing) await writing;
    let early: EarlyRead | undefined;
    if (store && name !== undefined && version !== undefined) {
      // The core's early read of this very version in this database (read while the registry was
      // fetched), else the usual read; either is verified in full below.
      const pre = mode.cached && store.kind === 'indexeddb' && store.bucket === undefined ? await mode.cached : undefined;
      early = pre && pre.dbName === store.name && pre.name === name && pre.version === version ? pre : undefined;
      const hit = early?.cached;
      // A miss stays a miss unless this page wrote meanwhile (another tab's write only costs a download).
      if (writing && !hit) early = undefined;
      const record = hit?.record ?? (early ? undefined : await readRecord(store, name, version).catch(() => undefined));
      const ahead = hit && (await checkedAhead);
      const cached = record && (ahead?.record === record ? ahead.verified : await readCachedVersion(store, record, keys, undefined, hit, { name, version }));
      if (cached) {
        // A cache filled before the hint existed gets it now.
        if (hintDb !== undefined && store.kind === 'indexeddb') idb?.noteStored(hintDb);
        const touched = touchRecord(store, name, version).catch(() => undefined);
        // loadModel on IndexedDB: the LRU touch commits behind the answer (tracked like the deferred
        // writes, so a load that starts meanwhile waits for it); otherwise it is awaited, side by
        // side with the persistence query.
        if (behind !== undefined) void pend(behind, touched);
        // loadModel does not wait for the persistence query (a browser-process round trip: up to
        // ~20 ms on a warm load, BENCHMARKS.md "The warm page"): `persisted` reads false until it
        // answers, then lands in model.info.cache through `stored`.
        if (behind !== undefined && persistedEarly && persistedKnown.value === undefined) {
          const status = { ...baseStatus };
          const answered = persistedEarly.then((persisted) => ({ ...status, persisted }));
          return finish(cached, 'cache', target.resolvedBy, { ...status, persisted: false }, undefined, answered);
        }
        const [persisted] = await Promise.all([
          opts.cache ? (persistedEarly ?? persistence(opts.cache.persist, store)) : false,
          behind === undefined ? touched : undefined,
        ]);
        return finish(cached, 'cache', target.resolvedBy, { ...baseStatus, persisted });
      }
    }
    const t = target;
    const onEvent = opts.onProgress && ((p: unknown) => opts.onProgress!(p as BundleProgress));
    downloadStarted = true;
    const {
      version: verified,
      status,
      stored,
    } = await downloads.join(
      shareKey(store ? `${store.kind}:${store.name}` : opts.cache ? 'nostore' : 'nocache', t.baseUrl, opts, options.fetch, mode),
      async (signal, emit) => {
        const v = await downloadVersion(t.baseUrl, {
          policy: { ...policy, signal },
          store,
          publicKey: keys,
          expect: { name: t.name, version: t.version },
          ...(early?.blobShas ? { cachedShas: early.blobShas } : {}),
          mark: downloadMark,
          onProgress: emit,
        });
        if (!store || !opts.cache) return { version: v, status: baseStatus };
        const limits = opts.cache;
        const kind = store.kind;
        const write = storeVersion(store, v, limits).then(({ status: s }) => {
          if (!s.memoryOnly && hintDb !== undefined && kind === 'indexeddb') idb?.noteStored(hintDb);
          return baseStatus.memoryOnly ? { ...s, ...baseStatus } : { ...s, ...bucket };
        });
        // Only a page outlives its first answer for sure. A Worker may cancel what is left running after
        // its response (there is no handle here for ctx.waitUntil), a CLI or serverless process may exit:
        // outside IndexedDB (the Cache API, files, an app's store) the write is awaited before answering.
        if (!mode.deferStore || baseStatus.memoryOnly || store.kind !== 'indexeddb') return { version: v, status: await write };
        // storeVersion never rejects (a failed write is a memoryOnly status with its code).
        // Still tracking what was pending for this store (this load's registry snapshot): a later load waits for all of it.
        return { version: v, status: { ...baseStatus, pending: true }, stored: pend(storeKey!, write).then(() => write) };
      },
      opts.signal,
      onEvent,
    );
    return finish(verified, verified.downloadedBytes === 0 ? 'cache' : 'network', t.resolvedBy, status, undefined, stored);
  } catch (caught) {
    unused();
    // The verified registry's snapshot and revocations (`target.saved`) wait for the store, which a
    // fresh profile holds back until the download is verified: a failed load still records them.
    release();
    // A registry that does not verify (unsigned, rolled back, expired) is treated like no answer:
    // the last verified cached version serves, and the reason rides on `fallback.error`.
    const untrusted = isRegistryTrustError(caught);
    // `target` is unset while the registry is fetched and parsed (and when it resolves nothing).
    if (!untrusted && !noAnswer(caught, target === undefined)) throw caught;
    const error = caught;
    await storeOpened();
    const fallback = await fallbackVersion();
    if (fallback) {
      // The version this device runs now is the one LRU eviction must keep: marked used — behind
      // the answer in IndexedDB (tracked, so clear() and the next load wait for it; openBundle too,
      // as a touch is not the version it promises stored), before it elsewhere (a Worker, a CLI:
      // see `behind` above) — never failing the load.
      const { name, version } = fallback.manifest;
      const touched = store && touchRecord(store, name, version).catch(() => undefined);
      if (store?.kind === 'indexeddb') void pend(`${store.kind}:${store.name}`, touched!);
      else await touched;
      const wanted = target?.version;
      return finish(fallback, 'offline', 'offline-fallback', baseStatus, wanted === undefined ? { error } : { error, wanted });
    }
    if (untrusted || error.code !== 'NETWORK_ERROR') throw error;
    const what = opts.registry ? `${opts.name}${opts.version ? `@${opts.version}` : ''}` : opts.bundle!.href;
    throw new FerryError(
      'OFFLINE_NO_CACHED_VERSION',
      `${what}: the network is unreachable (${error.message}) and no verified, non-revoked version is cached${opts.cache ? '' : ' (cache: false)'}. Load once while online.`,
      {
        cause: error,
        details: { ...error.details, name: opts.name, version: opts.version, cache: opts.cache ? baseStatus : false },
      },
    );
  }
}
