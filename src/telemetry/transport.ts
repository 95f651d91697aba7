/**
 * One HTTP attempt to send one batch, classified for the delivery policy. Never throws:
 * network failures and odd responses become outcomes.
 */
import { RETRY_SOON_STATUS, retryAfterMs } from '../http-retry.js';

/** What one POST came to. */
export type Outcome =
  /** 2xx; `rejected` records were refused in `partialSuccess` (the rest are stored). */
  | { kind: 'ok'; rejected: number; message: string }
  /** 429, 502, 503, 504 or a network error: retry, after `afterMs` when the server said so. */
  | { kind: 'retry'; status: number | 'network'; afterMs: number | undefined }
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

/** POSTs `body`; `keepalive` lets the request outlive the page (the caller keeps the 64 KiB budget). */
export async function post(url: string, headers: Record<string, string>, body: string, keepalive: boolean): Promise<Outcome> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers, body, keepalive, mode: 'cors', credentials: 'omit', cache: 'no-store' });
  } catch {
    // A TypeError here is all the page learns about DNS, refused connections, CORS and offline.
    return { kind: 'retry', status: 'network', afterMs: undefined };
  }
  const text = await res.text().catch(() => '');
  const message = text.slice(0, 300);
  if (res.ok) return { kind: 'ok', rejected: rejectedCount(text), message };
  if (RETRY_SOON_STATUS.has(res.status)) return { kind: 'retry', status: res.status, afterMs: retryAfterMs(res.headers.get('Retry-After')) };
  if (res.status === 413) return { kind: 'too_large' };
  if (res.status >= 500) return { kind: 'defer', status: res.status, message };
  return { kind: 'rejected', status: res.status, message };
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
