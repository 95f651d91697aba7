/** sha256 and byte helpers on WebCrypto (`globalThis.crypto.subtle`: browsers, workers and Node ≥ 20 alike). */
import { FerryError } from '../errors.js';

function subtle(): SubtleCrypto {
  const s = (globalThis.crypto as { subtle?: SubtleCrypto } | undefined)?.subtle;
  // crypto.subtle exists only in secure contexts (https, localhost): say so instead of a TypeError.
  if (!s) {
    throw new FerryError(
      'INVALID_OPTIONS',
      'WebCrypto (crypto.subtle) is unavailable: serve the page over https or from localhost so bundles can be verified',
      {
        details: { isSecureContext: typeof isSecureContext === 'boolean' ? isSecureContext : undefined },
      },
    );
  }
  return s;
}

/** `crypto.subtle`, or a `FerryError` explaining that only secure contexts have it. */
export { subtle as getSubtle };

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Lower-case hex sha256 of `bytes`. */
export async function sha256Hex(bytes: Uint8Array | string): Promise<string> {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  return toHex(new Uint8Array(await subtle().digest('SHA-256', data as Uint8Array<ArrayBuffer>)));
}

/** Standard base64 (with padding) of `bytes`. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Bytes of standard or URL-safe base64 text; throws `TypeError` when it is not base64. */
export function fromBase64(text: string): Uint8Array {
  const normal = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(normal + '='.repeat((4 - (normal.length % 4)) % 4));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
