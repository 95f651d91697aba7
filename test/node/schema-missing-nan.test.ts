// The `passthrough` step's `missing: "nan"` (tree models that route missing values): a missing
// value reaches the model as NaN, the column may be missing, and nothing else changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSchema } from '../../src/schema/compile.js';
import type { Schema } from '../../src/schema/types.js';
import { defineSchema, type InferInput } from '../../src/schema/define.js';

const schema = (steps: unknown[]): Schema =>
  ({
    formatVersion: 1,
    columns: [
      { name: 'a', type: 'number', steps },
      { name: 'b', type: 'number', steps: [{ kind: 'passthrough' }] },
    ],
    features: ['a', 'b'],
    width: 2,
  }) as unknown as Schema;

test('a missing value passes as NaN; present values, and other columns, as before', () => {
  const s = compileSchema(
    schema([
      { kind: 'standardize', mean: 1, scale: 2 },
      { kind: 'passthrough', missing: 'nan' },
    ]),
  );
  const { values, rejected, issues } = s.safeParseBatch([{ a: 5, b: 1 }, { a: null, b: 2 }, { b: 3 }, { a: Number.NaN, b: 4 }]);
  assert.deepEqual(Array.from(rejected), [0, 0, 0, 0]);
  assert.deepEqual(
    issues.filter((i) => i.severity === 'error'),
    [],
  );
  assert.deepEqual(Array.from(values), [2, 1, NaN, 2, NaN, 3, NaN, 4]);
  // The column without the option still requires its value.
  const other = s.safeParseBatch([{ a: 1 }]);
  assert.equal(other.rejected[0], 1);
  assert.equal(other.issues.find((i) => i.severity === 'error')?.code, 'MISSING_REQUIRED');
  // A value that is present but invalid is still an error, not NaN.
  const bad = s.safeParseBatch([{ a: 'x', b: 1 }]);
  assert.equal(bad.rejected[0], 1);
});

test('only "nan" is a valid missing option', () => {
  assert.throws(
    () => compileSchema(schema([{ kind: 'passthrough', missing: 'zero' }])),
    (e: { code?: string; message: string }) => e.code === 'SCHEMA_INVALID' && /"missing" must be "nan"/.test(e.message),
  );
});

test('the inferred input type makes a NaN-passthrough column optional (type-checked)', () => {
  const s = defineSchema({
    formatVersion: 1,
    columns: [
      {
        name: 'a',
        type: 'number',
        steps: [
          { kind: 'standardize', mean: 0, scale: 1 },
          { kind: 'passthrough', missing: 'nan' },
        ],
      },
      { name: 'b', type: 'number', steps: [{ kind: 'passthrough' }] },
    ],
    features: ['a', 'b'],
    width: 2,
  });
  const ok: InferInput<typeof s> = { b: 1 };
  const alsoOk: InferInput<typeof s> = { a: null, b: 1 };
  // @ts-expect-error b has no way to be missing
  const bad: InferInput<typeof s> = { a: 1 };
  assert.deepEqual([ok, alsoOk, bad], [{ b: 1 }, { a: null, b: 1 }, { a: 1 }]);
  assert.deepEqual(s.features, ['a', 'b']);
});
