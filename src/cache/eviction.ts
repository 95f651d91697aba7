/**
 * Which versions to drop: beyond `maxVersions` per model, then least recently used until the
 * unique bytes (shared blobs counted once) fit `maxBytes`. Pure, so tests can drive it directly.
 */
import type { BundleFile } from '../model/manifest.js';

/** The facts eviction needs about one cached version. */
export interface EvictionCandidate {
  key: string;
  name: string;
  lastUsed: number;
  files: readonly BundleFile[];
}

/** Limits of one cache. */
export interface EvictionLimits {
  maxVersions: number;
  maxBytes: number;
  /** Keys never dropped (the version being loaded). */
  keep?: readonly string[];
}

/** Bytes of the distinct blobs that `records` reference. */
export function uniqueBytes(records: readonly EvictionCandidate[]): number {
  const seen = new Map<string, number>();
  for (const r of records) for (const f of r.files) seen.set(f.sha256, f.bytes);
  let total = 0;
  for (const b of seen.values()) total += b;
  return total;
}

/** Keys of the versions to evict, least recently used first. */
export function planEviction(records: readonly EvictionCandidate[], limits: EvictionLimits): string[] {
  const keep = new Set(limits.keep ?? []);
  // Most recent first; kept keys count as most recent of all.
  const order = [...records].sort((a, b) => Number(keep.has(b.key)) - Number(keep.has(a.key)) || b.lastUsed - a.lastUsed);
  const drop = new Set<string>();
  const perModel = new Map<string, number>();
  for (const r of order) {
    const n = (perModel.get(r.name) ?? 0) + 1;
    perModel.set(r.name, n);
    if (n > limits.maxVersions && !keep.has(r.key)) drop.add(r.key);
  }
  const remaining = order.filter((r) => !drop.has(r.key));
  for (let i = remaining.length - 1; i >= 0 && uniqueBytes(remaining) > limits.maxBytes; i--) {
    const r = remaining[i]!;
    if (keep.has(r.key)) continue;
    drop.add(r.key);
    remaining.splice(i, 1);
  }
  return order
    .filter((r) => drop.has(r.key))
    .reverse()
    .map((r) => r.key);
}
