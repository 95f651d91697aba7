/**
 * Rollout buckets: a client's place in [0, 1) for one model, from a hash of its stable id, so
 * the same client always lands in the same channel and a fraction `f` of all clients lands in
 * a channel rolled out to `f`. Synchronous and dependency-free, so resolution stays cheap.
 */

/** Bucket in [0, 1) of `clientId` for model `name`: FNV-1a over UTF-16 units, then murmur3's fmix32 to spread the bits. */
export function rolloutBucket(clientId: string, name: string): number {
  const text = `${name}\u0000${clientId}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // FNV alone leaves ids that differ in their last character close together: fmix32 avalanches.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 0x1_0000_0000;
}

/**
 * The channel a bucket falls in: channels take consecutive slices of [0, 1) in name order,
 * each as wide as its fraction, so growing one channel's fraction only adds clients to it.
 * @returns the channel name, or `undefined` for the `stable` remainder.
 */
export function pickRolloutChannel(bucket: number, rollout: Record<string, number> | undefined): string | undefined {
  if (!rollout) return undefined;
  let start = 0;
  for (const channel of Object.keys(rollout).sort()) {
    const fraction = Math.min(Math.max(rollout[channel] ?? 0, 0), 1);
    if (bucket >= start && bucket < start + fraction) return channel;
    start += fraction;
  }
  return undefined;
}
