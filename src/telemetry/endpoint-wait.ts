/**
 * When each collector endpoint may be sent to again after a 429/503 with `Retry-After`, shared by
 * every telemetry instance of this realm (like the keepalive budget): the server asked this page
 * to wait, not one model, so a second model posting to the same endpoint waits too.
 */
const until = new Map<string, number>();

/** Notes a server's `Retry-After` of `ms` for `url`; a shorter one never ends an earlier wait. */
export function holdEndpoint(url: string, ms: number): void {
  until.set(url, Math.max(until.get(url) ?? 0, Date.now() + ms));
}

/** Milliseconds before `url` may be sent to (0: now). */
export function endpointWait(url: string): number {
  const ms = (until.get(url) ?? 0) - Date.now();
  if (ms > 0) return ms;
  until.delete(url);
  return 0;
}
