/**
 * Signing `index.json` (the CLI half of ../../model/registry-trust.ts): every write raises
 * `registryVersion` (see {@link nextRegistryVersion}); with a key it also sets `expires` and signs
 * the canonical JSON. A signed registry stays signed: a write without `--sign` is refused unless
 * `--unsigned` says so, and then keeps `nextKey` and the last signer's key id (`lastSignedBy`), so
 * that the next signed write is still held to a key clients trust.
 */
import { FerryError } from '../../errors.js';
import { toBase64 } from '../../model/digest.js';
import type { Registry } from '../../model/manifest.js';
import { registrySignedBytes } from '../../model/registry-trust.js';
import { keyIdOf, SIGNATURE_ALG } from '../../model/signature.js';
import { loadPrivateKey, loadPublicKey } from './keys.js';

/** How a registry write is signed (the `--sign`, `--expires`, `--next-key`, `--unsigned` options). */
export interface RegistrySigning {
  /** PKCS#8 PEM private key; absent: the registry is written unsigned. */
  key?: string | undefined;
  /** Days until clients refuse it (REGISTRY_EXPIRED) unless it is re-signed. @default 30 */
  expiresDays?: number | undefined;
  /** A public key file (.jwk.json or .pub.pem) clients start trusting for this registry: rotation. */
  nextKey?: string | undefined;
  /** Write a signed registry unsigned (without it, such a write is refused). @default false */
  unsigned?: boolean | undefined;
  /** The time of signing and of `registryVersion` (tests). @default Date.now() */
  now?: number | undefined;
}

/** The registry as the CLI keeps it: an unsigned write over a signed one records who signed it last. */
export type CliRegistry = Registry & { lastSignedBy?: string };

/** The `parseArgs` options every registry-writing command takes. */
export const SIGN_OPTIONS = {
  sign: { type: 'string' },
  expires: { type: 'string' },
  'next-key': { type: 'string' },
  unsigned: { type: 'boolean' },
} as const;

/** Usage lines of {@link SIGN_OPTIONS}. */
export const SIGN_USAGE = `  --sign KEY.pem         sign index.json (registryVersion + expires + ECDSA P-256 signature)
  --expires DAYS         days until clients refuse the signed index.json (default 30)
  --next-key PUB         name the next release key (.pub.jwk.json or .pub.pem), signed by this one
  --unsigned             write a signed index.json unsigned (refused without it or --sign)`;

const usageError = (message: string, option: string) => new FerryError('INVALID_OPTIONS', message, { details: { option } });

/** Reads the options into a {@link RegistrySigning}; a contradiction is a usage error (exit 2). */
export function signingFrom(values: {
  sign?: string | undefined;
  expires?: string | undefined;
  'next-key'?: string | undefined;
  unsigned?: boolean | undefined;
}): RegistrySigning {
  let expiresDays: number | undefined;
  if (values.expires !== undefined) {
    expiresDays = Number(values.expires);
    if (values.expires.trim() === '' || !(expiresDays > 0) || !Number.isFinite(expiresDays))
      throw usageError(`--expires "${values.expires}": a number of days > 0`, '--expires');
  }
  if (!values.sign && (values.expires !== undefined || values['next-key'] !== undefined))
    throw usageError('--expires and --next-key need --sign KEY.pem', values.expires === undefined ? '--next-key' : '--expires');
  if (values.sign && values.unsigned) throw usageError('--sign and --unsigned exclude each other: pass one', '--unsigned');
  return { key: values.sign, expiresDays, nextKey: values['next-key'], unsigned: values.unsigned };
}

