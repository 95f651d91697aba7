/**
 * The files a registry lists for a version (`RegistryEntry.files`, written by `ferryml pack`),
 * requested as soon as the registry is in, beside the version's manifest rather than after it
 * (issue 15: one round trip less on a cold load). Reached through the IndexedDB slot
 * (../cache/idb-slot.ts), as only a load that knows its cache lacks the version sends it, so
 * `ferryml/edge` leaves it out. Names only, as in ./prefetch-files.ts: ./download-version.ts takes
 * each request over and checks the bytes against the manifest's size and sha256; one it does not
 * take (a path the manifest does not list) is aborted.
 */
import type { BundlePhase } from './bundle-phases.js';
import { fetchEarly } from './early-fetch.js';
import { browserOffline } from './fetch-bytes.js';
import type { Ahead } from './prefetch-files.js';
import { fileUrl, isSafeBundlePath } from './safe-path.js';
import { storedBefore } from '../cache/stored-hint.js';

/**
 * On a fresh profile (nothing ever stored in the cache database on this origin,
 * ../cache/stored-hint.ts; or no cache), requests every path the registry listed for `target` that is
 * not requested yet into `ahead`, and stops `ahead` (the manifest's own list adds nothing then).
 * Nothing when `listed` is not an array of safe bundle paths (a malformed list only costs the head
 * start), when `ahead` is stopped (the cache holds the version, or the download requests files
 * itself), with a `publicKey` (files wait for the manifest's signature), offline, or aborted. A
 * returning visitor asks IndexedDB first (./load-bundle.ts), then requests from the manifest's list.
 */
export function requestListed(
  target: { baseUrl: string; listed?: unknown },
  ahead: Ahead,
  opts: {
    fetch: typeof fetch;
    signal?: AbortSignal | undefined;
    publicKey?: unknown;
    cache: false | { dbName: string; bucket?: unknown; store?: unknown };
  },
  mark?: (phase: BundlePhase) => void,
): void {
  const { listed } = target;
  const { cache } = opts;
  if (cache && (cache.store !== undefined || cache.bucket !== undefined || storedBefore(cache.dbName))) return;
  if (ahead.stopped || opts.publicKey || browserOffline() || opts.signal?.aborted) return;
  if (!Array.isArray(listed) || !listed.every((p): p is string => typeof p === 'string' && isSafeBundlePath(p))) return;
  for (const path of new Set(listed)) {
    const url = fileUrl(target.baseUrl, path);
    if (!ahead.list.some((e) => e.url === url)) ahead.list.push(fetchEarly(url, 'no-store', opts.fetch, opts.signal));
  }
  ahead.stopped = true;
  mark?.('filesRequestedAt');
}
