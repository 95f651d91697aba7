// defineSchema and compileSchema on schemas written by hand, in plain JS (no compiler to catch a
// wrong shape): every malformed shape is a SCHEMA_INVALID FerryError naming what is wrong, never a
// bare TypeError, and a missing formatVersion says to add it without masking another problem.
import { expect } from 'chai';
import fc from 'fast-check';
import { defineSchema } from '../../src/schema/define.js';
import { compileSchema } from '../../src/schema/compile.js';
import { isFerryError } from '../../src/errors.js';
import type { FerryError } from '../../src/errors.js';

/** defineSchema as plain JS calls it: with whatever value. */
const define = (definition: unknown) => defineSchema(definition as never);

function errorOf(fn: () => unknown): FerryError {
  try {
    fn();
  } catch (error) {
    expect(isFerryError(error), `not a FerryError: ${String(error)}`).to.equal(true);
    return error as FerryError;
  }
  throw new Error('expected an error');
}

const step = fc.oneof(
  fc.constantFrom(
    { kind: 'impute', value: 1 },
    { kind: 'standardize', mean: 0, scale: 1 },
    { kind: 'onehot', categories: ['a', 'b'], unknown: 'ignore' },
    { kind: 'bucketize', edges: [1, 2], encode: 'onehot' },
    { kind: 'image', width: 2, height: 2, channels: 1, scale: [1], offset: [0] },
  ),
  // the same kinds with their fields missing or of another type
  fc.record(
    {
      kind: fc.constantFrom('impute', 'onehot', 'ordinal', 'bucketize', 'image', 'passthrough', 'nope'),
      categories: fc.oneof(fc.constant(null), fc.string(), fc.array(fc.anything(), { maxLength: 3 })),
      edges: fc.oneof(fc.constant(null), fc.integer(), fc.array(fc.anything(), { maxLength: 3 })),
      width: fc.anything(),
      value: fc.anything(),
    },
    { requiredKeys: ['kind'] },
  ),
  fc.anything(),
);

const column = fc.oneof(
  fc.record(
    {
      name: fc.oneof(fc.constantFrom('a', 'b', 'constructor', ''), fc.anything()),
      type: fc.oneof(fc.constantFrom('number', 'category', 'boolean', 'image'), fc.anything()),
      steps: fc.oneof(fc.constant(undefined), fc.constant(null), fc.string(), fc.dictionary(fc.string(), step), fc.array(step, { maxLength: 3 })),
      missing: fc.anything(),
      parse: fc.anything(),
    },
    { requiredKeys: [] },
  ),
  fc.anything(),
);

const definition = fc.oneof(
  fc.record(
    {
      formatVersion: fc.oneof(fc.constantFrom(1, 2, 3, undefined, null), fc.anything()),
      // an array of columns, or columns keyed by name (a fit spec's form), or anything
      columns: fc.oneof(fc.array(column, { maxLength: 3 }), fc.dictionary(fc.string(), column), fc.anything()),
      features: fc.oneof(fc.constant(undefined), fc.anything()),
      width: fc.oneof(fc.constant(undefined), fc.anything()),
    },
    { requiredKeys: [] },
  ),
  fc.anything(),
);

describe('schema: defineSchema and compileSchema on hand-written shapes', () => {
  it('a malformed shape is always a SCHEMA_INVALID FerryError, never another error (fast-check)', () => {
    fc.assert(
      fc.property(definition, (d) => {
        for (const fn of [() => define(d), () => compileSchema(d as never)]) {
          try {
            fn();
          } catch (error) {
            expect(isFerryError(error), `${String(error)} for ${(JSON.stringify(d) as string | undefined)?.slice(0, 200)}`).to.equal(true);
            expect((error as FerryError).code).to.equal('SCHEMA_INVALID');
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a column without steps, with steps: null, or columns keyed by name: SCHEMA_INVALID naming the column and what was expected', () => {
    for (const steps of [undefined, null, 'onehot', { kind: 'standardize', mean: 0, scale: 1 }]) {
      const e = errorOf(() => define({ columns: [{ name: 'mass', type: 'number', ...(steps === undefined ? {} : { steps }) }] }));
      expect(e.code).to.equal('SCHEMA_INVALID');
      expect(e.message).to.match(/column "mass": "steps" must be an array/);
      expect(e.details.column).to.equal('mass');
    }
    const spec = errorOf(() => define({ columns: { mass: { type: 'number', scale: 'standard' } } }));
    expect(spec.code).to.equal('SCHEMA_INVALID');
    expect(spec.message).to.match(/"columns" must be a non-empty array/);
    expect(errorOf(() => define(null)).message).to.match(/expected an object, got null/);
    // a bad step inside a well-formed column is named by its check, not lost in the feature names
    expect(
      errorOf(() => define({ columns: [{ name: 'c', type: 'category', steps: [{ kind: 'onehot', categories: 'ab', unknown: 'error' }] }] })).message,
    ).to.match(/column "c" steps\[0\] \(onehot\): "categories" must be a non-empty array/);
  });

  it('compileSchema without formatVersion: says to add "formatVersion": 2, after any other problem', () => {
    const schema = { columns: [{ name: 'mass', type: 'number', steps: [{ kind: 'standardize', mean: 0, scale: 1 }] }], features: ['mass'], width: 1 };
    const e = errorOf(() => compileSchema(schema as never));
    expect(e.code).to.equal('SCHEMA_INVALID');
    expect(e.message).to.equal('Invalid schema: schema: no "formatVersion". Add "formatVersion": 2.');
    expect(compileSchema({ ...schema, formatVersion: 2 } as never).width).to.equal(1);
    // another problem is reported first, not masked by the missing version
    const scale0 = { ...schema, columns: [{ name: 'mass', type: 'number', steps: [{ kind: 'standardize', mean: 0, scale: 0 }] }] };
    expect(errorOf(() => compileSchema(scale0 as never)).message).to.match(/column "mass" steps\[0\] \(standardize\): "mean" and "scale"/);
    expect(errorOf(() => compileSchema({ ...schema, width: 2 } as never)).message).to.match(/"width" is 2 but "features" has 1/);
    // an unsupported version is still said first
    expect(errorOf(() => compileSchema({ ...scale0, formatVersion: 3 } as never)).message).to.match(/formatVersion 3 is not supported/);
  });
});
