// The row transform's fast path for numeric columns without scaling steps (src/schema/compile.ts
// `fast`, switched on by src/schema/fast-path-slot.ts: an ordinary number is one store, the rest
// goes to the column's kernel) against the column kernels alone — the same transform with an
// observer, which takes every value through its kernel — on every committed exported schema: same
// floats bit for bit, same rejected rows and the same issues, message for message, for values
// inside and outside the training range, on its bounds, ±float32 max and beyond, −0, NaN,
// ±Infinity, null, missing keys, strings and booleans.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileSchema } from '../../src/schema/compile.js';
import { offerNumberFastPath } from '../../src/schema/fast-path-slot.js';
import type { Schema } from '../../src/schema/types.js';

// As the `ferryml` and `ferryml/lite` entries do (ferryml/edge does not).
offerNumberFastPath();

const EXPORT = fileURLToPath(new URL('../fixtures/export/models/', import.meta.url));
const MAX32 = 3.4028234663852886e38;

const schemas = readdirSync(EXPORT)
  .map((m) => join(EXPORT, m, '1.0.0'))
  .filter((d) => existsSync(join(d, 'schema.json')));

/** Rows over `schema` with each value drawn from a pool of ordinary and awkward values. */
function rows(schema: Schema, golden: Array<Record<string, unknown>>, n: number): Array<Record<string, unknown>> {
  let seed = 11;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, () => {
    const row: Record<string, unknown> = {};
    // Two rows in five take only ordinary values, on or near the range bounds included (no errors, at most warnings).
    const clean = random() < 0.4;
    for (const column of schema.columns) {
      const u = clean ? random() * 0.7 : random();
      const range = column.type === 'number' ? column.range : undefined;
      const ordinary = golden[Math.floor(random() * golden.length)]?.[column.name];
      let v: unknown;
      if (u < 0.5 || (clean && !range)) v = ordinary;
      else if (u < 0.6 && range) v = random() < 0.5 ? range.min : range.max;
      else if (u < 0.7 && range) v = (random() < 0.5 ? range.min : range.max) * (1 + (random() - 0.5) * 1e-12);
      else if (u < 0.97) v = [MAX32, -MAX32, 3.5e38, -1e300, -0, 0, NaN, Infinity, -Infinity, null, undefined, '1.5', 'x', true, {}][Math.floor(random() * 15)];
      else continue; // absent key
      row[column.name] = v;
    }
    return row;
  });
}

for (const dir of schemas) {
  test(`${dir.split('/').slice(-2).join('/')}: the row transform's numeric fast path equals the column kernels`, () => {
    const schema = JSON.parse(readFileSync(join(dir, 'schema.json'), 'utf8')) as Schema;
    const golden = existsSync(join(dir, 'golden.json')) ? JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')).rows : [];
    // The schema as shipped, and with no training ranges (the fast path's bounds are then ±float32 max).
    const variants: Schema[] = [
      schema,
      { ...schema, columns: schema.columns.map((c) => (c.type === 'number' ? { ...c, range: undefined } : c)) as Schema['columns'] },
    ];
    for (const s of variants) {
      const compiled = compileSchema(s);
      const input = rows(s, golden, 400);
      const fast = new Float32Array(input.length * compiled.width);
      const kernels = new Float32Array(input.length * compiled.width);
      const a = compiled.transformInto(input, fast);
      const b = compiled.transformInto(input, kernels, () => undefined);
      assert.deepEqual(new Uint32Array(fast.buffer), new Uint32Array(kernels.buffer), 'floats');
      assert.deepEqual(a.rejected, b.rejected, 'rejected rows');
      assert.deepEqual(a.issues, b.issues, 'issues');
      assert.ok(a.rejected.includes(0) && a.rejected.includes(1), 'both kinds of rows');
    }
  });
}
