/**
 * Options of {@link openBundle}: one type, one defaults object, one `normalizeOptions()` that
 * accepts the shorthands and throws on caller mistakes (STYLE.md §4).
 */
import type { KvStore } from '../cache/kv-store.js';
import type { BucketOptions } from '../cache/storage-bucket.js';
import { checkNumber, checkUrl, pageBase } from '../check-options.js';
import { FerryError } from '../errors.js';
import { checkKeys } from './signature.js';

/** Bytes loaded so far across every file of the bundle (manifest excluded), and the bundle's total. */
export interface BundleProgress {
  loaded: number;
  total: number;
}

/** Where a version's files are kept between page loads. */
export interface BundleCacheOptions {
  /** IndexedDB database name (one object store, `bundles`). @default "ferryml" */
  dbName?: string;
  /** Versions kept per model: the current one plus rollbacks, least recently used evicted first. @default 2 */
  maxVersions?: number;
  /** Byte budget for all cached bundles in this database; least recently used versions are evicted beyond it. @default 268435456 (256 MiB) */
  maxBytes?: number;
  /** Ask for persistent storage (`navigator.storage.persist()`, or the bucket's) after a version is stored. @default false */
  persist?: boolean;
  /**
   * Keep the cache in its own storage bucket (Chromium's Storage Buckets API), with its own quota
   * and eviction; `{ name, quota }` sets the quota when the bucket is created. Where the API is
   * missing, the default IndexedDB is used. @default undefined (the origin's default storage)
   */
  bucket?: BucketOptions;
  /**
   * Where the cache lives instead of IndexedDB/the Cache API: any {@link KvStore} — `fileCache(dir)`
   * from `ferryml/node` for Node, Bun and Deno servers, or a store of your own. `dbName` and
   * `bucket` do not apply to it. @default undefined (IndexedDB, else the Cache API, else memory)
   */
  store?: KvStore;
}

/** {@link BundleCacheOptions} with defaults applied. */
export type NormalizedCacheOptions = Required<Omit<BundleCacheOptions, 'bucket' | 'store'>> & { bucket: BucketOptions | undefined; store: KvStore | undefined };

/** A public key that signs manifests: a JWK (`ferryml keygen` writes `key.pub.jwk.json`) or an imported ECDSA P-256 `CryptoKey`. */
export type PublicKeyInput = JsonWebKey | CryptoKey;
/** The app's root keys: one, or several during a key rotation (the new key and the old one; README "Key rotation"). */
export type PublicKeys = PublicKeyInput | readonly PublicKeyInput[];

