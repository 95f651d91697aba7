/**
 * Catches the classic static-hosting failure before hashing: an HTML page (a 404 page, or a
 * single-page app's index.html served for every unknown path) where JSON or weights were expected.
 */
import { FerryError } from '../errors.js';

function firstNonSpace(bytes: Uint8Array): number | undefined {
  for (let i = 0; i < Math.min(bytes.length, 1024); i++) {
    const b = bytes[i]!;
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && b !== 0xef && b !== 0xbb && b !== 0xbf) return b;
  }
  return undefined;
}

/** True when `bytes` start like an HTML document. */
export function looksLikeHtml(bytes: Uint8Array): boolean {
  if (firstNonSpace(bytes) !== 0x3c) return false;
  const head = new TextDecoder().decode(bytes.subarray(0, 256)).toLowerCase();
  return /^\s*<(!doctype html|html|head|body|!--)/.test(head);
}

/** Throws `UNEXPECTED_CONTENT` unless `bytes` start (after whitespace and a BOM) with `{` or `[`. */
export function checkJsonStart(bytes: Uint8Array, url: string, kind: 'json' | 'binary'): void {
  const first = firstNonSpace(bytes);
  if (first === 0x7b || first === 0x5b) return;
  throw unexpectedHtml(url, kind, `the body starts with ${JSON.stringify(new TextDecoder().decode(bytes.subarray(0, 40)))}`);
}

/** The `UNEXPECTED_CONTENT` error for an HTML answer at `url`; `what` says how it was recognised. */
export function unexpectedHtml(url: string, kind: 'json' | 'binary', what: string): FerryError {
  return new FerryError(
    'UNEXPECTED_CONTENT',
    `${url}: expected ${kind === 'json' ? 'JSON' : 'binary weights'} but got an HTML page or text (${what}); the server likely answered with its 404 or single-page-app fallback page. Check that the URL points at the bundle.`,
    {
      details: { url, expected: kind },
    },
  );
}
