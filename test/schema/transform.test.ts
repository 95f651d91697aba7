// Validation and transform semantics of compiled schemas. Runs in Chromium (web-test-runner)
// and in Node (test/node/schema-shared.test.ts installs node:test's describe/it as globals).
import { expect } from 'chai';
import { compileSchema } from '../../src/schema/compile.js';
import { defineSchema } from '../../src/schema/define.js';
import { FerryError, ValidationError, isValidationError } from '../../src/errors.js';
import type { Issue } from '../../src/errors.js';
import type { Schema } from '../../src/schema/types.js';

const codes = (issues: readonly Issue[]) => issues.map((i) => `${i.column}:${i.code}`);

/** The ValidationError `fn` throws (fails the test on anything else). */
function validationErrorOf(fn: () => unknown): ValidationError {
  const e = errorOf(fn);
  if (!isValidationError(e)) throw new Error(`expected a ValidationError, got ${e.code}: ${e.message}`);
  return e;
}

function errorOf(fn: () => unknown): FerryError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(FerryError);
    return error as FerryError;
  }
  throw new Error('expected a throw');
}

const penguin = defineSchema({
  columns: [
    { name: 'island', type: 'category', steps: [{ kind: 'onehot', categories: ['Biscoe', 'Dream', 'Torgersen'], unknown: 'ignore' }] },
    {
      name: 'bill',
      type: 'number',
      parse: { strings: 'decimal' },
      missing: { strings: ['NA', ''] },
      range: { min: 32, max: 60 },
      steps: [
        { kind: 'impute', value: 44, indicator: true },
        { kind: 'standardize', mean: 44, scale: 5 },
      ],
    },
    { name: 'mass', type: 'number', steps: [{ kind: 'minmax', scale: 0.001, offset: -2.7, clip: { min: 0, max: 1 } }] },
    { name: 'sex', type: 'category', normalize: 'trim-lower', steps: [{ kind: 'onehot', categories: ['female', 'male'], unknown: 'error', drop: 0 }] },
  ],
});
const compiled = compileSchema(penguin);

