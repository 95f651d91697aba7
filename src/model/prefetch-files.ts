/**
 * The cold path's head start on a pinned version's files (issue 15): `loadModel` requests the
 * manifest of the version it pins beside the registry (./load-bundle.ts), and as soon as that
 * manifest is in, every file it names is requested too — before the registry has answered and
 * before IndexedDB (slow to open on a fresh profile) has said which blobs it holds. These are
 * only requests: ./download-version.ts takes each one over (./fetch-bytes.ts) once the registry
 * resolved this very version, and checks its size and sha256 against the manifest exactly as for
 * any download; what it does not take (a blob the cache holds, a version served from the cache, a
 * failed load) is aborted. Not done when the app passes a `publicKey`: then no file is fetched
 * before the manifest's signature verified.
 */
import { fetchEarly, type EarlyFetch } from './early-fetch.js';
import { fileUrl } from './download-version.js';
import { parseManifest } from './parse-manifest.js';
import type { BundlePhase } from './bundle-phases.js';

/** What to prefetch and how (the same transport as the download that takes the requests over). */
export interface PrefetchPlan {
  /** The early request of `${baseUrl}manifest.json`. */
  manifest: EarlyFetch;
  baseUrl: string;
  name: string;
  version: string;
  fetch: typeof fetch;
  signal: AbortSignal | undefined;
  /** Where the file requests go, for the download to take over (and the load to abort when unused). */
  into: EarlyFetch[];
  /** Marks the manifest's arrival and the first file request (./bundle-phases.ts). */
  mark?: ((phase: BundlePhase) => void) | undefined;
}

/**
 * Requests the files of the manifest `plan.manifest` brings once it is in, unless `stopped()`
 * says by then that nothing will be downloaded; never rejects.
 */
export function prefetchFiles(plan: PrefetchPlan, stopped: () => boolean): void {
  const { manifest, baseUrl } = plan;
  // The download reads the response itself: this reads a copy (the manifest is a few KB).
  const copy = manifest.response.then((r) => (r.ok ? r.clone().arrayBuffer() : undefined));
  copy.then(
    (buffer) => {
      if (!buffer || stopped() || plan.signal?.aborted) return;
      plan.mark?.('manifestAt');
      const url = `${baseUrl}manifest.json`;
      let files;
      try {
        const parsed = parseManifest(JSON.parse(new TextDecoder().decode(buffer)), url);
        // A manifest for another version is the download's to reject, with its own error.
        if (parsed.name !== plan.name || parsed.version !== plan.version) return;
        files = parsed.files;
      } catch {
        return;
      }
      for (const f of files) plan.into.push(fetchEarly(fileUrl(baseUrl, f.path), 'no-store', plan.fetch, plan.signal));
      if (files.length) plan.mark?.('filesRequestedAt');
    },
    () => undefined,
  );
}
