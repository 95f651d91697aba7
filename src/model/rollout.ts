/**
 * Rollout: each rollout channel of a model claims the clients whose own bucket for it (a hash of
 * the client's stable id, the model and the channel) is below the channel's fraction. Channels
 * are independent, so raising one fraction only adds clients to that channel and fractions need
 * not sum to 1; a client that several channels claim gets the newest of their versions.
 * Synchronous and dependency-free, so resolution stays cheap.
 */
import { compareVersions } from './compare-versions.js';
import type { RegistryEntry } from './manifest.js';

/** Bucket in [0, 1) of `clientId` for `channel` of model `name`: FNV-1a over UTF-16 units, then murmur3's fmix32 to spread the bits. */
export function rolloutBucket(clientId: string, name: string, channel: string): number {
  const text = `${name}\u0000${channel}\u0000${clientId}`;
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
 * The rollout channel that serves `clientId` a `stable` request: among the channels that claim the
 * client and point at a listed, unrevoked version newer than `stable` (a rollout never moves a
 * client back), the one with the newest version; of equal versions, the first channel by name.
 * @returns the channel name, or `undefined` for stable.
 */
export function pickRollout(entry: RegistryEntry, name: string, clientId: string): string | undefined {
  const stable = entry.channels.stable;
  let best: string | undefined;
  let bestVersion = stable;
  for (const channel of Object.keys(entry.rollout ?? {}).sort()) {
    const version = entry.channels[channel];
    if (
      version !== undefined &&
      entry.versions.includes(version) &&
      !entry.revoked?.includes(version) &&
      (bestVersion === undefined || compareVersions(version, bestVersion) > 0) &&
      rolloutBucket(clientId, name, channel) < entry.rollout![channel]!
    ) {
      best = channel;
      bestVersion = version;
    }
  }
  return best;
}
