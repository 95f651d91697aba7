/**
 * Where to load from: with a registry, fetch it (fresh: `no-cache`), verify it when the app
 * passes a `publicKey` (./registry-trust.ts), keep a snapshot for offline use, forget cached
 * revoked versions, and resolve the version; with a bundle URL, that directory. Nothing is
 * saved or deleted before the registry verified.
 */
import { dropVersions, saveRegistry } from '../cache/bundle-cache.js';
import type { KvStore } from '../cache/kv-store.js';
import { FerryError } from '../errors.js';
import { defaultClientId } from './client-id.js';
import { fetchBytes, type FetchPolicy } from './fetch-bytes.js';
import type { NormalizedOpenBundleOptions } from './open-bundle-options.js';
import type { ResolvedBy } from './opened-bundle.js';
import type { BundlePhase } from './bundle-phases.js';
import { parseRegistry, registryEntry, resolveVersion } from './registry.js';
import { verifyRegistry } from './registry-trust.js';

/** A resolved bundle location. */
export interface Target {
  /** Bundle directory URL, ending in `/`. */
  baseUrl: string;
  name?: string | undefined;
  version?: string | undefined;
  resolvedBy: ResolvedBy;
  /**
   * The verified registry's snapshot write and the removal of revoked cached versions, still
   * running: best effort (never rejects), and nothing on the way to this version reads them, so
   * the caller decides whether to wait (openBundle) or let them finish behind the load (loadModel).
   */
  saved?: Promise<unknown>;
  /** The version's file paths as the registry lists them (unchecked: see `RegistryEntry.files`). */
  listed?: unknown;
}

/** URL of `name@version` next to the registry file. */
export const versionUrl = (registry: URL, name: string, version: string) =>
  new URL(`${encodeURIComponent(name)}/${encodeURIComponent(version)}/`, registry).href;

/** True when the request can use the rollout bucket, so a client id is needed at all. */
const needsClientId = (opts: NormalizedOpenBundleOptions, rollout: Record<string, number> | undefined) =>
  opts.version === undefined && opts.channel === 'stable' && Object.values(rollout ?? {}).some((f) => f > 0);

/** The client id used for rollout: the option, else the persisted default. */
export const clientIdFor = (opts: NormalizedOpenBundleOptions, store: KvStore | undefined) =>
  opts.clientId !== undefined ? Promise.resolve(opts.clientId) : defaultClientId(store);

/**
 * Resolves the options to one bundle directory; registry and resolution errors are thrown as
 * FerryErrors. `store` may still be opening: the registry is fetched meanwhile, and the version is
 * resolved without waiting for it unless the registry's signature (rollback check) or the rollout
 * bucket (client id) needs it; the snapshot write waits for it behind the answer (`saved`).
 * @param openNow opens a store the caller holds back; called when the version does not resolve.
 */
export async function resolveTarget(
  opts: NormalizedOpenBundleOptions,
  opening: KvStore | undefined | PromiseLike<KvStore | undefined>,
  policy: FetchPolicy,
  mark?: (phase: BundlePhase) => void,
  openNow?: () => void,
): Promise<Target> {
  if (!opts.registry) return { baseUrl: opts.bundle!.href, name: opts.name, resolvedBy: 'bundle' };
  const url = opts.registry.href;
  const bytes = await fetchBytes({ url, kind: 'json', cache: 'no-cache' }, policy);
  mark?.('registryAt');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new FerryError('REGISTRY_INVALID', `${url}: not valid JSON`, { cause, details: { url } });
  }
  const registry = parseRegistry(json, url);
  // Nothing is saved or deleted before a signed registry verified (rollback and expiry included).
  if (opts.publicKey) await verifyRegistry(registry, url, opts.publicKey, await opening);
  const name = opts.name!;
  const entry = registryEntry(registry, name, url);
  // Best effort: a failing store must not fail a load that the network can serve.
  const saved = Promise.resolve(opening).then(
    (store) =>
      store &&
      Promise.all([
        saveRegistry(store, url, registry).catch(() => undefined),
        entry.revoked?.length ? dropVersions(store, name, entry.revoked).catch(() => undefined) : undefined,
      ]),
    () => undefined,
  );
  const clientId = needsClientId(opts, entry.rollout) ? await clientIdFor(opts, await opening) : undefined;
  let resolution: ReturnType<typeof resolveVersion>;
  try {
    resolution = resolveVersion(entry, { name, version: opts.version, channel: opts.channel, clientId }, url);
  } catch (error) {
    // A revoked or unknown version: the writes above finish before the load fails, even where the
    // caller held the store back (a fresh profile, ./load-bundle.ts), so a version revoked now is
    // deleted and never served offline later.
    openNow?.();
    await saved;
    throw error;
  }
  const { version, resolvedBy } = resolution;
  mark?.('resolvedAt');
  return { baseUrl: versionUrl(opts.registry, name, version), name, version, resolvedBy, saved, listed: entry.files?.[version] };
}
