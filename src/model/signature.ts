/**
 * Manifest signatures: ECDSA P-256 with SHA-256 over the canonical JSON of the manifest without
 * its `signature` field, the signature in WebCrypto's IEEE P1363 form (r ‖ s, 64 bytes), base64.
 * WebCrypto verifies it in every browser and in Node ≥ 20 with no extra code.
 */
import { optionError } from '../check-options.js';
import { FerryError } from '../errors.js';
import { canonicalJson } from './canonical-json.js';
import { fromBase64, getSubtle, sha256Hex } from './digest.js';
import type { Manifest, Registry } from './manifest.js';
import type { PublicKeyInput, PublicKeys } from './open-bundle-options.js';

/** The only signature algorithm manifests use. */
export const SIGNATURE_ALG = 'ECDSA-P256-SHA256';
const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/** The bytes a signature covers: canonical JSON of a manifest (or a registry) minus `signature`. */
export function signedBytes(manifest: Manifest | Registry): Uint8Array {
  const { signature: _ignored, ...unsigned } = manifest;
  return new TextEncoder().encode(canonicalJson(unsigned));
}

/** `publicKey` as a list: every key in it is a root. */
export const rootKeys = (publicKey: PublicKeys): readonly PublicKeyInput[] => (Array.isArray(publicKey) ? publicKey : [publicKey]) as readonly PublicKeyInput[];

/** Key id: the first 16 hex digits of sha256 over the uncompressed public point (0x04 ‖ x ‖ y). */
export async function keyIdOf(publicKey: PublicKeyInput): Promise<string | undefined> {
  let jwk: JsonWebKey | undefined;
  if ('kty' in publicKey || !('type' in publicKey)) jwk = publicKey;
  else if (publicKey.extractable) jwk = await getSubtle().exportKey('jwk', publicKey);
  if (!jwk?.x || !jwk.y) return undefined;
  const x = fromBase64(jwk.x);
  const y = fromBase64(jwk.y);
  const raw = new Uint8Array(1 + x.length + y.length);
  raw[0] = 4;
  raw.set(x, 1);
  raw.set(y, 1 + x.length);
  return (await sha256Hex(raw)).slice(0, 16);
}

/**
 * `given` when it is a public EC P-256 JWK or a public CryptoKey, or a non-empty list of them (the
 * `publicKey` option); else `INVALID_OPTIONS` naming the bad entry (never printing a private part).
 */
export function checkKeys(given: unknown): PublicKeys {
  const list: readonly unknown[] = rootKeys(given as PublicKeys);
  // An empty list is checked as one bad key: itself.
  for (const [i, k] of (list.length ? list : [given]).entries()) {
    const j = (typeof k === 'object' && !Array.isArray(k) && k) as (JsonWebKey & Partial<CryptoKey>) | null | false;
    if (!(j && ('kty' in j ? j.kty === 'EC' && j.crv === 'P-256' && typeof j.x === 'string' && typeof j.y === 'string' && !j.d : j.type === 'public')))
      throw optionError(
        'openBundle',
        k === given ? 'publicKey' : `publicKey[${i}]`,
        'a public P-256 JWK or CryptoKey, or a non-empty list of them',
        j ? { kty: j.kty, crv: j.crv, d: j.d && '…' } : k,
      );
  }
  return given as PublicKeys;
}

/** Imports a JWK (or passes a CryptoKey through) as an ECDSA P-256 verify key; `INVALID_OPTIONS` when it is not one. */
export async function importPublicKey(publicKey: PublicKeyInput): Promise<CryptoKey> {
  if (!('kty' in publicKey) && 'type' in publicKey) return publicKey;
  const jwk = checkKeys(publicKey) as JsonWebKey;
  const { kty, crv, x, y } = jwk;
  try {
    return await getSubtle().importKey('jwk', { kty, crv, x, y } as JsonWebKey, ECDSA, true, ['verify']);
  } catch (cause) {
    throw optionError('openBundle', 'publicKey', 'a valid P-256 point', { x, y }, cause);
  }
}

/**
 * Why `sig` over `bytes` does not verify with any of `keys` (a phrase after "manifest" or
 * "registry"), or `undefined` when it does. The key is the one whose id is `sig.keyId`; a
 * non-extractable CryptoKey has no id, so there the signature decides.
 */
export async function signatureProblem(sig: Manifest['signature'], keys: PublicKeys, bytes: Uint8Array): Promise<string | undefined> {
  if (!sig) return 'not signed';
  // JSON from the network: its alg is only typed, not checked, until here.
  const alg: string = sig.alg;
  if (alg !== SIGNATURE_ALG) return `signature alg is "${alg}", not ${SIGNATURE_ALG}`;
  const list = rootKeys(keys);
  const ids = await Promise.all(list.map(keyIdOf));
  const key = list[ids.indexOf(sig.keyId)] ?? list[ids.indexOf(undefined)];
  if (!key) return `signed by key ${sig.keyId}, not by a key this app trusts (${ids.join(', ')})`;
  const verifyKey = await importPublicKey(key);
  try {
    if (
      await getSubtle().verify(
        { name: 'ECDSA', hash: 'SHA-256' },
        verifyKey,
        fromBase64(sig.value) as Uint8Array<ArrayBuffer>,
        bytes as Uint8Array<ArrayBuffer>,
      )
    )
      return undefined;
  } catch {
    // a value that is not base64 is a signature that does not match
  }
  return 'signature does not match its contents (edited after signing)';
}

/**
 * Throws `SIGNATURE_INVALID` unless `manifest` carries a valid signature by one of `keys` (the
 * app's root keys, and keys a verified registry rotated to).
 * @param where the manifest's URL or path, for the message.
 */
export async function verifyManifestSignature(manifest: Manifest, keys: PublicKeys, where: string): Promise<void> {
  const why = await signatureProblem(manifest.signature, keys, signedBytes(manifest));
  const { name, version } = manifest;
  if (why)
    throw new FerryError(
      'SIGNATURE_INVALID',
      `${where}: manifest ${why}. Refusing to load ${name}@${version}: ${why.startsWith('signed by') ? 'after a key rotation, ship `publicKey: [newKey, oldKey]`; or ' : ''}publish a new version signed by a trusted key (\`ferryml pack --sign KEY.pem\`).`,
      { details: { url: where, name, version, keyId: manifest.signature?.keyId } },
    );
}