describe('schema: transform semantics', () => {
  it('writes features in schema order: one-hot, standardized, indicator, min-max with clip, dropped category', () => {
    expect(compiled.features).to.deep.equal(['island_Biscoe', 'island_Dream', 'island_Torgersen', 'bill', 'bill__missing', 'mass', 'sex_male']);
    const x = compiled.parse({ island: 'Dream', bill: 49, mass: 3000, sex: ' MALE ' });
    expect(Array.from(x)).to.deep.equal([0, 1, 0, 1, 0, Math.fround(3000 * 0.001 - 2.7), 1]);
    expect(Array.from(compiled.parse({ island: 'Biscoe', bill: 44, mass: 9000, sex: 'female' }))).to.deep.equal([1, 0, 0, 0, 0, 1, 0]);
  });

  it('treats absent, null, undefined, NaN and missing strings as missing, and imputes with an indicator', () => {
    for (const bill of [undefined, null, NaN, 'NA', ' NA ', '']) {
      const row = bill === undefined ? { island: 'Dream', mass: 3000, sex: 'male' } : { island: 'Dream', bill, mass: 3000, sex: 'male' };
      const x = compiled.parse(row);
      expect([x[3], x[4]], `bill=${String(bill)}`).to.deep.equal([0, 1]);
    }
  });

  it('accepts decimal strings by one grammar and rejects everything else, never Number("") → 0', () => {
    const ok: Array<[string, number]> = [
      ['42', 42],
      [' -1.5e1 ', -15],
      ['+.5', 0.5],
      ['7.', 7],
      ['1E2', 100],
    ];
    for (const [s, v] of ok) expect(compiled.parse({ island: 'Dream', bill: s, mass: 3000, sex: 'male' })[3], s).to.equal(Math.fround((v - 44) / 5));
    for (const s of ['0x10', 'Infinity', '1_000', '1,5', 'abc', '.', '-', '1e', '++1', 'NaN']) {
      const r = compiled.safeParse({ island: 'Dream', bill: s, mass: 3000, sex: 'male' });
      expect(r.success, s).to.equal(false);
      if (!r.success) expect(codes(r.issues), s).to.deep.equal(['bill:PARSE_ERROR']);
    }
    const huge = compiled.safeParse({ island: 'Dream', bill: '1e999', mass: 3000, sex: 'male' });
    expect(!huge.success && codes(huge.issues)).to.deep.equal(['bill:NOT_FINITE']);
  });

  it('collects every issue of a row, each naming column, expected and got', () => {
    const r = compiled.safeParse({ island: 7, bill: Infinity, mass: '3000', sex: 'other' } as never);
    expect(r.success).to.equal(false);
    if (r.success) return;
    expect(codes(r.issues)).to.deep.equal(['island:TYPE_MISMATCH', 'bill:NOT_FINITE', 'mass:TYPE_MISMATCH', 'sex:UNKNOWN_CATEGORY']);
    const mass = r.issues[2]!;
    expect(mass).to.include({ column: 'mass', expected: 'number', got: 'string "3000"', severity: 'error' });
    expect(mass.message).to.match(/^Column "mass": expected number, got string "3000" \(TYPE_MISMATCH\); add "parse": \{ "strings": "decimal" \}/);
    expect(mass).to.not.have.property('row');
  });

  it('parse throws one ValidationError holding all issues; safeParse returns warnings on success', () => {
    const e = validationErrorOf(() => compiled.parse({ island: 'Dream', mass: null, sex: null } as never));
    expect(codes(e.issues)).to.deep.equal(['mass:MISSING_REQUIRED', 'sex:MISSING_REQUIRED']);
    expect(e.code).to.equal('VALIDATION_FAILED');
    const r = compiled.safeParse({ island: 'Atlantis', bill: 80, mass: 3000, sex: 'male' });
    expect(r.success).to.equal(true);
    if (r.success) {
      expect(codes(r.warnings)).to.deep.equal(['island:UNKNOWN_CATEGORY', 'bill:OUT_OF_RANGE']);
      expect(r.warnings.every((w) => w.severity === 'warning')).to.equal(true);
      expect(Array.from(r.values.slice(0, 3))).to.deep.equal([0, 0, 0]);
    }
  });

  it('transformInto: batch issues carry row indexes, rejected rows are zero-filled, others still transform', () => {
    const rows = [
      { island: 'Dream', bill: 44, mass: 3000, sex: 'male' },
      { island: 'Dream', bill: 'oops', mass: 3000, sex: 'male' },
      null,
      { island: 'Torgersen', bill: 54, mass: 2700, sex: 'female' },
    ];
    const out = new Float32Array(2 + rows.length * compiled.width).fill(7);
    const { issues, rejected } = compiled.transformInto(rows as never, out, undefined, 2);
    expect(Array.from(rejected)).to.deep.equal([0, 1, 1, 0]);
    expect(issues.map((i) => [i.row, i.column, i.code])).to.deep.equal([
      [1, 'bill', 'PARSE_ERROR'],
      [2, '(row)', 'TYPE_MISMATCH'],
    ]);
    expect(issues[0]!.message).to.match(/^Row 1, column "bill"/);
    expect(Array.from(out.slice(0, 2))).to.deep.equal([7, 7], 'before offset untouched');
    const row = (r: number) => Array.from(out.slice(2 + r * compiled.width, 2 + (r + 1) * compiled.width));
    expect(row(1).every((v) => v === 0)).to.equal(true);
    expect(row(2).every((v) => v === 0)).to.equal(true);
    expect(row(3)).to.deep.equal([0, 0, 1, 2, 0, 0, 0]);
  });

  it('calls the observer with parsed pre-step values, null for missing, and drift flags', () => {
    const seen: unknown[] = [];
    const out = new Float32Array(2 * compiled.width);
    compiled.transformInto(
      [
        { island: 'Atlantis', bill: '61', mass: 3000, sex: ' Female' },
        { island: 'Dream', mass: 3000, sex: 'male' },
      ],
      out,
      (column, value, flag) => seen.push([compiled.columns[column], value, flag]),
    );
    expect(seen).to.deep.equal([
      ['island', 'Atlantis', 'unknown'],
      ['bill', 61, 'out_of_range'],
      ['mass', 3000, undefined],
      ['sex', 'female', undefined],
      ['island', 'Dream', undefined],
      ['bill', null, undefined],
      ['mass', 3000, undefined],
      ['sex', 'male', undefined],
    ]);
  });

  it('throws INVALID_OPTIONS (a caller mistake) when out is too small', () => {
    const e = errorOf(() => compiled.transformInto([{}] as never, new Float32Array(3)));
    expect(e.code).to.equal('INVALID_OPTIONS');
    expect(e.message).to.match(/needs 7 floats/);
  });

  it('parseBatch throws with row-indexed issues; safeParseBatch returns values and issues', () => {
    const rows = [
      { island: 'Dream', bill: 44, mass: 3000, sex: 'male' },
      { island: 'Dream', mass: 3000 },
    ];
    const e = validationErrorOf(() => compiled.parseBatch(rows as never));
    expect(e.issues.map((i) => [i.row, i.code])).to.deep.equal([[1, 'MISSING_REQUIRED']]);
    const r = compiled.safeParseBatch(rows as never);
    expect(r.values.length).to.equal(2 * compiled.width);
    expect(Array.from(r.rejected)).to.deep.equal([0, 1]);
  });
});

