/**
 * A request started by the SDK core before the code that reads it has arrived (issue 15): the
 * registry, fetched while the plain-JS path's chunk (../plain-path.ts) is still on its way, so the
 * two round trips overlap instead of running in series; and the manifest of a pinned version,
 * fetched while the registry is (./load-bundle.ts). `fetchBytes` takes it over as its first
 * attempt when the URL and cache mode match (./fetch-bytes.ts); an early request nobody took is
 * aborted by whoever started it.
 */
import { checkUrl, pageBase } from '../check-options.js';

/** One request in flight, taken over at most once. */
export interface EarlyFetch {
  url: string;
  cache: RequestCache;
  response: Promise<Response>;
  /** Set by the one attempt that took the response over, or by `abort()`. */
  taken: boolean;
  abort(reason?: unknown): void;
}

/**
 * Starts `GET url` with `cache`, the app's `fetch` and `signal`, as ./fetch-bytes.ts would send it
 * (credentials `same-origin`); aborted with `signal` until taken over, or by `abort()`.
 */
export function fetchEarly(url: string, cache: RequestCache, fetchFn: typeof fetch, signal: AbortSignal | undefined): EarlyFetch {
  const controller = new AbortController();
  // Once taken over, the attempt's timeout and signal stop it, not its starter's: a download shared
  // with other loads (./load-bundle.ts) outlives the load that started it being aborted.
  const onAbort = () => early.taken || early.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  // Sent now (the executor runs at once; a fetch that throws rejects), not in a microtask: `loadModel`
  // calls this first, before the rest of its synchronous start (localStorage, IndexedDB, the lazy import).
  const response = new Promise<Response>((resolve) => resolve(fetchFn(url, { signal: controller.signal, cache, credentials: 'same-origin' }))).finally(() =>
    signal?.removeEventListener('abort', onAbort),
  );
  // Unhandled until taken over; a failure then surfaces as that attempt's error (and is retried).
  response.catch(() => undefined);
  const early: EarlyFetch = {
    url,
    cache,
    response,
    taken: false,
    // Marked taken: an aborted request is never taken over afterwards (a shared download sends its own).
    abort: (reason) => {
      early.taken = true;
      controller.abort(reason);
    },
  };
  return early;
}

/**
 * Starts `GET registry` (`no-cache`, as ./resolve-target.ts fetches it) with the app's `fetch`
 * and `signal`; undefined when there is no registry, or the options are ones `normalizeOptions`
 * refuses (a registry URL that does not parse, no `name`, `bundle` as well).
 */
export function fetchRegistryEarly(options: {
  registry?: string | URL | undefined;
  bundle?: string | URL | undefined;
  name?: string | undefined;
  fetch?: typeof fetch | undefined;
  signal?: AbortSignal | undefined;
}): EarlyFetch | undefined {
  const fetchFn = options.fetch ?? (typeof fetch === 'function' ? fetch.bind(globalThis) : undefined);
  // Options normalizeOptions will refuse (no name, a bundle as well) send nothing.
  if (options.registry === undefined || options.bundle !== undefined || !options.name || !fetchFn || options.signal?.aborted) return undefined;
  let url: string;
  try {
    url = checkUrl('loadModel', 'registry', options.registry, pageBase()).href;
  } catch {
    return undefined;
  }
  return fetchEarly(url, 'no-cache', fetchFn, options.signal);
}
