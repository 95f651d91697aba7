/**
 * Signing `index.json` (the CLI half of ../../model/registry-trust.ts): every write raises
 * `registryVersion` (see {@link nextRegistryVersion}); with a key it also sets `expires` and signs the canonical JSON. A write
 * without a key drops an old signature (it would no longer match) and says so.
 */
import { toBase64 } from '../../model/digest.js';
import type { Registry } from '../../model/manifest.js';
import { registrySignedBytes } from '../../model/registry-trust.js';
import { keyIdOf, SIGNATURE_ALG } from '../../model/signature.js';
import { loadPrivateKey, loadPublicKey } from './keys.js';

/** How a registry write is signed (the `--sign`, `--expires`, `--next-key` options). */
export interface RegistrySigning {
  /** PKCS#8 PEM private key; absent: the registry is written unsigned. */
  key?: string | undefined;
  /** Days until clients refuse it (REGISTRY_EXPIRED) unless it is re-signed. @default 30 */
  expiresDays?: number | undefined;
  /** A public key file (.jwk.json or .pub.pem) clients start trusting for this registry: rotation. */
  nextKey?: string | undefined;
  /** The time of signing and of `registryVersion` (tests). @default Date.now() */
  now?: number | undefined;
}

/** The `parseArgs` options every registry-writing command takes. */
export const SIGN_OPTIONS = {
  sign: { type: 'string' },
  expires: { type: 'string' },
  'next-key': { type: 'string' },
} as const;

/** Usage lines of {@link SIGN_OPTIONS}. */
export const SIGN_USAGE = `  --sign KEY.pem         sign index.json (registryVersion + expires + ECDSA P-256 signature)
  --expires DAYS         days until clients refuse the signed index.json (default 30)
  --next-key PUB         name the next release key (.pub.jwk.json or .pub.pem), signed by this one`;

/** Reads the three options into a {@link RegistrySigning}. */
export function signingFrom(values: { sign?: string | undefined; expires?: string | undefined; 'next-key'?: string | undefined }): RegistrySigning {
  let expiresDays: number | undefined;
  if (values.expires !== undefined) {
    expiresDays = Number(values.expires);
    if (values.expires.trim() === '' || !(expiresDays > 0) || !Number.isFinite(expiresDays))
      throw new Error(`--expires "${values.expires}": a number of days > 0`);
  }
  if (!values.sign && (values.expires !== undefined || values['next-key'] !== undefined)) throw new Error('--expires and --next-key need --sign KEY.pem');
  return { key: values.sign, expiresDays, nextKey: values['next-key'] };
}

/**
 * `registryVersion` of the next write: one above `previous`, and at least the Unix time in seconds,
 * so that a write over a restored older index.json still goes above what clients have seen (they
 * refuse a lower one as a rollback) while the clock is right.
 */
export const nextRegistryVersion = (previous: Registry | undefined, now: number): number =>
  Math.max((previous?.registryVersion ?? 0) + 1, Math.floor(now / 1000));

/**
 * Loads `keyPath` and throws unless it may sign over `previous`: clients trust the key that signed
 * the registry they saw and the nextKey it named, so any other signer makes every client with a
 * publicKey refuse the registry (REGISTRY_SIGNATURE_INVALID). Commands call it before writing
 * anything (`pack` before its bundle directory exists); {@link finishRegistry} calls it again.
 */
export async function checkSigner(previous: Registry | undefined, keyPath: string): Promise<{ key: CryptoKey; keyId: string }> {
  const { key, keyId } = await loadPrivateKey(keyPath);
  const trusted = [previous?.signature?.keyId, previous?.nextKey && (await keyIdOf(previous.nextKey))];
  if (previous?.signature && !trusted.includes(keyId)) {
    throw new Error(
      `${keyPath} (key ${keyId}) did not sign index.json before (key ${previous.signature.keyId}${trusted[1] ? `, next key ${trusted[1]}` : ''}): clients would refuse it; sign with that key, or rotate by naming this one with --next-key in a write signed by it`,
    );
  }
  return { key, keyId };
}

/**
 * The registry as written: `registryVersion` from {@link nextRegistryVersion}, and with a key, `expires`,
 * `nextKey` (kept from before unless replaced; dropped once the named key signs) and `signature`.
 */
export async function finishRegistry(
  models: Registry['models'],
  previous: Registry | undefined,
  s: RegistrySigning = {},
): Promise<{ registry: Registry; note?: string }> {
  const now = s.now ?? Date.now();
  const registryVersion = nextRegistryVersion(previous, now);
  if (!s.key) {
    const note = previous?.signature
      ? 'index.json was signed; written unsigned now (no --sign): apps that pass a publicKey will refuse it until it is re-signed'
      : undefined;
    return note ? { registry: { registryVersion, models }, note } : { registry: { registryVersion, models } };
  }
  const { key, keyId } = await checkSigner(previous, s.key);
  let nextKey = s.nextKey ? await loadPublicKey(s.nextKey) : previous?.nextKey;
  if (nextKey && (await keyIdOf(nextKey)) === keyId) nextKey = undefined; // the rotation is done
  const expires = new Date(now + (s.expiresDays ?? 30) * 86_400_000).toISOString();
  const unsigned: Registry = {
    registryVersion,
    expires,
    ...(nextKey ? { nextKey: { kty: nextKey.kty, crv: nextKey.crv, x: nextKey.x, y: nextKey.y } as JsonWebKey } : {}),
    models,
  };
  const value = await globalThis.crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, registrySignedBytes(unsigned) as Uint8Array<ArrayBuffer>);
  return { registry: { ...unsigned, signature: { alg: SIGNATURE_ALG, keyId, value: toBase64(new Uint8Array(value)) } } };
}
