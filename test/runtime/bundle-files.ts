// Test bundles' parts with no tfjs import (for test files that keep tfjs off the page): deterministic
// values and rows, a passthrough schema, and the manifest over a bundle's files.

/** Deterministic values in [-scale, scale) (an LCG). */
export function values(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) out[i] = ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 31 - 1) * scale;
  return out;
}

/** Rows of `width` columns x0…, deterministic. */
export function rowsOf(width: number, count: number, seed = 7, scale = 2): Array<Record<string, number>> {
  const v = values(width * count, seed, scale);
  return Array.from({ length: count }, (_, r) => Object.fromEntries(Array.from({ length: width }, (_, c) => [`x${c}`, v[r * width + c]!])));
}

/** JSON as UTF-8 bytes. */
export const utf8 = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** Lower-case hex sha256 of `bytes`. */
export const sha256Hex = async (bytes: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))].map((b) => b.toString(16).padStart(2, '0')).join('');

/** schema.json of `width` numeric passthrough columns x0…x(width−1). */
export function passthroughSchema(width: number): Uint8Array {
  const features = Array.from({ length: width }, (_, i) => `x${i}`);
  return utf8({ formatVersion: 1, columns: features.map((f) => ({ name: f, type: 'number', steps: [{ kind: 'passthrough' }] })), features, width });
}

/**
 * Adds manifest.json for `name`@1.0.0 to `files` (a layers model at model.json, schema.json,
 * golden.json, each file's size and sha256) with `output`; returns `files`.
 */
export async function withManifest(name: string, files: Map<string, Uint8Array>, output: unknown): Promise<Map<string, Uint8Array>> {
  const manifest = {
    formatVersion: 1,
    name,
    version: '1.0.0',
    createdAt: '2026-01-01T00:00:00.000Z',
    model: { format: 'layers-model', entry: 'model.json' },
    files: await Promise.all([...files].map(async ([path, bytes]) => ({ path, bytes: bytes.byteLength, sha256: await sha256Hex(bytes) }))),
    schema: 'schema.json',
    golden: 'golden.json',
    output,
  };
  files.set('manifest.json', utf8(manifest));
  return files;
}
