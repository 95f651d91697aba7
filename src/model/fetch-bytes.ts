/**
 * One file over HTTP with a per-request timeout, retries with exponential backoff and full
 * jitter (honouring `Retry-After` on 429/503), byte progress and `AbortSignal`. Rejects — never
 * returns — a non-2xx response, an HTML page where JSON or a weight shard was expected, and a
 * body longer than the manifest says. Every failure is a FerryError with `details.url`.
 */
import { FerryError, isFerryError } from '../errors.js';
import { checkJsonStart, looksLikeHtml, unexpectedHtml } from './content-check.js';
import { RETRY_STATUS, retryAfterMs as parseRetryAfter } from '../http-retry.js';
import type { EarlyFetch } from './early-fetch.js';

/** Transport settings shared by every request of one load. */
export interface FetchPolicy {
  fetch: typeof fetch;
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  signal?: AbortSignal | undefined;
  /**
   * Asked after a request got no answer (network error or timeout): how many retries such a
   * failure still deserves, at most `retries`. The caller knows what the backoff cannot: that the
   * browser is offline, or that a verified cached version can stand in. Absent: `retries`.
   */
  transportRetries?: (() => Promise<number>) | undefined;
  /** Requests already in flight (./early-fetch.ts): the first attempt for one's URL and cache mode takes it over. */
  early?: readonly EarlyFetch[] | undefined;
}

/** `navigator.onLine === false`: the browser has no network connection (`true` proves nothing). */
export const browserOffline = (): boolean => (globalThis.navigator as { onLine?: boolean } | undefined)?.onLine === false;

/** One file to fetch. */
export interface FetchRequest {
  url: string;
  /** `"json"`: the body must start with `{` or `[`; `"binary"`: anything but an HTML page. */
  kind: 'json' | 'binary';
  /** Size from the manifest: a longer body is cut off early as `SIZE_MISMATCH`. */
  expectedBytes?: number | undefined;
  /** Called with each chunk's length, and with a negative total when an attempt's bytes are discarded. */
  onBytes?: ((delta: number) => void) | undefined;
  /** `"no-cache"` for the registry, so a promote or revoke is seen at once. */
  cache?: RequestCache;
}

const MAX_DELAY_MS = 30_000;

const fail = (code: ConstructorParameters<typeof FerryError>[0], message: string, details: Record<string, unknown>, cause?: unknown) =>
  new FerryError(code, message, cause === undefined ? { details } : { cause, details });

/** Bytes of `request.url`, retried per `policy`; the last error is thrown with `details.attempts`. */
export async function fetchBytes(request: FetchRequest, policy: FetchPolicy): Promise<Uint8Array> {
  for (let attempt = 1; ; attempt++) {
    let waitMs: number;
    try {
      return await attemptOnce(request, policy);
    } catch (error) {
      const e = isFerryError(error) ? error : fail('NETWORK_ERROR', `${request.url}: ${String(error)}`, { url: request.url }, error);
      e.details.attempts = attempt;
      if (e.details.retryable !== true || attempt > policy.retries) throw e;
      const transport = e.code === 'NETWORK_ERROR' || e.code === 'TIMEOUT';
      if (transport && policy.transportRetries && attempt > (await policy.transportRetries())) throw e;
      const retryAfter = e.details.retryAfterMs as number | undefined;
      // Full jitter (AWS architecture blog, "Exponential Backoff and Jitter"): spreads a thundering herd.
      waitMs = retryAfter ?? Math.random() * Math.min(MAX_DELAY_MS, policy.backoffMs * 2 ** (attempt - 1));
      if (waitMs > MAX_DELAY_MS) throw e;
    }
    await sleep(waitMs, policy.signal, request.url);
  }
}