/** The key id that last signed `registry`: its signature's, or the one an unsigned write kept. */
export const lastSignerOf = (registry: CliRegistry | undefined): string | undefined => registry?.signature?.keyId ?? registry?.lastSignedBy;

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
export async function checkSigner(previous: CliRegistry | undefined, keyPath: string): Promise<Awaited<ReturnType<typeof loadPrivateKey>>> {
  const signer = await loadPrivateKey(keyPath);
  const last = lastSignerOf(previous);
  const next = previous?.nextKey && (await keyIdOf(previous.nextKey));
  if (last && signer.keyId !== last && signer.keyId !== next) {
    throw new FerryError(
      'REGISTRY_SIGNATURE_INVALID',
      `${keyPath} (key ${signer.keyId}) did not sign index.json before (key ${last}${next ? `, next key ${next}` : ''}): clients would refuse it; sign with that key, or rotate by naming this one with --next-key in a write signed by it`,
      { details: { path: keyPath, keyId: signer.keyId, trusted: next ? [last, next] : [last] } },
    );
  }
  return signer;
}

/** What {@link checkSigning} found: the signer (absent for an unsigned write) and the newly named next key. */
export interface SigningCheck {
  signer?: Awaited<ReturnType<typeof loadPrivateKey>>;
  nextKey?: JsonWebKey;
}

/**
 * Everything about `s` that can refuse a write over `previous`, before anything is written: an
 * unsigned write over a signed registry without `--unsigned`, a signer clients do not trust, a
 * `--next-key` that is not a P-256 public key.
 */
export async function checkSigning(previous: CliRegistry | undefined, s: RegistrySigning): Promise<SigningCheck> {
  if (!s.key) {
    const last = lastSignerOf(previous);
    if (last && !s.unsigned) {
      throw new FerryError(
        'REGISTRY_SIGNATURE_INVALID',
        `index.json is signed (key ${last}), so every write to it must be signed too: pass --sign <key> with the private key of ${last} (e.g. --sign keys/release.pem, as given to pack --sign), or --unsigned to write it unsigned (apps that pass a publicKey then refuse it until it is re-signed)`,
        { details: { keyId: last } },
      );
    }
    return {};
  }
  const signer = await checkSigner(previous, s.key);
  return s.nextKey ? { signer, nextKey: await loadPublicKey(s.nextKey) } : { signer };
}

/**
 * The registry as written: `registryVersion` from {@link nextRegistryVersion}, `nextKey` kept from
 * before unless replaced (dropped once the named key signs), and with a key `expires` and
 * `signature`; without one (`--unsigned`), `lastSignedBy` keeps the last signer's key id.
 */
export async function finishRegistry(
  models: Registry['models'],
  previous: CliRegistry | undefined,
  s: RegistrySigning = {},
): Promise<{ registry: CliRegistry; note?: string }> {
  const now = s.now ?? Date.now();
  const registryVersion = nextRegistryVersion(previous, now);
  const { signer, nextKey: named } = await checkSigning(previous, s);
  let nextKey = named ?? previous?.nextKey;
  const keep = (jwk: JsonWebKey | undefined) => (jwk ? { nextKey: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } as JsonWebKey } : {});
  if (!signer) {
    const last = lastSignerOf(previous);
    if (!last) return { registry: { registryVersion, models } };
    return {
      registry: { registryVersion, lastSignedBy: last, ...keep(nextKey), models },
      note: `index.json was signed by key ${last}; written unsigned now (--unsigned): apps that pass a publicKey will refuse it until it is re-signed with that key${nextKey ? ' or its nextKey' : ''}`,
    };
  }
  if (nextKey && (await keyIdOf(nextKey)) === signer.keyId) nextKey = undefined; // the rotation is done
  const expires = new Date(now + (s.expiresDays ?? 30) * 86_400_000).toISOString();
  const unsigned: Registry = { registryVersion, expires, ...keep(nextKey), models };
  const value = await globalThis.crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, signer.key, registrySignedBytes(unsigned) as Uint8Array<ArrayBuffer>);
  return { registry: { ...unsigned, signature: { alg: SIGNATURE_ALG, keyId: signer.keyId, value: toBase64(new Uint8Array(value)) } } };
}
