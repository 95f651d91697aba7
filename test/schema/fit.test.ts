// fitSchema: sklearn 1.2 / numpy 1.24 fitting edge cases, in Node and in Chromium. The expected
// values are what scikit-learn 1.2.1 returns for the same input (noted next to each case).
import { expect } from 'chai';
import { fitSchema } from '../../src/schema/fit.js';
import { compileSchema } from '../../src/schema/compile.js';
import { baselineBin } from '../../src/schema/bin.js';
import { FerryError } from '../../src/errors.js';
import type { FitSpec } from '../../src/schema/spec.js';
import type { ColumnSchema, Step } from '../../src/schema/types.js';

const col = (spec: FitSpec, rows: Array<Record<string, unknown>>, i = 0): ColumnSchema => fitSchema(spec, rows).columns[i]!;
const step = <K extends Step['kind']>(c: ColumnSchema, kind: K) => c.steps.find((s) => s.kind === kind) as Extract<Step, { kind: K }>;
const xs = (values: unknown[]) => values.map((x) => ({ x }));

function fitError(spec: FitSpec, rows: Array<Record<string, unknown>>): FerryError {
  try {
    fitSchema(spec, rows);
  } catch (error) {
    expect(error).to.be.instanceOf(FerryError);
    return error as FerryError;
  }
  throw new Error('expected fitSchema to throw');
}

describe('schema: fitSchema statistics (sklearn 1.2.1 values)', () => {
  it('SimpleImputer median: average of the middle two, missing values ignored', () => {
    // SimpleImputer(strategy="median").fit([[1],[nan],[4],[2],[10]]).statistics_ == [3.]
    expect(step(col({ columns: { x: { type: 'number', impute: 'median' } } }, xs([1, null, 4, 2, 10])), 'impute').value).to.equal(3);
  });

  it('SimpleImputer most_frequent: ties go to the smallest (numbers numerically, strings by code point)', () => {
    expect(step(col({ columns: { x: { type: 'number', impute: 'most_frequent' } } }, xs([3, 1, 3, 1])), 'impute').value).to.equal(1);
    expect(step(col({ columns: { x: { type: 'category', impute: 'most_frequent' } } }, xs(['b', 'a', 'b', 'a', null])), 'impute').value).to.equal('a');
    // Python min(): 'Z' (U+005A) < 'a' < 'é'
    expect(step(col({ columns: { x: { type: 'category', impute: 'most_frequent' } } }, xs(['Z', 'a', 'é', 'é', 'Z', 'a'])), 'impute').value).to.equal('Z');
  });

  it('StandardScaler: ddof 0, and scale 1 for a constant or near-constant feature (_is_constant_feature)', () => {
    const s = step(col({ columns: { x: { type: 'number', scale: 'standard' } } }, xs([1, 2, 4])), 'standardize');
    expect(s).to.deep.include({ mean: 2.3333333333333335, scale: 1.247219128924647 });
    expect(step(col({ columns: { x: { type: 'number', scale: 'standard' } } }, xs([0.1, 0.1, 0.1])), 'standardize').scale).to.equal(1);
    // var 1.2e-32 is inside the two-pass error bound: sklearn's scale_ is 1, not 1.1e-16.
    expect(step(col({ columns: { x: { type: 'number', scale: 'standard' } } }, xs([1, 1 + 2 ** -52])), 'standardize').scale).to.equal(1);
    expect(step(col({ columns: { x: { type: 'number', scale: 'standard' } } }, xs([1, 1 + 2 ** -20])), 'standardize').scale).to.equal(4.76837158203125e-7);
  });

  it('MinMaxScaler: zero range → divisor 1 (scale_ [1.], min_ [-3.] for [3, 3])', () => {
    expect(step(col({ columns: { x: { type: 'number', scale: 'minmax' } } }, xs([3, 3])), 'minmax')).to.deep.equal({ kind: 'minmax', scale: 1, offset: -3 });
  });

  it('KBinsDiscretizer: numpy linspace edges, percentile edges with narrow bins removed, constant → one bin', () => {
    const uniform = (values: number[], bins: number) =>
      step(col({ columns: { x: { type: 'number', bucketize: { bins, strategy: 'uniform', encode: 'ordinal' } } } }, xs(values)), 'bucketize').edges;
    const quantile = (values: number[], bins: number) =>
      step(col({ columns: { x: { type: 'number', bucketize: { bins, strategy: 'quantile', encode: 'ordinal' } } } }, xs(values)), 'bucketize').edges;
    expect(uniform([0.1, 0.7], 4)).to.deep.equal([0.25, 0.4, 0.5499999999999999]); // bin_edges_ [0.1, 0.25, 0.4, 0.5499999999999999, 0.7]
    expect(quantile([1, 2, 3, 4], 4)).to.deep.equal([1.75, 2.5, 3.25]); // np.percentile linear
    expect(quantile([1, 1, 1, 1, 2, 3], 3)).to.deep.equal([1.333333333333334]); // numpy: [1, 1, 1.333333333333334, 3] → width-0 bin removed
    expect(uniform([5, 5], 4)).to.deep.equal([]); // [-inf, inf]: every value → bin 0
  });

  it('encoders: sorted categories, drop first / if_binary, fixed categories, ordinal unknown codes', () => {
    const onehot = step(col({ columns: { x: { type: 'category', drop: 'if_binary' } } }, xs(['b', 'a', 'b'])), 'onehot');
    expect(onehot).to.deep.equal({ kind: 'onehot', categories: ['a', 'b'], unknown: 'error', drop: 0 });
    expect(step(col({ columns: { x: { type: 'category', drop: 'if_binary' } } }, xs(['c', 'a', 'b'])), 'onehot').drop).to.equal(undefined);
    expect(step(col({ columns: { x: { type: 'number', encode: 'onehot' } } }, xs([10, 9, 100])), 'onehot').categories).to.deep.equal([9, 10, 100]);
    const ordinal = step(
      col({ columns: { x: { type: 'category', encode: 'ordinal', unknown: 'ignore', categories: ['lo', 'hi'] } } }, xs(['lo', 'hi', 'mid'])),
      'ordinal',
    );
    expect(ordinal).to.deep.equal({ kind: 'ordinal', categories: ['lo', 'hi'], unknown: { value: -1 } });
  });

  it('imputes before scaling and encoding, as a Pipeline does (constant fill becomes a category)', () => {
    const c = col({ columns: { x: { type: 'category', impute: { constant: 'NA' }, encode: 'ordinal' } } }, xs(['b', null, 'a']));
    expect(step(c, 'ordinal').categories).to.deep.equal(['NA', 'a', 'b']);
    const s = step(col({ columns: { x: { type: 'number', impute: { constant: 0 }, scale: 'standard' } } }, xs([2, null, 4])), 'standardize');
    expect(s.mean).to.equal(2);
  });

  it('records the training range, a decile baseline whose shares sum to 1, and label classes', () => {
    const rows = Array.from({ length: 101 }, (_, i) => ({ x: i === 100 ? null : i, y: i % 3 === 0 ? 'a' : 'b', label: i % 2 ? 'odd' : 'even' }));
    const schema = fitSchema({ columns: { x: { type: 'number', impute: 'mean' }, y: { type: 'category' } }, label: 'label' }, rows);
    const [x, y] = schema.columns;
    expect(x!.type === 'number' && x!.range).to.deep.equal({ min: 0, max: 99 });
    const b = x!.baseline!;
    expect(b.kind === 'numeric' && b.edges).to.deep.equal([9.9, 19.8, 29.7, 39.6, 49.5, 59.4, 69.3, 79.2, 89.10000000000001]); // np.percentile's reprs, bit for bit
    expect(b.shares.reduce((a, v) => a + v, 0)).to.be.closeTo(1, 1e-12);
    expect(b.shares[0]).to.equal(0.1); // 0..9 of 100 values, lower-inclusive bins
    expect([b.missing, b.rows]).to.deep.equal([1 / 101, 101]);
    expect(b.kind === 'numeric' && baselineBin(b.edges, 9.9)).to.equal(1);
    expect(y!.baseline).to.deep.include({ kind: 'categorical', categories: ['a', 'b'], shares: [34 / 101, 67 / 101], missing: 0 });
    expect(schema.label).to.deep.equal({ column: 'label', classes: ['even', 'odd'] });
  });
});

