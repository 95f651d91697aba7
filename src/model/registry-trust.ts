/**
 * The signed registry, client side (TUF's timestamp + snapshot roles, kept small): with a
 * `publicKey` (one root key, or several during a rotation), `index.json` must carry a valid ECDSA
 * P-256 signature by a root key (or by a key that an earlier verified registry named as `nextKey`),
 * a `registryVersion` no lower than the highest this client has verified there (rollback) and, at
 * that same version, the same signed bytes (fork), and an `expires` in the future (freeze). What
 * this client trusts lives in the cache store (IndexedDB) and in this module's memory (Node,
 * `cache: false`, or a store that failed), whichever is higher, filed under the registry's origin
 * and path and the app's root key ids ({@link trustId}).
 */
import { loadRegistryTrust, updateRegistryTrust } from '../cache/bundle-cache.js';
import type { KvStore } from '../cache/kv-store.js';
import { FerryError, isFerryError } from '../errors.js';
import { sha256Hex } from './digest.js';
import type { Registry } from './manifest.js';
import type { PublicKeyInput, PublicKeys } from './open-bundle-options.js';
import { keyIdOf, rootKeys, signatureProblem, signedBytes } from './signature.js';

/** What a client remembers about one registry under one set of root keys. */
export interface RegistryTrust {
  /** Highest `registryVersion` that verified. */
  highest: number;
  /** sha256 (hex) of the signed bytes of the registry that verified at `highest`. */
  digest?: string | undefined;
  /** Keys named `nextKey` by verified registries (public JWKs), newest last; at most 4. */
  rotated: JsonWebKey[];
}

const memory = new Map<string, RegistryTrust>();

/** The bytes a registry signature covers: its canonical JSON without `signature`, as for manifests. */
export const registrySignedBytes: (registry: Registry) => Uint8Array = signedBytes;

/**
 * Where the trust state of `url` under `roots` is kept: the registry's scheme, host and path (a
 * cache-busting query or a fragment is the same registry) and the sorted ids of the app's root
 * keys, so that what was learned under other root keys (a leaked key's `nextKey` or its huge
 * `registryVersion`) counts for nothing once the app ships other keys. A non-extractable CryptoKey
 * has no id and counts as an empty one.
 */
export async function trustId(url: string, roots: readonly PublicKeyInput[]): Promise<string> {
  // Callers pass a parsed URL's href (or a file path): dropping the query and fragment leaves scheme, host and path.
  return `${url.replace(/[?#][^]*/, '')}#${(await Promise.all(roots.map(keyIdOf))).sort().join()}`;
}

const NONE: RegistryTrust = { highest: -1, rotated: [] };

/** Both states in one: the higher version with its digest, and `a`'s rotated keys then `b`'s new ones (the newest 4). */
function merge(a: RegistryTrust | undefined, b: RegistryTrust | undefined): RegistryTrust {
  const x = a && Number.isSafeInteger(a.highest) ? a : NONE;
  const y = b && Number.isSafeInteger(b.highest) ? b : NONE;
  const rotated = [...x.rotated, ...y.rotated.filter((k) => !x.rotated.some((r) => r.x === k.x && r.y === k.y))];
  const digest = x.highest === y.highest ? (x.digest ?? y.digest) : (x.highest > y.highest ? x : y).digest;
  return { highest: Math.max(x.highest, y.highest), digest, rotated: rotated.slice(-4) };
}

/** The trust state filed under `id` ({@link trustId}): the higher of memory and the store. */
async function stateOf(id: string, store: KvStore | undefined): Promise<RegistryTrust> {
  const stored = store ? await loadRegistryTrust<RegistryTrust>(store, id).catch(() => undefined) : undefined;
  return merge(memory.get(id), stored);
}

const fail = (
  code: 'REGISTRY_SIGNATURE_INVALID' | 'REGISTRY_ROLLBACK' | 'REGISTRY_EXPIRED',
  url: string,
  why: string,
  fix: string,
  details: Record<string, unknown> = {},
) => new FerryError(code, `${url}: ${why}. ${fix}`, { details: { url, ...details } });

const KEEP = 'this client keeps its last verified version.';
const RESIGN = `Sign it with a key the app trusts (\`ferryml publish|promote|revoke|pack --sign KEY.pem\`); ${KEEP}`;

