/**
 * The in-flight bytes of `keepalive` requests, shared by every telemetry instance of this realm:
 * the browser's 64 KiB cap is per page (fetch spec, "keepalive" inflight bytes), so two models
 * that each kept their own count could pass it together and have a request refused at unload.
 */
let inFlight = 0;

/** True when `bytes` more would stay within `limit`. */
export const fitsKeepalive = (bytes: number, limit: number): boolean => inFlight + bytes <= limit;

/** Reserves `bytes` when they fit `limit`; the caller releases them when the request ends. */
export function reserveKeepalive(bytes: number, limit: number): boolean {
  if (!fitsKeepalive(bytes, limit)) return false;
  inFlight += bytes;
  return true;
}

export function releaseKeepalive(bytes: number): void {
  inFlight -= bytes;
}
