/**
 * Canonical JSON, the bytes a manifest signature covers: object keys sorted by UTF-16 code
 * units, no whitespace, `undefined` members dropped, numbers and strings as `JSON.stringify`
 * writes them (ECMAScript fixes both, so Node and every browser agree byte for byte).
 */

/** Canonical JSON text of `value`; throws `TypeError` on values JSON cannot hold (NaN, Infinity, functions, cycles). */
export function canonicalJson(value: unknown): string {
  return write(value, new Set());
}

function write(value: unknown, seen: Set<object>): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form`);
    return JSON.stringify(value);
  }
  if (typeof value !== 'object') throw new TypeError(`canonicalJson: a ${typeof value} has no JSON form`);
  if (seen.has(value)) throw new TypeError('canonicalJson: cyclic value');
  seen.add(value);
  let out: string;
  if (Array.isArray(value)) {
    // JSON.stringify writes `null` for undefined array items; do the same.
    out = `[${value.map((item) => (item === undefined ? 'null' : write(item, seen))).join(',')}]`;
  } else {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort();
    out = `{${keys.map((k) => `${JSON.stringify(k)}:${write(record[k], seen)}`).join(',')}}`;
  }
  seen.delete(value);
  return out;
}
