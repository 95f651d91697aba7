/**
 * One HTTP attempt to send one batch, classified for the delivery policy. Never throws:
 * network failures and odd responses become outcomes.
 */
import { RETRY_SOON_STATUS, retryAfterMs } from '../http-retry.js';
import { later } from './timer.js';

/** What one POST came to. */
export type Outcome =
  /** 2xx; `rejected` records were refused in `partialSuccess` (the rest are stored). */
  | { kind: 'ok'; rejected: number; message: string }
  /** 429, 502, 503, 504, a network error or no answer in time: retry, after `afterMs` when the server said so. */
  | { kind: 'retry'; status: number | 'network' | 'timeout'; afterMs: number | undefined }
  /** 413: the batch is too large for the server; split it. */
  | { kind: 'too_large' }
  /** Other 4xx: the server will never take this batch. */
  | { kind: 'rejected'; status: number; message: string }
  /**
   * 500 and other 5xx: not retried now (OTLP lists only 429/502/503/504 as retryable), but the
   * batch is kept in the IndexedDB queue and retried with its slow backoff, so a server bug
   * costs delay, not data.
   */
  | { kind: 'defer'; status: number; message: string };

/**
 * POSTs `body`; `keepalive` lets the request outlive the page (the caller keeps the 64 KiB budget).
 * A request with no full answer in `timeoutMs` is aborted: a stalled connection would otherwise
 * hold the queue's one drain (and every `flush()`) forever.
 */
export async function post(url: string, headers: Record<string, string>, body: string, keepalive: boolean, timeoutMs: number): Promise<Outcome> {
  const signal = timeoutSignal(timeoutMs);
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { method: 'POST', headers, body, keepalive, mode: 'cors', credentials: 'omit', cache: 'no-store', signal });
    text = await res.text().catch(() => '');
  } catch {
    // A TypeError here is all the page learns about DNS, refused connections, CORS and offline.
    return { kind: 'retry', status: signal.aborted ? 'timeout' : 'network', afterMs: undefined };
  }
  const message = text.slice(0, 300);
  if (res.ok) return { kind: 'ok', rejected: rejectedCount(text), message };
  if (RETRY_SOON_STATUS.has(res.status)) return { kind: 'retry', status: res.status, afterMs: retryAfterMs(res.headers.get('Retry-After')) };
  if (res.status === 413) return { kind: 'too_large' };
  if (res.status >= 500) return { kind: 'defer', status: res.status, message };
  return { kind: 'rejected', status: res.status, message };
}

/** An AbortSignal that aborts after `ms` (its timer `unref`'d in Node, so it holds no process open). */
function timeoutSignal(ms: number): AbortSignal {
  if (typeof AbortSignal.timeout === 'function') return AbortSignal.timeout(ms);
  const c = new AbortController();
  later(() => c.abort(), ms);
  return c.signal;
}

/** `partialSuccess.rejectedLogRecords` of an ExportLogsServiceResponse (an int64: string or number). */
function rejectedCount(text: string): number {
  if (!text) return 0;
  try {
    const r = (JSON.parse(text) as { partialSuccess?: { rejectedLogRecords?: string | number } }).partialSuccess?.rejectedLogRecords;
    const n = Number(r ?? 0);
    return Number.isFinite(n) && n > 0 ? n : 0;
  } catch {
    return 0;
  }
}
