/** Telemetry's one way to set a timer: clamped and `unref`'d. */

/** setTimeout's largest delay; a longer one (a Retry-After of weeks) fires after ~1 ms instead. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * `setTimeout(fn, ms)` with `ms` clamped to what timers can hold (a caller that needs longer
 * re-arms when it fires early) and `unref`'d, so telemetry never keeps Node, Deno or Bun alive.
 */
export function later(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
  const t = setTimeout(fn, Math.min(Math.max(ms, 0), MAX_DELAY_MS));
  (t as { unref?: () => void }).unref?.();
  return t;
}
