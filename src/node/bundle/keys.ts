/**
 * Signing keys on disk: ECDSA P-256, private half as PKCS#8 PEM, public half as SPKI PEM and as
 * a JWK (the form browsers pass to `openBundle({ publicKey })`). All through WebCrypto, the same
 * API browsers verify with.
 */
import { readFile } from 'node:fs/promises';
import { FerryError } from '../../errors.js';
import { fromBase64, toBase64 } from '../../model/digest.js';
import type { Manifest } from '../../model/manifest.js';
import { keyIdOf, SIGNATURE_ALG, signedBytes } from '../../model/signature.js';

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const { subtle } = globalThis.crypto;

const pem = (label: string, der: ArrayBuffer) =>
  `-----BEGIN ${label}-----\n${(toBase64(new Uint8Array(der)).match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${label}-----\n`;

/** A key file that cannot be used: `DATA_INVALID` (exit 1) naming the file, what is wrong and what to do. */
function keyFileError(path: string, why: string, cause?: unknown): FerryError {
  const detail = cause === undefined ? '' : ` (${(cause as Error).message})`;
  return new FerryError('DATA_INVALID', `${path}: ${why}${detail}; pass a key written by \`ferryml keygen\``, { cause, details: { path, why } });
}

async function readKeyFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw keyFileError(path, 'cannot read the key file', cause);
  }
}

function unpem(text: string, label: string, path: string): Uint8Array {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]+?)-----END ${label}-----`).exec(text);
  if (!m?.[1]) throw keyFileError(path, `expected a "${label}" PEM block`);
  try {
    return fromBase64(m[1].replace(/\s+/g, ''));
  } catch (cause) {
    throw keyFileError(path, `the "${label}" PEM block is not base64`, cause);
  }
}

/** A fresh key pair in its on-disk forms, with its key id. */
export async function generateKeys(): Promise<{ privatePem: string; publicPem: string; publicJwk: JsonWebKey; keyId: string }> {
  const pair = await subtle.generateKey(ECDSA, true, ['sign', 'verify']);
  const { kty, crv, x, y } = await subtle.exportKey('jwk', pair.publicKey);
  const publicJwk = { kty, crv, x, y } as JsonWebKey;
  return {
    privatePem: pem('PRIVATE KEY', await subtle.exportKey('pkcs8', pair.privateKey)),
    publicPem: pem('PUBLIC KEY', await subtle.exportKey('spki', pair.publicKey)),
    publicJwk,
    keyId: (await keyIdOf(publicJwk))!,
  };
}

/** The private key in a PKCS#8 PEM file, and the id of its public half. */
export async function loadPrivateKey(path: string): Promise<{ key: CryptoKey; keyId: string; publicJwk: JsonWebKey }> {
  const der = unpem(await readKeyFile(path), 'PRIVATE KEY', path);
  let key: CryptoKey;
  try {
    key = await subtle.importKey('pkcs8', der as Uint8Array<ArrayBuffer>, ECDSA, true, ['sign']);
  } catch (cause) {
    throw keyFileError(path, 'not an ECDSA P-256 private key', cause);
  }
  const { kty, crv, x, y } = await subtle.exportKey('jwk', key);
  const publicJwk = { kty, crv, x, y } as JsonWebKey;
  return { key, keyId: (await keyIdOf(publicJwk))!, publicJwk };
}

/**
 * A public key from a `.jwk.json` file or an SPKI PEM (`.pub.pem`), as a JWK. Either form is imported
 * as an ECDSA P-256 verify key first, so a malformed or non-P-256 key is refused here, naming the
 * file, and never written into a registry (`--next-key`) where clients would fail on it.
 */
export async function loadPublicKey(path: string): Promise<JsonWebKey> {
  const text = await readKeyFile(path);
  let key: CryptoKey;
  if (text.trimStart().startsWith('{')) {
    let jwk: JsonWebKey;
    try {
      jwk = JSON.parse(text) as JsonWebKey;
    } catch (cause) {
      throw keyFileError(path, 'not valid JSON', cause);
    }
    try {
      key = await subtle.importKey('jwk', { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } as JsonWebKey, ECDSA, true, ['verify']);
    } catch (cause) {
      throw keyFileError(path, 'not an ECDSA P-256 public JWK', cause);
    }
  } else {
    const der = unpem(text, 'PUBLIC KEY', path);
    try {
      key = await subtle.importKey('spki', der as Uint8Array<ArrayBuffer>, ECDSA, true, ['verify']);
    } catch (cause) {
      throw keyFileError(path, 'not an ECDSA P-256 public key', cause);
    }
  }
  const { kty, crv, x, y } = await subtle.exportKey('jwk', key);
  return { kty, crv, x, y } as JsonWebKey;
}

/** The keys of a repeated `--key`: one key as is, several as a list (any of them a root, as `publicKey: [...]`). */
export async function loadPublicKeys(paths: readonly string[] | undefined): Promise<JsonWebKey | JsonWebKey[] | undefined> {
  if (!paths?.length) return undefined;
  const keys = await Promise.all(paths.map(loadPublicKey));
  return keys.length === 1 ? keys[0] : keys;
}

/** `manifest` with a fresh signature over its canonical form (any old signature replaced). */
export async function signManifest(manifest: Manifest, key: CryptoKey, keyId: string): Promise<Manifest> {
  const { signature: _old, ...unsigned } = manifest;
  const value = await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, signedBytes(unsigned) as Uint8Array<ArrayBuffer>);
  return { ...unsigned, signature: { alg: SIGNATURE_ALG, keyId, value: toBase64(new Uint8Array(value)) } };
}
