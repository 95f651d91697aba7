/**
 * Signing keys on disk: ECDSA P-256, private half as PKCS#8 PEM, public half as SPKI PEM and as
 * a JWK (the form browsers pass to `openBundle({ publicKey })`). All through WebCrypto, the same
 * API browsers verify with.
 */
import { readFile } from 'node:fs/promises';
import { fromBase64, toBase64 } from '../../model/digest.js';
import type { Manifest } from '../../model/manifest.js';
import { keyIdOf, SIGNATURE_ALG, signedBytes } from '../../model/signature.js';

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const { subtle } = globalThis.crypto;

const pem = (label: string, der: ArrayBuffer) =>
  `-----BEGIN ${label}-----\n${(toBase64(new Uint8Array(der)).match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${label}-----\n`;

function unpem(text: string, label: string, path: string): Uint8Array {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]+?)-----END ${label}-----`).exec(text);
  if (!m?.[1]) throw new Error(`${path}: expected a "${label}" PEM block (ferryml keygen writes one)`);
  return fromBase64(m[1].replace(/\s+/g, ''));
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
  const der = unpem(await readFile(path, 'utf8'), 'PRIVATE KEY', path);
  let key: CryptoKey;
  try {
    key = await subtle.importKey('pkcs8', der as Uint8Array<ArrayBuffer>, ECDSA, true, ['sign']);
  } catch (cause) {
    throw new Error(`${path}: not an ECDSA P-256 private key (${(cause as Error).message})`, { cause });
  }
  const { kty, crv, x, y } = await subtle.exportKey('jwk', key);
  const publicJwk = { kty, crv, x, y } as JsonWebKey;
  return { key, keyId: (await keyIdOf(publicJwk))!, publicJwk };
}

/** A public key from a `.jwk.json` file or an SPKI PEM (`.pub.pem`), as a JWK. */
export async function loadPublicKey(path: string): Promise<JsonWebKey> {
  const text = await readFile(path, 'utf8');
  if (text.trimStart().startsWith('{')) return JSON.parse(text) as JsonWebKey;
  const der = unpem(text, 'PUBLIC KEY', path);
  const key = await subtle.importKey('spki', der as Uint8Array<ArrayBuffer>, ECDSA, true, ['verify']);
  const { kty, crv, x, y } = await subtle.exportKey('jwk', key);
  return { kty, crv, x, y } as JsonWebKey;
}

/** `manifest` with a fresh signature over its canonical form (any old signature replaced). */
export async function signManifest(manifest: Manifest, key: CryptoKey, keyId: string): Promise<Manifest> {
  const { signature: _old, ...unsigned } = manifest;
  const value = await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, signedBytes(unsigned) as Uint8Array<ArrayBuffer>);
  return { ...unsigned, signature: { alg: SIGNATURE_ALG, keyId, value: toBase64(new Uint8Array(value)) } };
}
