/** Retry timing: exponential backoff with jitter (`Retry-After` parsing is ../http-retry.ts, re-exported). */

export { retryAfterMs } from '../http-retry.js';

/**
 * Delay before retry number `retry` (1-based): exponential, capped, with "equal jitter"
 * (half fixed, half random) so that clients that failed together do not retry together,
 * yet no retry comes back immediately.
 */
export function backoffMs(retry: number, baseMs: number, maxMs: number): number {
  const d = Math.min(maxMs, baseMs * 2 ** (retry - 1));
  return d / 2 + Math.random() * (d / 2);
}
