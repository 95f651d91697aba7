// Type tests for defineSchema/InferInput: `npm run typecheck` (tsc) fails if any of the
// expect-error directives below stops marking an error, i.e. if a wrong column name or a string for a
// number column ever type-checks. The runtime half checks the same rows at run time.
import { expect } from 'chai';
import { compileSchema } from '../../src/schema/compile.js';
import { defineSchema } from '../../src/schema/define.js';
import type { InferInput } from '../../src/schema/define.js';

const schema = defineSchema({
  columns: [
    { name: 'island', type: 'category', steps: [{ kind: 'onehot', categories: ['Biscoe', 'Dream'], unknown: 'error' }] },
    {
      name: 'sex',
      type: 'category',
      missing: { strings: ['.'] },
      steps: [
        { kind: 'impute', value: 'f' },
        { kind: 'ordinal', categories: ['f', 'm'], unknown: { value: -1 } },
      ],
    },
    { name: 'mass', type: 'number', steps: [{ kind: 'standardize', mean: 4200, scale: 800 }] },
    { name: 'bill', type: 'number', parse: { strings: 'decimal' }, steps: [{ kind: 'impute', value: 44 }] },
    { name: 'cylinders', type: 'number', steps: [{ kind: 'onehot', categories: [4, 6, 8], unknown: 'error' }] },
    { name: 'adult', type: 'boolean', steps: [{ kind: 'passthrough' }] },
  ],
});

type Row = InferInput<typeof schema>;
// The exact-equality idiom: each inner T exists only to defer the conditional types.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
// A type test's idiom: T is the assertion, checked where the call's type argument is given.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
const assertType = <T extends true>(): T => true as T;

// The inferred row: required keys for required columns, optional (null-able) keys for imputed ones.
assertType<
  Equal<
    Row,
    {
      island: 'Biscoe' | 'Dream';
      mass: number;
      cylinders: 4 | 6 | 8;
      adult: boolean;
      sex?: string | null | undefined;
      bill?: number | string | null | undefined;
    }
  >
>();

const compiled = compileSchema(schema);
const valid: Row = { island: 'Dream', mass: 4000, cylinders: 6, adult: true, bill: '41.5' };

function compileTimeErrors() {
  // @ts-expect-error a wrong column name is a compile error
  compiled.parse({ island: 'Dream', mass: 4000, cylinders: 6, adult: true, masss: 1 });
  // @ts-expect-error a string for a number column that does not parse strings
  compiled.parse({ island: 'Dream', mass: '4000', cylinders: 6, adult: true });
  // @ts-expect-error a required column is missing
  compiled.parse({ island: 'Dream', cylinders: 6, adult: true });
  // @ts-expect-error a category that training never saw, with unknown: "error"
  compiled.parse({ island: 'Atlantis', mass: 4000, cylinders: 6, adult: true });
  // @ts-expect-error null for a required column
  compiled.parse({ island: 'Dream', mass: null, cylinders: 6, adult: true });
  // @ts-expect-error a number category outside the fitted ones
  compiled.parse({ island: 'Dream', mass: 4000, cylinders: 5, adult: true });
  // @ts-expect-error rows of a batch are typed too
  compiled.transformInto([{ island: 'Dream', mass: 4000, cylinders: 6, adult: 'yes' }], new Float32Array(16));
}
void compileTimeErrors;

// A schema loaded from JSON has no literal column names: rows are plain records.
assertType<Equal<InferInput<{ columns: Array<{ name: string; type: 'number'; steps: [] }> }>, Record<string, unknown>>>();

describe('schema: defineSchema and inferred input types', () => {
  it('defineSchema fills formatVersion, features and width, and the typed row transforms', () => {
    expect(schema.formatVersion).to.equal(2);
    expect(schema.features).to.deep.equal(['island_Biscoe', 'island_Dream', 'sex', 'mass', 'bill', 'cylinders_4', 'cylinders_6', 'cylinders_8', 'adult']);
    expect(schema.width).to.equal(9);
    expect(Array.from(compiled.parse(valid))).to.deep.equal([0, 1, 0, -0.25, 41.5, 0, 1, 0, 1]);
  });

  it('the rows the compiler rejects are rejected at run time too', () => {
    const bad = [
      { island: 'Dream', mass: 4000, cylinders: 6, adult: true, masss: 1 },
      { island: 'Dream', mass: '4000', cylinders: 6, adult: true },
      { island: 'Dream', cylinders: 6, adult: true },
      { island: 'Atlantis', mass: 4000, cylinders: 6, adult: true },
    ];
    const strict = compileSchema({ ...schema, unknownColumns: 'error' });
    expect(bad.map((row) => strict.safeParse(row as never).success)).to.deep.equal([false, false, false, false]);
  });

  it('defineSchema checks the schema like compileSchema (SCHEMA_INVALID)', () => {
    expect(() => defineSchema({ columns: [{ name: 'x', type: 'number', steps: [{ kind: 'standardize', mean: 0, scale: 0 }] }] })).to.throw(
      /SCHEMA|scale non-zero/,
    );
  });
});
