/**
 * When each collector endpoint may be sent to again after a 429/503 with `Retry-After`, shared by
 * every telemetry instance of this realm (like the keepalive budget): the server asked this page
 * to wait, not one model, so a second model posting to the same endpoint waits too. Where the
 * realm has `localStorage` the wait is also kept there, so a reloaded page and the origin's other
 * tabs wait too (read at each send; no event needed). Edge runtimes and Node keep it in memory.
 */
const until = new Map<string, number>();
const KEY = 'ferryml:retry-after:';

/** `localStorage`, or `undefined` where it is missing or refused (opaque origins, disabled storage). */
function storage(): Storage | undefined {
  try {
    return (globalThis as { localStorage?: Storage }).localStorage;
  } catch {
    return undefined;
  }
}

/** The end of `url`'s wait, as this realm and the origin's storage know it (0: none). */
function endOf(url: string): number {
  let end = until.get(url) ?? 0;
  try {
    const stored = Number(storage()?.getItem(KEY + url) ?? 0);
    if (stored > end) end = stored;
  } catch {
    // Storage that throws on read (quota, privacy settings): this realm's own wait only.
  }
  return end;
}

/** Notes a server's `Retry-After` of `ms` for `url`; a shorter one never ends an earlier wait. */
export function holdEndpoint(url: string, ms: number): void {
  const end = Math.max(endOf(url), Date.now() + ms);
  until.set(url, end);
  try {
    storage()?.setItem(KEY + url, String(end));
  } catch {
    // Not kept past this realm: the next page asks the server and is told to wait again.
  }
}

/** Milliseconds before `url` may be sent to (0: now). */
export function endpointWait(url: string): number {
  const ms = endOf(url) - Date.now();
  if (ms > 0) return ms;
  until.delete(url);
  try {
    const s = storage();
    if (s?.getItem(KEY + url) != null) s.removeItem(KEY + url);
  } catch {
    // Left for the next reader, which finds it past and tries again.
  }
  return 0;
}