describe('schema: unknown columns, prototype keys, encoders', () => {
  const base = {
    formatVersion: 1 as const,
    columns: [
      { name: 'constructor', type: 'number' as const, steps: [{ kind: 'impute' as const, value: 5 }] },
      { name: 'level', type: 'category' as const, steps: [{ kind: 'ordinal' as const, categories: ['lo', 'mid', 'hi'], unknown: { value: -1 }, missing: -2 }] },
      { name: 'n', type: 'number' as const, steps: [{ kind: 'ordinal' as const, categories: [3, 4, 6], unknown: 'error' as const }] },
      { name: 'flag', type: 'boolean' as const, parse: { true: ['yes'], false: ['no'] }, steps: [{ kind: 'passthrough' as const }] },
    ],
    features: ['constructor', 'level', 'n', 'flag'],
    width: 4,
  };

  it('reads a column named like an Object.prototype member only from the row itself', () => {
    const c = compileSchema(base);
    expect(Array.from(c.parse({ level: 'hi', n: 4, flag: true }))).to.deep.equal([5, 2, 1, 1]);
    expect(Array.from(c.parse({ constructor: 2, level: 'lo', n: 6, flag: 'NO' }))).to.deep.equal([2, 0, 2, 0]);
  });

  it('ordinal: unknown code, missing code, numeric categories by value, unknown "error"', () => {
    const c = compileSchema(base);
    expect(Array.from(c.parse({ level: 'huge', n: 3, flag: false }))).to.deep.equal([5, -1, 0, 0]);
    expect(Array.from(c.parse({ level: null, n: 3.0, flag: false }))).to.deep.equal([5, -2, 0, 0]);
    const r = c.safeParse({ level: 'lo', n: 5, flag: 'maybe' });
    expect(!r.success && codes(r.issues)).to.deep.equal(['n:UNKNOWN_CATEGORY', 'flag:PARSE_ERROR']);
  });

  it('unknownColumns: ignore (default), warn, error; the label column is known', () => {
    const row = { level: 'lo', n: 3, flag: true, extra: 1, target: 'x' };
    expect(compileSchema(base).safeParse(row).success).to.equal(true);
    const warn = compileSchema({ ...base, unknownColumns: 'warn', label: { column: 'target' } }).safeParse(row);
    expect(warn.success && codes(warn.warnings)).to.deep.equal(['extra:UNKNOWN_COLUMN']);
    const error = compileSchema({ ...base, unknownColumns: 'error' }).safeParse(row);
    expect(!error.success && codes(error.issues)).to.deep.equal(['extra:UNKNOWN_COLUMN', 'target:UNKNOWN_COLUMN']);
  });

  it('reports a float32 overflow after the steps as NOT_FINITE instead of writing Infinity', () => {
    const c = compileSchema({ formatVersion: 1, columns: [{ name: 'x', type: 'number', steps: [] }], features: ['x'], width: 1 });
    expect(c.parse({ x: 3e38 })[0]).to.equal(Math.fround(3e38));
    const r = c.safeParse({ x: 1e39 });
    expect(!r.success && codes(r.issues)).to.deep.equal(['x:NOT_FINITE']);
  });

  it('a row whose getter throws is rejected, not thrown', () => {
    const c = compileSchema(base);
    const row = Object.defineProperty({}, 'level', {
      enumerable: true,
      get: () => {
        throw new Error('boom');
      },
    });
    const r = c.safeParse(row);
    expect(!r.success && codes(r.issues)).to.deep.equal(['(row):TYPE_MISMATCH']);
  });
});

