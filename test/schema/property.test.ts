// Property tests (fast-check), in Node and Chromium: arbitrary JSON-ish values never make the
// schema throw anything but ValidationError, never put NaN/Infinity in the output, and
// fit → transform is deterministic and accepts its own training rows.
import { expect } from 'chai';
import fc from 'fast-check';
import { fitSchema } from '../../src/schema/fit.js';
import { compileSchema } from '../../src/schema/compile.js';
import type { CompiledSchema } from '../../src/schema/compile.js';
import { isFerryError, isValidationError } from '../../src/errors.js';
import type { FitSpec } from '../../src/schema/spec.js';
import { CASES, loadCase } from './data.js';

const RUNS = 200;

/** Values a column may receive: plausible ones, near misses, and anything at all. */
const value = fc.oneof(
  fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true }),
  fc.double(),
  fc.constantFrom(
    null,
    undefined,
    NaN,
    Infinity,
    -Infinity,
    '',
    ' ',
    '.',
    'NA',
    '0x10',
    '1_000',
    '1e999',
    '-0',
    ' 42 ',
    'Dream',
    'MALE',
    'USA',
    true,
    false,
    0,
    -0,
  ),
  fc.string(),
);

function rowsFor(compiled: CompiledSchema) {
  return fc.array(fc.dictionary(fc.constantFrom(...compiled.columns, '__proto__', 'constructor', 'extra'), value, { maxKeys: compiled.columns.length + 2 }), {
    maxLength: 8,
  });
}

describe('schema: property tests (fast-check)', () => {
  const compiledCases: Array<[string, CompiledSchema]> = [];

  before(async () => {
    for (const c of CASES) {
      const { spec, train } = await loadCase(c, false);
      compiledCases.push([c.name, compileSchema({ ...fitSchema(spec, train), unknownColumns: 'warn' })]);
    }
  });

  it('random values in every column: only ValidationError is thrown, outputs are finite, rejected rows are zeros', () => {
    for (const [name, compiled] of compiledCases)
      fc.assert(
        fc.property(rowsFor(compiled), fc.anything(), (rows, single) => {
          const out = new Float32Array(rows.length * compiled.width);
          const { rejected, issues } = compiled.transformInto(rows, out);
          expect(out.every(Number.isFinite), name).to.equal(true);
          for (let r = 0; r < rows.length; r++)
            if (rejected[r]) expect(out.subarray(r * compiled.width, (r + 1) * compiled.width).every((v) => v === 0)).to.equal(true);
          expect(issues.every((i) => typeof i.message === 'string' && i.row !== undefined && i.row < rows.length)).to.equal(true);
          for (const row of [...rows, single]) {
            try {
              expect(compiled.parse(row as never).every(Number.isFinite)).to.equal(true);
            } catch (error) {
              expect(isValidationError(error), String(error)).to.equal(true);
            }
            const result = compiled.safeParse(row as never);
            expect(result.success ? result.values.every(Number.isFinite) : result.issues.length > 0).to.equal(true);
          }
        }),
        { numRuns: RUNS },
      );
  });

  it('transform is deterministic: the same rows give the same bytes and issues', () => {
    const [, compiled] = compiledCases[0]!;
    fc.assert(
      fc.property(rowsFor(compiled), (rows) => {
        const a = compiled.safeParseBatch(rows);
        const b = compiled.safeParseBatch(rows);
        expect(Array.from(new Uint8Array(a.values.buffer))).to.deep.equal(Array.from(new Uint8Array(b.values.buffer)));
        expect(a.issues).to.deep.equal(b.issues);
      }),
      { numRuns: RUNS },
    );
  });

  it('fit(x) is deterministic and transform(fit(x)) accepts every training row with finite output', () => {
    const spec: FitSpec = {
      columns: {
        n: { type: 'number', impute: 'median', indicator: true, scale: 'standard', parse: { strings: 'decimal' }, missing: { strings: ['NA'] } },
        q: { type: 'number', impute: 'mean', bucketize: { bins: 4, strategy: 'quantile', encode: 'onehot' } },
        u: { type: 'number', impute: 'most_frequent', scale: { minmax: { range: [-1, 1], clip: true } } },
        c: { type: 'category', impute: 'most_frequent', drop: 'if_binary' },
        o: { type: 'category', impute: { constant: '?' }, encode: 'ordinal' },
        b: { type: 'boolean', impute: 'most_frequent' },
      },
    };
    const num = fc.oneof(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), fc.integer({ min: -5, max: 5 }), fc.constant(null));
    const row = fc.record({
      n: fc.oneof(
        num,
        fc.constant('NA'),
        fc.integer({ min: -99, max: 99 }).map((i) => ` ${i}.5 `),
      ),
      q: num,
      u: num,
      c: fc.oneof(fc.constantFrom('a', 'b', 'é', 'Z'), fc.constant(null)),
      o: fc.oneof(fc.string({ maxLength: 3 }), fc.constant(null)),
      b: fc.oneof(fc.boolean(), fc.constant(null)),
    });
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 40 }), (rows) => {
        let schema;
        try {
          schema = fitSchema(spec, rows);
        } catch (error) {
          // An all-missing column cannot be fitted: that must be a FerryError saying so.
          expect(isFerryError(error) && (error as { code: string }).code).to.equal('FIT_FAILED');
          return;
        }
        expect(JSON.stringify(fitSchema(spec, rows))).to.equal(JSON.stringify(schema));
        const result = compileSchema(schema).safeParseBatch(rows);
        expect(result.issues.filter((i) => i.severity === 'error')).to.deep.equal([]);
        expect(result.values.every(Number.isFinite)).to.equal(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('every finite double survives the decimal grammar: String(x) parses back to x', () => {
    const compiled = compileSchema({
      formatVersion: 1,
      columns: [{ name: 'x', type: 'number', parse: { strings: 'decimal' }, steps: [] }],
      features: ['x'],
      width: 1,
    });
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -3e38, max: 3e38 }), (x) => {
        expect(compiled.parse({ x: String(x) })[0]).to.equal(Math.fround(x));
      }),
      { numRuns: RUNS * 5 },
    );
  });
});
