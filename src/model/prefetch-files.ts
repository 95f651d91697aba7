/**
 * The cold path's head start on a pinned version's files (issue 15): the manifest of the version
 * `loadModel` pins is requested beside the registry (by the SDK core on a fresh profile,
 * ./early-fetch.ts; by ./load-bundle.ts once IndexedDB said it lacks the version otherwise), and as
 * soon as it is in, every file it names is requested too — before the registry has answered, before
 * IndexedDB (slow to open on a fresh profile) has said which blobs it holds, and before the bundle
 * code (the plain-path chunk) is evaluated. These are only requests: ./download-version.ts takes
 * each one over (./fetch-bytes.ts) once the registry resolved this very version and the manifest
 * parsed, and checks its size and sha256 against the manifest exactly as for any download; what it
 * does not take (a blob the cache holds, a version served from the cache, a failed load) is
 * aborted. Not done when the app passes a `publicKey`: then no file is fetched before the
 * manifest's signature verified. Part of the SDK core: it reads only names and paths.
 */
import { fetchEarly, type EarlyFetch } from './early-fetch.js';
import { fileUrl, isSafeBundlePath } from './safe-path.js';
import type { BundlePhase } from './bundle-phases.js';
import { storedBefore } from '../cache/stored-hint.js';

/** Requests sent ahead of the code that uses them, shared by whoever sends and whoever takes them over. */
export interface Ahead {
  /** Every request sent ahead; the download looks each up by URL when it fetches. */
  list: EarlyFetch[];
  /** Set once nothing more should be sent: the cache holds the version, or the download requests files itself. */
  stopped: boolean;
}

/** What to prefetch and how (the same transport as the download that takes the requests over). */
export interface PrefetchPlan {
  /** The early request of `${baseUrl}manifest.json`. */
  manifest: EarlyFetch;
  baseUrl: string;
  name: string;
  version: string;
  fetch: typeof fetch;
  signal: AbortSignal | undefined;
  ahead: Ahead;
  /** Marks the manifest's arrival and the first file request (./bundle-phases.ts). */
  mark?: ((phase: BundlePhase) => void) | undefined;
}

/** The listed paths of a manifest for `name@version`, or undefined (the download reports what is wrong). */
function listedPaths(buffer: ArrayBuffer, name: string, version: string): string[] | undefined {
  try {
    const m = JSON.parse(new TextDecoder().decode(buffer)) as { name?: unknown; version?: unknown; files?: unknown } | null;
    if (m?.name !== name || m.version !== version || !Array.isArray(m.files)) return undefined;
    const paths = (m.files as Array<{ path?: unknown } | null>).map((f) => f?.path);
    return paths.every((p): p is string => typeof p === 'string' && isSafeBundlePath(p)) ? paths : undefined;
  } catch {
    return undefined;
  }
}

/** Requests the files of the manifest `plan.manifest` brings once it is in, unless `plan.ahead` is stopped by then; never rejects. */
export function prefetchFiles(plan: PrefetchPlan): void {
  const { manifest, baseUrl, ahead } = plan;
  // The download reads the response itself: this reads a copy (the manifest is a few KB).
  const copy = manifest.response.then((r) => (r.ok ? r.clone().arrayBuffer() : undefined));
  copy.then(
    (buffer) => {
      if (!buffer || ahead.stopped || plan.signal?.aborted) return;
      plan.mark?.('manifestAt');
      const paths = listedPaths(buffer, plan.name, plan.version);
      if (!paths?.length) return;
      for (const path of new Set(paths)) ahead.list.push(fetchEarly(fileUrl(baseUrl, path), 'no-store', plan.fetch, plan.signal));
      plan.mark?.('filesRequestedAt');
    },
    () => undefined,
  );
}

/**
 * What the SDK core sends with the registry for a pinned version when nothing was ever stored in
 * the default cache database on this origin (../cache/stored-hint.ts: a fresh profile, where
 * waiting to hear from IndexedDB costs tens of ms): `GET <name>/<version>/manifest.json`
 * (`no-cache`, as the download fetches it) and, once it is in, its files. A returning visitor's
 * load asks IndexedDB first (./load-bundle.ts). Undefined when there is no early registry request,
 * no pinned version, the cache is in a bucket or an app's store, or the browser says it is offline.
 */
export function sendAheadEarly(
  registry: EarlyFetch | undefined,
  options: {
    name?: string | undefined;
    version?: string | undefined;
    cache?: false | { dbName?: string | undefined; bucket?: unknown; store?: unknown } | undefined;
    publicKey?: unknown;
    fetch?: typeof fetch | undefined;
    signal?: AbortSignal | undefined;
  },
  mark: (phase: BundlePhase) => void,
): Ahead | undefined {
  const { name, version, cache } = options;
  if (!registry || !name || typeof version !== 'string' || (globalThis.navigator as { onLine?: boolean } | undefined)?.onLine === false) return undefined;
  if (cache !== false && (cache?.bucket !== undefined || cache?.store !== undefined || storedBefore(cache?.dbName ?? 'ferryml'))) return undefined;
  const baseUrl = new URL(`${encodeURIComponent(name)}/${encodeURIComponent(version)}/`, registry.url).href;
  const fetchFn = options.fetch ?? fetch.bind(globalThis);
  const manifest = fetchEarly(`${baseUrl}manifest.json`, 'no-cache', fetchFn, options.signal);
  const ahead: Ahead = { list: [manifest], stopped: false };
  // A signed version's files wait for its manifest's signature (./download-version.ts).
  if (options.publicKey === undefined) prefetchFiles({ manifest, baseUrl, name, version, fetch: fetchFn, signal: options.signal, ahead, mark });
  return ahead;
}