describe('schema: bucketize as sklearn 1.2 KBinsDiscretizer.transform', () => {
  const c = compileSchema({
    formatVersion: 1,
    columns: [{ name: 'x', type: 'number', steps: [{ kind: 'bucketize', edges: [0, 10, 100], encode: 'onehot' }] }],
    features: ['x_0', 'x_1', 'x_2', 'x_3'],
    width: 4,
  } satisfies Schema);
  const bin = (x: number) => c.parse({ x }).indexOf(1);

  it('is np.searchsorted(inner_edges, x, side="right"): lower-inclusive, no tolerance (the pre-1.1 eps nudge is gone)', () => {
    expect([bin(-1), bin(0), bin(5), bin(10), bin(99), bin(100), bin(1e9)]).to.deep.equal([0, 1, 1, 2, 2, 3, 3]);
    expect(bin(-0.5e-8)).to.equal(0);
    expect(bin(9.9999)).to.equal(1); // sklearn < 1.1 would have nudged this into bin 2
    expect(bin(-0)).to.equal(1);
  });
});

describe('schema: compile-time checks (SCHEMA_INVALID names the column and step)', () => {
  const good: Schema = {
    formatVersion: 1,
    columns: [{ name: 'a', type: 'number', steps: [{ kind: 'standardize', mean: 0, scale: 2 }] }],
    features: ['a'],
    width: 1,
  };
  const bad = (patch: (s: Schema) => unknown, pattern: RegExp) => {
    const s = JSON.parse(JSON.stringify(good)) as Schema;
    const e = errorOf(() => compileSchema((patch(s) ?? s) as Schema));
    expect(e.code).to.equal('SCHEMA_INVALID');
    expect(e.message).to.match(pattern);
  };

  it('rejects bad versions, steps, values, orders and feature lists', () => {
    bad((s) => ({ ...s, formatVersion: 3 }), /formatVersion 3 is not supported/);
    bad(
      (s) => (((s.columns[0]!.steps[0] as { scale: number }).scale = 0), s),
      /column "a" steps\[0\] \(standardize\): "mean" and "scale" must be finite in float32, scale non-zero and not subnormal/,
    );
    bad(
      (s) => ({
        ...s,
        columns: [
          {
            ...s.columns[0]!,
            steps: [
              { kind: 'standardize', mean: 0, scale: 1 },
              { kind: 'impute', value: 1 },
            ],
          },
        ],
      }),
      /column "a": steps \[standardize, impute\] are not a valid order/,
    );
    bad((s) => ({ ...s, features: ['b'] }), /"features" lacks "a"/);
    bad((s) => ({ ...s, width: 2 }), /"width" is 2 but "features" has 1/);
    bad(
      (s) => ({
        ...s,
        columns: [{ name: 'a', type: 'category', steps: [{ kind: 'onehot', categories: ['x', 'x'], unknown: 'error' }] }],
        features: ['a_x', 'a_x'],
      }),
      /duplicate|unique/,
    );
    bad((s) => ({ ...s, columns: [{ ...s.columns[0]!, required: false }] }), /no step handles a missing value/);
    bad(
      (s) => ({ ...s, columns: [{ name: 'a', type: 'number', steps: [{ kind: 'bucketize', edges: [2, 1], encode: 'ordinal' }] }] }),
      /"edges" must be finite and ascending/,
    );
    bad(
      (s) => ({
        ...s,
        columns: [
          {
            name: 'a',
            type: 'category',
            steps: [
              { kind: 'impute', value: 3 },
              { kind: 'ordinal', categories: ['x'], unknown: 'error' },
            ],
          },
        ],
      }),
      /steps\[0\] \(impute\): "value" must be a finite string/,
    );
  });

  const column =
    (c: Record<string, unknown>, features = ['a']) =>
    () =>
      ({ ...good, columns: [{ name: 'a', ...c }], features, width: features.length }) as unknown as Schema;
  const cat = (c: Record<string, unknown>, categories: unknown[] = ['x'], unknown = 'error') =>
    column(
      { type: 'category', ...c, steps: [...((c.steps as unknown[] | undefined) ?? []), { kind: 'onehot', categories, unknown }] },
      categories.map((k) => `a_${String(k)}`),
    );

  it('rejects an impute value the encoder rejects as unknown (every missing value would fail)', () => {
    bad(
      cat({ steps: [{ kind: 'impute', value: 'zz' }] }, ['x', 'y']),
      /column "a" steps\[0\] \(impute\): "value" "zz" is not in the categories \["x","y"\] \(unknown: "error"\)/,
    );
    bad(
      column({
        type: 'number',
        steps: [
          { kind: 'impute', value: 3 },
          { kind: 'ordinal', categories: [1, 2], unknown: 'error' },
        ],
      }),
      /column "a" steps\[0\] \(impute\): "value" 3 is not in the categories \[1,2\]/,
    );
    // with unknown "ignore" (or an ordinal unknown code) the fill encodes as unknown, as scikit-learn does
    const ignore = compileSchema(cat({ steps: [{ kind: 'impute', value: 'zz' }] }, ['x'], 'ignore')());
    expect([...ignore.parse({ a: null })]).to.deep.equal([0]);
    expect(compileSchema(cat({ steps: [{ kind: 'impute', value: 'x' }] })()).width).to.equal(1);
  });

  it("rejects categories the column's normalize changes (no input could match them)", () => {
    bad(cat({ normalize: 'lower' }, ['Café']), /column "a": category "Café" changes under normalize "lower", so no input matches it/);
    bad(cat({ normalize: 'trim' }, [' x']), /category " x" changes under normalize "trim"/);
    bad(cat({ normalize: 'trim-lower' }, ['x', 'Y ']), /category "Y " changes under normalize "trim-lower"/);
    expect(compileSchema(cat({ normalize: 'trim-lower' }, ['x', 'café'])()).width).to.equal(2);
    expect(compileSchema(cat({}, ['Café '])()).width).to.equal(1);
  });

  it('rejects scaling constants beyond float32, and a subnormal standardize scale (every output overflows)', () => {
    const steps = (s: Record<string, unknown>) => column({ type: 'number', steps: [s] });
    const std = /steps\[0\] \(standardize\): "mean" and "scale" must be finite in float32, scale non-zero and not subnormal/;
    bad(steps({ kind: 'standardize', mean: 0, scale: 1e-320 }), std);
    bad(steps({ kind: 'standardize', mean: 1e39, scale: 1 }), std);
    bad(steps({ kind: 'minmax', scale: 1e39, offset: 0 }), /steps\[0\] \(minmax\): "scale" and "offset" must be finite in float32/);
    bad(steps({ kind: 'minmax', scale: 1, offset: -1e300 }), /"scale" and "offset" must be finite in float32/);
    // tiny constants fitted on tiny values (a subnormal mean, scale 1e-162) or a huge range are scikit-learn's
    expect(compileSchema(steps({ kind: 'standardize', mean: -5e-324, scale: 1e-162 })()).parse({ a: 2e-162 })[0]).to.be.closeTo(2, 1e-6);
    expect(compileSchema(steps({ kind: 'minmax', scale: 1e-300, offset: 0 })()).parse({ a: 1e300 })[0]).to.be.closeTo(1, 1e-6);
  });

  it('rejects a boolean parse string listed as both true and false, and loose baselines', () => {
    bad(column({ type: 'boolean', parse: { true: ['yes', 'Y'], false: ['n', ' y '] }, steps: [] }), /column "a": "parse" lists "Y" as true and false/);
    const baseline = (b: Record<string, unknown>) =>
      column({ type: 'number', steps: [], baseline: { kind: 'numeric', edges: [1], shares: [0.5, 0.5], missing: 0, rows: 4, ...b } });
    bad(baseline({ rows: -5 }), /column "a": "baseline" needs missing \(0\.\.1\) and rows \(an integer >= 0\)/);
    bad(baseline({ shares: [3, 4] }), /column "a": baseline "shares" must hold edges\.length \+ 1 non-negative numbers summing to at most 1/);
    const categorical = { kind: 'categorical', categories: ['x', 'x'], shares: [0.5, 0.5], missing: 0, rows: 2 };
    bad(cat({ baseline: categorical }), /column "a": baseline "categories" must be unique/);
    bad(cat({ baseline: { ...categorical, categories: ['x', 'y'], shares: [0.7, 0.7] } }), /one non-negative number per category, summing to at most 1/);
    // shares are of the non-missing values; less than 1 where some were outside the categories, 0 with none
    expect(compileSchema(baseline({ shares: [0.25, 0.5] })()).width).to.equal(1);
    expect(compileSchema(baseline({ shares: [0, 0], missing: 1 })()).width).to.equal(1);
  });
});

