/**
 * Batch ids this realm has already settled (sent, refused or split), so a second copy of a batch
 * (stored on page hide while the original was in flight, or parked twice) is removed from the
 * offline queue unsent and never counted twice. Shared by all instances: two models may drain one
 * queue. Ids are random 128-bit keys, so one set serves every endpoint.
 */
const settled = new Set<string>();
/** Copies outlive their original by one drain at most; a bounded set keeps a long session small. */
const KEEP = 4096;

/** Marks `id` settled; false when it already was (the caller then counts nothing). */
export function settle(id: string): boolean {
  if (settled.has(id)) return false;
  settled.add(id);
  // A Set iterates in insertion order: the first entry is the oldest.
  if (settled.size > KEEP) settled.delete(settled.values().next().value!);
  return true;
}

export const isSettled = (id: string): boolean => settled.has(id);
