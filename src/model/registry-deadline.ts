/**
 * `registryTimeoutMs` (./open-bundle-options.ts): a registry with no answer in time while a
 * verified cached version can stand in. A stalled connection that is still "online" (a phone on
 * one bar, a captive network) would otherwise hold the load for `downloadTimeoutMs` per attempt
 * before the cached version served. Part of the IndexedDB code (../cache/idb-code.ts): browsers and
 * Node get it; `ferryml/edge`, whose runtimes fetch the registry server to server, waits as before.
 */
import { FerryError } from '../errors.js';
import { pend } from '../cache/pending-writes.js';
import type { BundlePhase } from './bundle-phases.js';
import type { NormalizedOpenBundleOptions } from './open-bundle-options.js';
import { resolveTarget, type Target } from './resolve-target.js';
import type { FetchPolicy } from './fetch-bytes.js';
import type { KvStore } from '../cache/kv-store.js';
import type { VerifiedVersion } from './verified-version.js';

/**
 * The registry's target, or — `ms` after the request started, when a cached version can stand in —
 * a `TIMEOUT` FerryError, which the load treats as no answer: that version serves (`source:
 * "offline"`). A late answer marks no phase; the request goes on or is aborted per `deferred`.
 * The caller gates it: a registry, a cache, and `ms` within setTimeout's range (../model/load-bundle.ts).
 */
export function registryDeadline(
  opts: NormalizedOpenBundleOptions,
  store: Promise<KvStore | undefined>,
  policy: FetchPolicy,
  mark: ((phase: BundlePhase) => void) | undefined,
  openNow: () => void,
  /** The verified cached version that would serve offline, if any (looked for once the time is up). */
  standIn: () => Promise<VerifiedVersion | undefined>,
  /** loadModel's deferred writes: in IndexedDB the request goes on behind the answer (a late registry is saved); elsewhere it is aborted. */
  deferred: boolean | undefined,
): Promise<Target> {
  const { registryTimeoutMs: ms, signal } = opts;
  const url = opts.registry!.href;
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal!.reason);
  // The caller's signal still stops the registry request (already aborted: at once, as before).
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  let late = false;
  let settled = false;
  // Once the registry's bytes are in, it answered: parsing, verifying and resolving it (a revocation
  // included) win over the stand-in, however long the store writes before a refusal take.
  let answered = false;
  const work = resolveTarget(
    opts,
    store,
    { ...policy, signal: stop.signal },
    (phase) => {
      if (phase === 'registryAt') answered = true;
      if (!late) mark?.(phase);
    },
    openNow,
  );
  // What the request does after the cached version served is its own business.
  work.catch(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void standIn().then(
        async (v) => {
          if (!v || settled || answered || signal?.aborted) return;
          late = true;
          reject(
            new FerryError('TIMEOUT', `${url}: no registry within registryTimeoutMs (${ms} ms); the cached ${v.manifest.name}@${v.manifest.version} serves`, {
              details: { url, timeoutMs: ms, retryable: true },
            }),
          );
          const s = await store;
          if (deferred && s?.kind === 'indexeddb') {
            // The late registry's snapshot and revocations, once it answers, are writes clear() and the next load wait for.
            void work.then(
              (t) => t.saved && pend(`${s.kind}:${s.name}`, t.saved),
              () => undefined,
            );
          } else stop.abort();
        },
        () => undefined,
      );
    }, ms);
  });
  return Promise.race([work, timedOut]).finally(() => {
    settled = true;
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  });
}