describe('schema: fitSchema failures name the column and what to do', () => {
  it('missing values without an impute strategy', () => {
    const e = fitError({ columns: { x: { type: 'number' } } }, xs([1, null]));
    expect(e.code).to.equal('FIT_FAILED');
    expect(e.message).to.match(/column "x": 1 training value\(s\) are missing; add "impute"/);
  });

  it('training values the inference rules would reject', () => {
    const e = fitError({ columns: { x: { type: 'number' } } }, xs([1, '2', 'x']));
    expect(e.message).to.match(/column "x": 2 training value\(s\) fail the inference rules, e\.g\. Row 1, column "x": expected number, got string "2"/);
    expect((e.details.issues as unknown[]).length).to.equal(2);
  });

  it('an all-missing column with a statistic to learn, and unknown training categories', () => {
    expect(fitError({ columns: { x: { type: 'number', impute: 'mean' } } }, xs([null, null])).message).to.match(/every training value is missing/);
    expect(fitError({ columns: { x: { type: 'category', categories: ['a'] } } }, xs(['a', 'b'])).message).to.match(/"b" is not in "categories"/);
  });

  it('a constant fill that is no category, with unknown "error" (no missing value in training)', () => {
    const spec: FitSpec = { columns: { x: { type: 'category', impute: { constant: 'none' } } } };
    const e = fitError(spec, xs(['a', 'b']));
    expect(e.code).to.equal('FIT_FAILED');
    expect(e.message).to.match(/column "x": impute value "none" is not in the categories \["a","b"\], so every missing value/);
    // with unknown "ignore" it fits, and a missing value encodes as unknown (all zeros), as in scikit-learn
    const ignore = fitSchema({ columns: { x: { type: 'category', impute: { constant: 'none' }, unknown: 'ignore' } } }, xs(['a', 'b']));
    expect([...compileSchema(ignore).parse({ x: null })]).to.deep.equal([0, 0]);
  });

  it('spec mistakes are INVALID_OPTIONS', () => {
    const e = fitError({ columns: { x: { type: 'category', scale: 'standard' } } }, xs(['a']));
    expect(e.code).to.equal('INVALID_OPTIONS');
    expect(e.message).to.match(/column "x": "scale" applies to number and boolean columns/);
  });

  it('the fitted schema transforms its own training rows without errors', () => {
    const rows = xs([1, 2, null, 4]);
    const schema = fitSchema({ columns: { x: { type: 'number', impute: 'median', indicator: true, scale: 'minmax' } } }, rows);
    const out = compileSchema(schema).safeParseBatch(rows);
    expect(out.issues).to.deep.equal([]);
    expect(Array.from(out.values)).to.deep.equal([0, 0, 1 / 3, 0, 1 / 3, 1, 1, 0].map(Math.fround));
  });
});