/** How to find, fetch, verify and cache one model bundle. */
export interface OpenBundleOptions {
  /** URL of the registry (`models/index.json`); bundles live at `<registry dir>/<name>/<version>/`. Give this or `bundle`. */
  registry?: string | URL;
  /** URL of one bundle directory (or its `manifest.json`), bypassing the registry. */
  bundle?: string | URL;
  /** Model name in the registry; with `bundle`, checked against the manifest when given. */
  name?: string;
  /** Pin one version: wins over `channel` and rollout. */
  version?: string;
  /** Channel to follow (`"stable"` applies the registry's rollout fractions). @default "stable" */
  channel?: string;
  /** Stable per-client id for the rollout bucket. @default a random id persisted in localStorage or the cache store */
  clientId?: string;
  /**
   * When set, an unsigned manifest, a bad signature or another key's signature is rejected
   * (`SIGNATURE_INVALID`), and so is such a registry (`REGISTRY_SIGNATURE_INVALID`). A list trusts
   * each key in it: ship `[newKey, oldKey]` while versions signed by the old key are still served.
   */
  publicKey?: PublicKeys;
  /** `false`: memory only, nothing stored. @default { dbName: "ferryml", maxVersions: 2, maxBytes: 256 MiB, persist: false } */
  cache?: false | BundleCacheOptions;
  /** Timeout of one download request (the whole response, body included), per attempt. `predict()` calls have `predictTimeoutMs`. @default 30000 */
  downloadTimeoutMs?: number;
  /**
   * How long a load waits for the registry while a verified, non-revoked cached version fits the
   * request: past it, that version serves (`source: "offline"`, `fallback.error.code: "TIMEOUT"`),
   * so a stalled connection that is still "online" costs seconds, not `downloadTimeoutMs` per
   * attempt. With loadModel and the default IndexedDB cache the registry's late answer is still read
   * and kept, so a revocation reaches the next load; openBundle and other stores abort its request.
   * Without a cached version nothing else can serve, and the registry is waited for. `Infinity` (or
   * anything past 2^31 − 1 ms): always wait. @default 3000
   */
  registryTimeoutMs?: number;
  /**
   * Retries after a network error, timeout, 408/425/429/5xx, with exponential backoff and jitter.
   * A request with no answer (network error, timeout) is not retried while `navigator.onLine` is
   * false, and retried once when a verified cached version can stand in. @default 3
   */
  retries?: number;
  /** First backoff delay; doubles per retry (with jitter), capped at 30 s. `Retry-After` wins when sent. @default 300 */
  backoffMs?: number;
  /** Called as bytes arrive, across all files of the bundle. */
  onProgress?: (progress: BundleProgress) => void;
  /** Aborts the load (`ABORTED`); a download shared with other callers continues while any of them still waits. */
  signal?: AbortSignal;
  /** `fetch` to use (tests, service-worker-free proxies). @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** {@link OpenBundleOptions} with defaults applied and URLs resolved. */
export interface NormalizedOpenBundleOptions {
  registry: URL | undefined;
  bundle: URL | undefined;
  name: string | undefined;
  version: string | undefined;
  channel: string;
  clientId: string | undefined;
  publicKey: PublicKeys | undefined;
  cache: NormalizedCacheOptions | false;
  downloadTimeoutMs: number;
  registryTimeoutMs: number;
  retries: number;
  backoffMs: number;
  onProgress: ((progress: BundleProgress) => void) | undefined;
  signal: AbortSignal | undefined;
  fetch: typeof fetch;
}

/** Defaults of {@link OpenBundleOptions}. */
export const OPEN_BUNDLE_DEFAULTS = {
  channel: 'stable',
  cache: { dbName: 'ferryml', maxVersions: 2, maxBytes: 256 * 1024 * 1024, persist: false },
  downloadTimeoutMs: 30_000,
  registryTimeoutMs: 3000,
  retries: 3,
  backoffMs: 300,
} as const;

const SCOPE = 'openBundle';

/** The `INVALID_OPTIONS` error of a rule that spans options (not one option's value). */
const invalid = (message: string, details: Record<string, unknown>) =>
  new FerryError('INVALID_OPTIONS', `${SCOPE}: ${message}`, { details: { scope: SCOPE, ...details } });

/** `cache.store` when it is a usable {@link KvStore}; throws `INVALID_OPTIONS` naming what is wrong. */
function checkStore(cache: BundleCacheOptions | undefined): KvStore | undefined {
  const given: unknown = cache?.store;
  if (given === undefined) return undefined;
  const store = (typeof given === 'object' && given !== null ? given : {}) as Partial<KvStore>;
  const problem =
    typeof given !== 'object' || given === null
      ? `got ${given === null ? 'null' : typeof given}`
      : typeof store.run !== 'function'
        ? 'it has no `run(mode, body)` method'
        : typeof store.kind !== 'string' || store.kind === ''
          ? 'it has no `kind` (a non-empty string)'
          : typeof store.name !== 'string' || store.name === ''
            ? 'it has no `name` (a non-empty string)'
            : undefined;
  if (problem)
    throw new FerryError(
      'INVALID_OPTIONS',
      `${SCOPE}: \`cache.store\` must be a KvStore (\`fileCache(dir)\` from ferryml/node, or an object with kind, name and run — README "Custom cache stores"): ${problem}`,
      { details: { scope: SCOPE, option: 'cache.store' } },
    );
  if (cache?.bucket !== undefined)
    throw invalid('`cache.bucket` is an IndexedDB storage bucket and does not apply to `cache.store`; give one of them', { option: 'cache.bucket' });
  return store as KvStore;
}

/** Applies defaults; throws `INVALID_OPTIONS` naming the field on a caller mistake. */
export function normalizeOptions(options: OpenBundleOptions): NormalizedOpenBundleOptions {
  const { registry, bundle, name } = options;
  if (!registry === !bundle) {
    throw invalid('give exactly one of `registry` (URL of models/index.json) or `bundle` (URL of a bundle directory)', {
      registry: registry === undefined ? undefined : String(registry),
      bundle: bundle === undefined ? undefined : String(bundle),
    });
  }
  if (registry && !name) throw invalid('`name` is required with `registry` (the model name in models/index.json)', { option: 'name' });
  let bundleUrl = bundle === undefined ? undefined : checkUrl(SCOPE, 'bundle', bundle, pageBase());
  // Accept ".../1.2.0", ".../1.2.0/" and ".../1.2.0/manifest.json" alike.
  if (bundleUrl)
    bundleUrl = new URL(bundleUrl.pathname.endsWith('/manifest.json') ? '.' : bundleUrl.pathname.endsWith('/') ? '.' : `${bundleUrl.pathname}/`, bundleUrl);
  const cacheIn = options.cache;
  const defaults = OPEN_BUNDLE_DEFAULTS.cache;
  const cache =
    cacheIn === false
      ? false
      : {
          dbName: cacheIn?.dbName ?? defaults.dbName,
          // At least 1: the version being loaded.
          maxVersions: checkNumber(SCOPE, 'cache.maxVersions', cacheIn?.maxVersions, defaults.maxVersions, { integer: true, min: 1 }),
          maxBytes: checkNumber(SCOPE, 'cache.maxBytes', cacheIn?.maxBytes, defaults.maxBytes, { min: 0 }),
          persist: cacheIn?.persist ?? defaults.persist,
          bucket: cacheIn?.bucket,
          store: checkStore(cacheIn),
        };
  const fetchFn = options.fetch ?? (typeof fetch === 'function' ? fetch.bind(globalThis) : undefined);
  if (!fetchFn) throw invalid('no global fetch here; pass `fetch`', { option: 'fetch' });
  return {
    registry: registry === undefined ? undefined : checkUrl(SCOPE, 'registry', registry, pageBase()),
    bundle: bundleUrl,
    name,
    version: options.version,
    channel: options.channel ?? OPEN_BUNDLE_DEFAULTS.channel,
    clientId: options.clientId,
    publicKey: options.publicKey && checkKeys(options.publicKey),
    cache,
    downloadTimeoutMs: checkNumber(SCOPE, 'downloadTimeoutMs', options.downloadTimeoutMs, OPEN_BUNDLE_DEFAULTS.downloadTimeoutMs, { min: 0 }),
    registryTimeoutMs: checkNumber(SCOPE, 'registryTimeoutMs', options.registryTimeoutMs, OPEN_BUNDLE_DEFAULTS.registryTimeoutMs, { min: 0, infinity: true }),
    retries: checkNumber(SCOPE, 'retries', options.retries, OPEN_BUNDLE_DEFAULTS.retries, { integer: true, min: 0 }),
    backoffMs: checkNumber(SCOPE, 'backoffMs', options.backoffMs, OPEN_BUNDLE_DEFAULTS.backoffMs, { min: 0 }),
    onProgress: options.onProgress,
    signal: options.signal,
    fetch: fetchFn,
  };
}