async function attemptOnce(request: FetchRequest, policy: FetchPolicy): Promise<Uint8Array> {
  const { url } = request;
  if (policy.signal?.aborted) throw aborted(url, policy.signal);
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = () => controller.abort(policy.signal?.reason);
  policy.signal?.addEventListener('abort', onAbort);
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, policy.timeoutMs);
  let loaded = 0;
  const transport = (cause: unknown) => {
    if (policy.signal?.aborted) return aborted(url, policy.signal);
    if (timedOut)
      return fail('TIMEOUT', `${url}: no complete response within ${policy.timeoutMs} ms`, { url, timeoutMs: policy.timeoutMs, retryable: true }, cause);
    const why = cause instanceof Error ? cause.message : String(cause);
    if (browserOffline())
      return fail(
        'NETWORK_ERROR',
        `${url}: network error (${why}); the browser is offline (navigator.onLine is false)`,
        { url, retryable: true, offline: true },
        cause,
      );
    return fail('NETWORK_ERROR', `${url}: network error (${why}); offline, or the server closed the connection`, { url, retryable: true }, cause);
  };
  try {
    let response: Response;
    const cache = request.cache ?? 'default';
    const early = policy.early?.find((e) => !e.taken && e.url === url && e.cache === cache);
    try {
      if (early) {
        // This attempt's timeout and the caller's signal now stop the request started early.
        early.taken = true;
        controller.signal.addEventListener('abort', () => early.abort(controller.signal.reason), { once: true });
        response = await early.response;
      } else response = await policy.fetch(url, { signal: controller.signal, cache, credentials: 'same-origin' });
    } catch (cause) {
      throw transport(cause);
    }
    if (!response.ok) {
      void response.body?.cancel().catch(() => undefined);
      const retryAfterMs = response.status === 429 || response.status === 503 ? parseRetryAfter(response.headers.get('retry-after')) : undefined;
      throw fail('HTTP_ERROR', `${url}: HTTP ${response.status} ${response.statusText}`.trim(), {
        url,
        status: response.status,
        retryable: RETRY_STATUS.has(response.status),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
    const type = response.headers.get('content-type') ?? '';
    if (/\btext\/html\b/i.test(type)) {
      void response.body?.cancel().catch(() => undefined);
      throw unexpectedHtml(url, request.kind, `Content-Type ${type}`);
    }
    let bytes: Uint8Array;
    try {
      bytes = await readBody(response, request, (n) => {
        loaded += n;
        request.onBytes?.(n);
      });
    } catch (cause) {
      throw isFerryError(cause) ? cause : transport(cause);
    }
    if (request.kind === 'json' || looksLikeHtml(bytes)) checkJsonStart(bytes, url, request.kind);
    return bytes;
  } catch (error) {
    if (loaded) request.onBytes?.(-loaded);
    throw error;
  } finally {
    clearTimeout(timer);
    policy.signal?.removeEventListener('abort', onAbort);
  }
}

async function readBody(response: Response, request: FetchRequest, onChunk: (n: number) => void): Promise<Uint8Array> {
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array(await response.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (request.expectedBytes !== undefined && total > request.expectedBytes) {
      void reader.cancel().catch(() => undefined);
      throw fail(
        'SIZE_MISMATCH',
        `${request.url}: the server sent more than the ${request.expectedBytes} bytes the manifest lists; the file on the server is not the one that was packed`,
        {
          url: request.url,
          expectedBytes: request.expectedBytes,
          gotBytes: total,
        },
      );
    }
    chunks.push(value);
    onChunk(value.byteLength);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

function aborted(url: string, signal: AbortSignal): FerryError {
  return fail('ABORTED', `${url}: aborted by the caller's signal`, { url }, signal.reason);
}

function sleep(ms: number, signal: AbortSignal | undefined, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted(url, signal));
    const done = () => {
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    const timer = setTimeout(done, ms);
    function stop() {
      clearTimeout(timer);
      reject(aborted(url, signal!));
    }
    signal?.addEventListener('abort', stop, { once: true });
  });
}
