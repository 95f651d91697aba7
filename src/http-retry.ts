/**
 * HTTP retry facts shared by bundle downloads and telemetry delivery: which statuses are worth
 * another try, and the one `Retry-After` parser.
 */

/**
 * Statuses worth another try: request timeout, too early, too many requests, and the server-side
 * errors a retry can outlast. Bundle downloads retry all of them (and fall back to a cached
 * version on them).
 */
export const RETRY_STATUS: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * The subset that says "transient, try again soon" (overload, gateway trouble). Telemetry retries
 * these in place; a 500 is retried too, but later, from the queue's slower backoff (DESIGN.md).
 */
export const RETRY_SOON_STATUS: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * Milliseconds a `Retry-After` header asks to wait: delta-seconds or an HTTP date
 * (RFC 9110 §10.2.3). `undefined` when absent or unreadable.
 */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const h = header.trim();
  if (/^\d+$/.test(h)) return Number(h) * 1000;
  const at = Date.parse(h);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
