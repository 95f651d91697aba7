// Parity with scikit-learn 1.2 on real, messy data (vega-datasets penguins and cars): the
// reference comes from sklearn itself, run by test/fixtures/schema/sklearn_reference.py with
// Debian's /usr/bin/python3; ferryml fits the same spec and transforms the same rows.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fitSchema } from '../../src/schema/fit.js';
import { compileSchema } from '../../src/schema/compile.js';
import type { Schema, Step } from '../../src/schema/types.js';
import { CASES, loadCase } from '../schema/data.js';
import type { Row } from '../schema/data.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = 'test/fixtures/schema/sklearn_reference.py';
const TOLERANCE = 1e-6;

interface Reference {
  rows: number[][];
  fitted: Record<
    string,
    {
      impute?: unknown;
      mean?: number;
      scale?: number;
      minmax_scale?: number;
      minmax_offset?: number;
      bin_edges?: number[];
      categories?: unknown[];
      drop?: number;
    }
  >;
  sklearn: string;
}

function sklearnMissing(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import sklearn, pandas; print(sklearn.__version__)'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} not found (${probe.error.message}); install python3-sklearn python3-pandas`;
  if (probe.status !== 0)
    return `scikit-learn/pandas not importable by ${PYTHON}: ${probe.stderr.trim().split('\n').pop()}; apt-get install python3-sklearn python3-pandas`;
  if (!probe.stdout.startsWith('1.2.')) return `scikit-learn ${probe.stdout.trim()} found; the reference semantics are 1.2`;
  return undefined;
}

function reference(spec: unknown, train: Row[], test: Row[]): Reference {
  // JSON carries NaN as null: both sides read it as missing.
  const r = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify({ spec, train, test }), encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `sklearn reference failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as Reference;
}

const close = (a: number, b: number, rel = 1e-12) => Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));

/**
 * The schema's fitted values must be sklearn's: imputer means and scaler mean/scale to the last bit
 * (numpy's pairwise summation, src/schema/stats.ts), the rest to float64 rounding.
 */
function compareFitted(schema: Schema, fitted: Reference['fitted']): void {
  for (const column of schema.columns) {
    const ref = fitted[column.name];
    assert.ok(ref, `reference has column ${column.name}`);
    const steps = new Map<string, Step>(column.steps.map((s) => [s.kind, s]));
    const at = (what: string) => `${column.name}: ${what}`;
    const impute = steps.get('impute');
    if (impute?.kind === 'impute') {
      if (typeof impute.value !== 'string') assert.equal(Number(impute.value), Number(ref.impute), at('impute value'));
      else assert.equal(impute.value, ref.impute, at('impute value'));
    }
    const std = steps.get('standardize');
    if (std?.kind === 'standardize') {
      assert.equal(std.mean, ref.mean, at('mean'));
      assert.equal(std.scale, ref.scale, at('scale'));
    }
    const mm = steps.get('minmax');
    if (mm?.kind === 'minmax') {
      assert.ok(close(mm.scale, ref.minmax_scale!), at('minmax scale'));
      assert.ok(close(mm.offset, ref.minmax_offset!), at('minmax offset'));
    }
    const bins = steps.get('bucketize');
    if (bins?.kind === 'bucketize') {
      const inner = ref.bin_edges!.slice(1, -1);
      assert.equal(bins.edges.length, inner.length, at(`edges ${JSON.stringify(bins.edges)} vs sklearn ${JSON.stringify(ref.bin_edges)}`));
      bins.edges.forEach((e, i) => assert.ok(close(e, inner[i]!), at(`edge ${i}: ${e} vs ${inner[i]}`)));
    }
    const enc = steps.get('onehot') ?? steps.get('ordinal');
    if (enc?.kind === 'onehot' || enc?.kind === 'ordinal') {
      assert.deepEqual(enc.categories, ref.categories, at('categories'));
      if (enc.kind === 'onehot') assert.equal(enc.drop, ref.drop, at('drop'));
    }
  }
}

const skip = sklearnMissing();
if (skip) console.log(`# schema parity skipped: ${skip}`);

describe('schema parity with scikit-learn 1.2 (penguins, cars)', { skip }, () => {
  const refs = new Map<string, Reference>();
  for (const c of CASES) {
    describe(c.name, () => {
      let schema: Schema;
      let ref: Reference;
      let ours: Float32Array;
      let rejected: Uint8Array;
      let test: Row[];

      before(async () => {
        const data = await loadCase(c, false);
        test = data.test;
        ref = reference(data.spec, data.train, data.test);
        refs.set(c.name, ref);
        schema = fitSchema(data.spec, data.train);
        const compiled = compileSchema(schema);
        ours = new Float32Array(test.length * compiled.width);
        rejected = compiled.transformInto(test, ours).rejected;
      });

      it('fits the same values sklearn fits (imputer statistics, scaler mean/scale, bin edges, categories)', () => {
        assert.equal(ref.sklearn.slice(0, 4), '1.2.');
        compareFitted(schema, ref.fitted);
      });

      it(`transforms every messy row within ${TOLERANCE} of sklearn after the float32 cast`, () => {
        assert.equal(
          rejected.reduce((n, r) => n + r, 0),
          0,
          'no row is rejected',
        );
        assert.equal(ref.rows.length, test.length);
        assert.equal(ref.rows[0]!.length, schema.width, 'same width as sklearn');
        let worst = 0;
        ref.rows.forEach((row, i) =>
          row.forEach((v, j) => {
            const d = Math.abs(Math.fround(v) - ours[i * schema.width + j]!);
            worst = Math.max(worst, d);
            assert.ok(
              d <= TOLERANCE,
              `row ${i} feature ${JSON.stringify(schema.features[j])}: sklearn ${v}, ferryml ${ours[i * schema.width + j]} (row ${JSON.stringify(test[i])})`,
            );
          }),
        );
        console.log(`# ${c.name}: ${test.length} rows × ${schema.width} features, worst |Δ| = ${worst}`);
      });
    });
  }

  it('exercises sklearn’s removal of quantile bins narrower than 1e-8 (penguins-b Flipper Length)', () => {
    const edges = refs.get('penguins-b')!.fitted['Flipper Length (mm)']!.bin_edges!;
    assert.ok(edges.length < 41, `40 quantile bins should lose some to duplicate edges, sklearn kept ${edges.length - 1}`);
  });
});
