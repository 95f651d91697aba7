/**
 * The signed registry, client side (TUF's timestamp + snapshot roles, kept small): with a
 * `publicKey`, `index.json` must carry a valid ECDSA P-256 signature by that key (or by a key
 * that an earlier verified registry named as `nextKey`: rotation), a `registryVersion` no lower
 * than the highest this client has verified for the URL (rollback), and an `expires` in the
 * future (freeze). What this client trusts per URL lives in the cache store (IndexedDB) and in
 * this module's memory (Node, `cache: false`, or a store that failed), whichever is higher.
 */
import { loadRegistryTrust, updateRegistryTrust } from '../cache/bundle-cache.js';
import type { KvStore } from '../cache/kv-store.js';
import { FerryError, isFerryError } from '../errors.js';
import { canonicalJson } from './canonical-json.js';
import { fromBase64, getSubtle } from './digest.js';
import type { Registry } from './manifest.js';
import type { PublicKeyInput } from './open-bundle-options.js';
import { importPublicKey, keyIdOf, SIGNATURE_ALG } from './signature.js';

/** What a client remembers about one registry URL. */
export interface RegistryTrust {
  /** Highest `registryVersion` that verified. */
  highest: number;
  /** Keys named `nextKey` by verified registries (public JWKs), newest last; at most 4. */
  rotated: JsonWebKey[];
}

const memory = new Map<string, RegistryTrust>();

/** The bytes a registry signature covers: its canonical JSON without `signature`. */
export function registrySignedBytes(registry: Registry): Uint8Array {
  const { signature: _ignored, ...unsigned } = registry;
  return new TextEncoder().encode(canonicalJson(unsigned));
}

const NONE: RegistryTrust = { highest: -1, rotated: [] };

/** Both states in one: the higher version, and `a`'s rotated keys then `b`'s new ones (the newest 4). */
function merge(a: RegistryTrust | undefined, b: RegistryTrust | undefined): RegistryTrust {
  const x = a && Number.isSafeInteger(a.highest) ? a : NONE;
  const y = b && Number.isSafeInteger(b.highest) ? b : NONE;
  const rotated = [...x.rotated, ...y.rotated.filter((k) => !x.rotated.some((r) => r.x === k.x && r.y === k.y))];
  return { highest: Math.max(x.highest, y.highest), rotated: rotated.slice(-4) };
}

/** The trust state for `url`: the higher of memory and the store. */
export async function registryTrust(url: string, store: KvStore | undefined): Promise<RegistryTrust> {
  const stored = store ? await loadRegistryTrust<RegistryTrust>(store, url).catch(() => undefined) : undefined;
  return merge(memory.get(url), stored);
}

const fail = (
  code: 'REGISTRY_SIGNATURE_INVALID' | 'REGISTRY_ROLLBACK' | 'REGISTRY_EXPIRED',
  url: string,
  why: string,
  fix: string,
  details: Record<string, unknown> = {},
) => new FerryError(code, `${url}: ${why}. ${fix}`, { details: { url, ...details } });

const RESIGN =
  'Re-sign it with `ferryml publish|promote|revoke|pack --sign KEY.pem` (the key whose public half the app passes as publicKey); until then this client keeps serving its last verified version.';

/**
 * Checks a registry against `publicKey` and what this client saw before; on success records it
 * (highest version, a named `nextKey`). Throws REGISTRY_SIGNATURE_INVALID, REGISTRY_ROLLBACK or
 * REGISTRY_EXPIRED with the facts in `details`.
 */
