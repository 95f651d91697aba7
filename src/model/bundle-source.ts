// Where a bundle came from and which rule picked its version: facts shared by bundles and
// models, kept apart from opened-bundle.ts so the app-facing .d.ts pulls no tfjs types.
/** Where the bytes came from: this load's downloads, the verified cache, the cache because the network failed, or files handed in (`bundleFromFiles`). */
export type BundleSource = 'network' | 'cache' | 'offline' | 'local';

/** Which rule picked the version: an explicit pin, a named channel, the rollout bucket, the `stable` channel, or the offline fallback. */
export type ResolvedBy = 'pin' | 'channel' | 'rollout' | 'stable' | 'offline-fallback' | 'bundle';