describe('schema: normalized lookups and float32 overflow say what happened', () => {
  const schema = defineSchema({
    columns: [
      {
        name: 'c',
        type: 'category',
        normalize: 'trim-lower',
        missing: { strings: ['NA'] },
        steps: [
          { kind: 'impute', value: 'x' },
          { kind: 'onehot', categories: ['café', 'x'], unknown: 'ignore' },
        ],
      },
      { name: 'n', type: 'number', steps: [{ kind: 'passthrough' }] },
      { name: 'k', type: 'category', coerce: true, required: false, steps: [{ kind: 'ordinal', categories: ['1', '2'], unknown: 'error', missing: -1 }] },
    ],
  });
  const compiled = compileSchema(schema);
  const issuesOf = (row: Record<string, unknown>) => {
    const r = compiled.safeParse(row as never);
    return r.success ? r.warnings : r.issues;
  };

  it("compares missing strings after the column's normalization, both sides", () => {
    for (const c of ['NA', 'na', ' Na ']) expect([...compiled.parse({ c, n: 1 })].slice(0, 2), c).to.deep.equal([0, 1]);
  });

  it('an unknown category shows the raw value and what it was read as', () => {
    const [warning] = issuesOf({ c: ' Cafe ', n: 1 });
    expect(warning?.code).to.equal('UNKNOWN_CATEGORY');
    expect(warning?.got).to.equal('string " Cafe " (read as string "cafe")');
    const [error] = issuesOf({ c: 'x', n: 1, k: 3 });
    expect(error?.got).to.equal('number 3 (read as string "3")');
    // unchanged by reading: the raw value alone
    expect(issuesOf({ c: 'y', n: 1 })[0]?.got).to.equal('string "y"');
  });

  it('an unknown category that is a known one in Unicode NFC form says so (matched as is, like scikit-learn)', () => {
    const [warning] = issuesOf({ c: 'cafe\u0301', n: 1 });
    expect(warning?.code).to.equal('UNKNOWN_CATEGORY');
    expect(warning?.message).to.contain('NFC').and.contain('"café"');
    expect(issuesOf({ c: 'y', n: 1 })[0]?.message).not.to.contain('NFC');
  });

  it('float32 overflow after the steps is NOT_FINITE with its own message', () => {
    const [issue] = issuesOf({ c: 'x', n: 1e300 });
    expect(issue?.code).to.equal('NOT_FINITE');
    expect(issue?.message).to.equal(
      'Column "n": expected a number within float32\'s range after the column\'s steps, got number 1e+300 (NOT_FINITE); ' +
        "the value is outside float32's range after the column's steps (±3.4e38)",
    );
    expect(issuesOf({ c: 'x', n: Infinity })[0]?.message).to.match(/send a finite number$/);
  });
});