export async function verifyRegistry(registry: Registry, url: string, publicKey: PublicKeyInput, store: KvStore | undefined, now = Date.now()): Promise<void> {
  const sig = registry.signature;
  if (!sig) throw fail('REGISTRY_SIGNATURE_INVALID', url, 'the registry is not signed but the app passes a publicKey', RESIGN);
  // The registry is JSON from the network: its alg is only typed, not checked, until here.
  const alg: string = sig.alg;
  if (alg !== SIGNATURE_ALG) throw fail('REGISTRY_SIGNATURE_INVALID', url, `unsupported registry signature alg "${alg}" (expected ${SIGNATURE_ALG})`, RESIGN);
  const trust = await registryTrust(url, store);
  const candidates: PublicKeyInput[] = [publicKey, ...trust.rotated];
  let key: PublicKeyInput | undefined;
  const known: string[] = [];
  for (const k of candidates) {
    const id = await keyIdOf(k);
    if (id) known.push(id);
    if (id === sig.keyId) key ??= k;
  }
  // A non-extractable CryptoKey has no id to compare: let the signature decide.
  if (!key && (await keyIdOf(publicKey)) === undefined) key = publicKey;
  if (!key)
    throw fail('REGISTRY_SIGNATURE_INVALID', url, `signed by key ${sig.keyId}, which this client does not trust (trusted: ${known.join(', ')})`, RESIGN, {
      keyId: sig.keyId,
      trusted: known,
    });
  let value: Uint8Array;
  try {
    value = fromBase64(sig.value);
  } catch {
    throw fail('REGISTRY_SIGNATURE_INVALID', url, 'the registry signature value is not base64', RESIGN, { keyId: sig.keyId });
  }
  const verifyKey = await importPublicKey(key);
  const ok = await getSubtle().verify(
    { name: 'ECDSA', hash: 'SHA-256' },
    verifyKey,
    value as Uint8Array<ArrayBuffer>,
    registrySignedBytes(registry) as Uint8Array<ArrayBuffer>,
  );
  if (!ok)
    throw fail(
      'REGISTRY_SIGNATURE_INVALID',
      url,
      'the registry signature does not match its contents (it was changed after signing: channels, revocations or versions edited without the release key)',
      RESIGN,
      { keyId: sig.keyId },
    );
  const version = registry.registryVersion;
  if (version === undefined) throw fail('REGISTRY_SIGNATURE_INVALID', url, 'the signed registry has no registryVersion', RESIGN);
  if (version < trust.highest) throw rollback(url, version, trust.highest);
  const expires = registry.expires === undefined ? NaN : Date.parse(registry.expires);
  if (!(expires > now)) {
    throw fail(
      'REGISTRY_EXPIRED',
      url,
      registry.expires === undefined
        ? 'the signed registry has no expires time'
        : `the registry expired at ${registry.expires} (a frozen copy, or nobody re-signed it)`,
      `Re-sign it (\`ferryml publish|promote|revoke --sign KEY.pem --expires DAYS\`); this client keeps serving its last verified version.`,
      { expires: registry.expires, now: new Date(now).toISOString() },
    );
  }
  const next = registry.nextKey;
  const named = next ? [{ kty: next.kty, crv: next.crv, x: next.x, y: next.y } as JsonWebKey] : [];
  const state = merge(trust, { highest: version, rotated: named });
  // Another check of this URL (a second model from the same registry, another CDN edge) may have
  // recorded a higher version while this one awaited: refuse this one as if they had run in turn,
  // and never lower what is remembered (a lowered highest would let the older registry in for good).
  const seen = memory.get(url)?.highest ?? -1;
  if (version < seen) throw rollback(url, version, seen);
  memory.set(url, merge(memory.get(url), state));
  if (!store) return;
  // Read and written in one transaction, for the same reason across tabs. Best effort: memory
  // still protects this page when the store fails.
  const stored = await updateRegistryTrust<RegistryTrust>(store, url, (s) =>
    version < merge(s, undefined).highest ? merge(s, undefined) : merge(s, state),
  ).catch(() => undefined);
  const highest = merge(stored, undefined).highest;
  if (version < highest) throw rollback(url, version, highest);
}

function rollback(url: string, version: number, highest: number): FerryError {
  return fail(
    'REGISTRY_ROLLBACK',
    url,
    `registryVersion ${version} is older than ${highest}, which this client already verified (an old index.json replayed: it could point channels back at revoked versions)`,
    'Serve the current index.json; this client keeps serving its last verified version.',
    { registryVersion: version, highestSeen: highest },
  );
}

/** The keys manifests from this registry may be signed by: the app's, then any rotated to. */
export async function manifestKeys(
  url: string | undefined,
  publicKey: PublicKeyInput | undefined,
  store: KvStore | undefined,
): Promise<PublicKeyInput | readonly PublicKeyInput[] | undefined> {
  if (!publicKey || url === undefined) return publicKey;
  const { rotated } = await registryTrust(url, store);
  return rotated.length ? [publicKey, ...rotated] : publicKey;
}

/** Registry trust failures: the last verified cached version stands in, as when the network fails. */
export const isRegistryTrustError = (error: unknown): error is FerryError =>
  isFerryError(error) && (error.code === 'REGISTRY_SIGNATURE_INVALID' || error.code === 'REGISTRY_ROLLBACK' || error.code === 'REGISTRY_EXPIRED');
