// `ferryml/bundle`: bundles and registries without a model — open and verify a bundle (e.g. in
// a service worker that pre-caches), read files handed in, resolve a registry version by hand.
export { MANIFEST_FORMAT_VERSION } from '../model/manifest.js';
export type { BundleFile, Golden, Registry, RegistryEntry } from '../model/manifest.js';
export { openBundle } from '../model/open-bundle.js';
export type { OpenedBundle, BundleCacheStatus } from '../model/opened-bundle.js';
export { bundleFromFiles } from '../model/bundle-from-files.js';
export type { BundleFromFilesOptions } from '../model/bundle-from-files.js';
export { rolloutBucket } from '../model/rollout.js';
export { parseRegistry, resolveVersion } from '../model/registry.js';
export type { VersionRequest, Resolution } from '../model/registry.js';
// Manifest parsing, canonical JSON, hashing and signature checks run inside openBundle and
// bundleFromFiles; the Node CLI imports them from src/model/.