describe('schema: a string in a number column that reads none says how to read it (the CSV case)', () => {
  const schema = compileSchema(
    defineSchema({ columns: [{ name: 'bill', type: 'number', steps: [{ kind: 'standardize', mean: 40, scale: 5 }] }] }) as unknown as Schema,
  );
  const issueOf = (value: unknown) => {
    const r = schema.safeParse({ bill: value });
    if (r.success) throw new Error(`expected a rejection of ${String(value)}`);
    return r.issues[0]!;
  };

  it('a decimal string or a missing-value marker: TYPE_MISMATCH pointing to "parse" and "missing.strings", got kept short', () => {
    for (const value of ['39.1', ' 12 ', 'n/a', 'NA', '']) {
      const issue = issueOf(value);
      expect(issue.code).to.equal('TYPE_MISMATCH');
      expect(issue.got).to.equal(`string ${JSON.stringify(value)}`);
      expect(issue.message).to.equal(
        `Column "bill": expected number, got string ${JSON.stringify(value)} (TYPE_MISMATCH); add "parse": { "strings": "decimal" }, or list it in "missing.strings"`,
      );
    }
    expect(issueOf('x'.repeat(100)).got.length).to.be.below(60);
    // a non-string keeps the general hint
    expect(issueOf(true).message).to.match(/\(TYPE_MISMATCH\); send the type the schema expects$/);
  });
});