/**
 * Checks a registry against `publicKey` and what this client saw before; on success records it
 * (highest version and its digest, a named `nextKey`). Throws REGISTRY_SIGNATURE_INVALID,
 * REGISTRY_ROLLBACK or REGISTRY_EXPIRED with the facts in `details`.
 */
export async function verifyRegistry(registry: Registry, url: string, publicKey: PublicKeys, store: KvStore | undefined, now = Date.now()): Promise<void> {
  const roots = rootKeys(publicKey);
  const id = await trustId(url, roots);
  const trust = await stateOf(id, store);
  const bytes = signedBytes(registry);
  const why = await signatureProblem(registry.signature, [...roots, ...trust.rotated], bytes);
  if (why) throw fail('REGISTRY_SIGNATURE_INVALID', url, `registry ${why}`, RESIGN, { keyId: registry.signature?.keyId });
  const version = registry.registryVersion;
  if (version === undefined) throw fail('REGISTRY_SIGNATURE_INVALID', url, 'signed registry has no registryVersion', RESIGN);
  const digest = await sha256Hex(bytes);
  const refuse = (seen: RegistryTrust | undefined) => {
    const e = refusal(url, version, digest, merge(seen, undefined));
    if (e) throw e;
  };
  refuse(trust);
  const expires = registry.expires === undefined ? NaN : Date.parse(registry.expires);
  if (!(expires > now)) {
    throw fail(
      'REGISTRY_EXPIRED',
      url,
      registry.expires === undefined ? 'signed registry has no expires' : `registry expired at ${registry.expires}`,
      `Re-sign it (\`ferryml publish|promote|revoke --sign KEY.pem --expires DAYS\`); ${KEEP}`,
      { expires: registry.expires, now: new Date(now).toISOString() },
    );
  }
  const next = registry.nextKey;
  const named = next ? [{ kty: next.kty, crv: next.crv, x: next.x, y: next.y } as JsonWebKey] : [];
  const state = merge(trust, { highest: version, digest, rotated: named });
  // Another check of this registry (a second model from it, another CDN edge) may have recorded a
  // higher version, or this version with other bytes, while this one awaited: refuse this one as if
  // they had run in turn, and never lower what is remembered (a lowered highest would let the older
  // registry in for good).
  refuse(memory.get(id));
  memory.set(id, merge(memory.get(id), state));
  if (!store) return;
  // Read and written in one transaction, for the same reason across tabs. Best effort: memory
  // still protects this page when the store fails.
  const stored = await updateRegistryTrust<RegistryTrust>(store, id, (s) =>
    refusal(url, version, digest, merge(s, undefined)) ? merge(s, undefined) : merge(s, state),
  ).catch(() => undefined);
  refuse(stored);
}

/** Why `version` (whose signed bytes hash to `digest`) may not follow `seen`, or `undefined` when it may. */
function refusal(url: string, version: number, digest: string, seen: RegistryTrust): FerryError | undefined {
  const older = version < seen.highest;
  if (older || (version === seen.highest && seen.digest && seen.digest !== digest))
    return fail(
      'REGISTRY_ROLLBACK',
      url,
      older
        ? `registryVersion ${version} is older than ${seen.highest}, which this client verified (a replayed old index.json)`
        : `registryVersion ${version} differs from the one verified (signed bytes sha256 ${digest}, not ${seen.digest})`,
      `Serve the verified index.json${older ? '' : ', or the change as a new registryVersion'}; ${KEEP}`,
      { registryVersion: version, highestSeen: seen.highest, digest, digestSeen: seen.digest },
    );
  return undefined;
}

/** The keys manifests from this registry may be signed by: the app's root keys, then any rotated to. */
export async function manifestKeys(url: string | undefined, publicKey: PublicKeys | undefined, store: KvStore | undefined): Promise<PublicKeys | undefined> {
  if (!publicKey || url === undefined) return publicKey;
  const { rotated } = await stateOf(await trustId(url, rootKeys(publicKey)), store);
  return rotated.length ? [...rootKeys(publicKey), ...rotated] : publicKey;
}

/** Registry trust failures: the last verified cached version stands in, as when the network fails. */
export const isRegistryTrustError = (error: unknown): error is FerryError =>
  isFerryError(error) && (error.code === 'REGISTRY_SIGNATURE_INVALID' || error.code === 'REGISTRY_ROLLBACK' || error.code === 'REGISTRY_EXPIRED');
