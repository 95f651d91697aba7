// Type tests: the input type of predict() comes from the app's schema. Each @ts-expect-error
// must be an error for `npm run typecheck` to pass; the test then also runs the calls for real.
import { expect } from 'chai';
import { defineSchema } from '../../src/schema/define.js';
import { loadModel } from '../../src/load-model.js';
import type { Model } from '../../src/runtime/model-types.js';
import type { Schema } from '../../src/schema/types.js';
import { base, rejectionOf } from './helpers.js';

/** The app's copy of the mlp fixture's columns (test/runtime/fixtures/make-fixtures.ts). */
const schema = defineSchema({
  columns: [
    { name: 'a', type: 'number', parse: { strings: 'decimal' }, steps: [{ kind: 'standardize', mean: 2, scale: 1.5 }] },
    {
      name: 'b',
      type: 'number',
      required: false,
      steps: [
        { kind: 'impute', value: 0.5, indicator: true },
        { kind: 'standardize', mean: 0.5, scale: 2 },
      ],
    },
    { name: 'c', type: 'category', steps: [{ kind: 'onehot', categories: ['x', 'y', 'z'], unknown: 'error' }] },
    { name: 'd', type: 'boolean', steps: [{ kind: 'passthrough' }] },
  ],
});

describe('runtime: typed inputs', () => {
  it('a wrong input field, a wrong value type or a missing column is a compile error', async () => {
    const model = await loadModel({ ...base('mlp', { backend: 'cpu' }), schema });
    const ok = await model.predict({ a: 1, b: null, c: 'x', d: true });
    const decimal = await model.predict({ a: '1.5', c: 'y', d: false });
    expect(ok.kind).to.equal('classification');
    expect(decimal.kind).to.equal('classification');

    // @ts-expect-error a field the schema does not have
    await model.predict({ a: 1, c: 'x', d: true, wrong: 2 });
    // @ts-expect-error a category outside the fitted ones (unknown: "error")
    await rejectionOf(model.predict({ a: 1, c: 'purple', d: true }));
    // @ts-expect-error a string for a number column that does not parse strings
    await rejectionOf(model.predict({ a: 1, b: '2', c: 'x', d: true }));
    // @ts-expect-error the required column "c" is missing
    await rejectionOf(model.predict({ a: 1, d: true }));
    // @ts-expect-error predictBatch rows are typed the same way
    await model.predictBatch([{ a: 1, c: 'x', d: 'yes' }]);

    if (ok.kind === 'classification') {
      const label: string = ok.label;
      expect(label).to.be.oneOf(['red', 'green', 'blue']);
      // @ts-expect-error a classification has no `value`
      expect(ok.value).to.equal(undefined);
    }
    await model.dispose();
  });

  it('an explicit row type works the same way', async () => {
    const model: Model<{ x: number }> = await loadModel<{ x: number }>(base('elu-precision', { backend: 'cpu' }));
    const p = await model.predict({ x: 1 });
    expect(p.kind === 'regression' && p.value).to.be.closeTo(-1, 1e-4);
    // @ts-expect-error "y" is not an input of this model
    await rejectionOf(model.predict({ y: 1 }));
    await model.dispose();
  });

  it('an app schema that conflicts with the bundle is rejected at load (SCHEMA_INVALID) naming each conflict', async () => {
    const other = defineSchema({ columns: [{ name: 'x', type: 'number', steps: [{ kind: 'passthrough' }] }] });
    const error = await rejectionOf(loadModel({ ...base('mlp', { backend: 'cpu' }), schema: other }));
    expect(error.code).to.equal('SCHEMA_INVALID');
    // a, c and d are required in the bundle; b has an imputer, so an app without it is fine.
    expect(error.details.conflicts).to.deep.equal([
      'column "a": new in the bundle and required (no imputer), the app does not send it',
      'column "c": new in the bundle and required (no imputer), the app does not send it',
      'column "d": new in the bundle and required (no imputer), the app does not send it',
    ]);
  });

  it('schema evolution: an app typed for penguins@1.0.0 loads 1.1.0 (a new optional column); a changed type is a conflict', async () => {
    const v1 = (await (await fetch('/models/penguins/1.0.0/schema.json')).json()) as Schema;
    const bundle11 = { bundle: '/models/penguins/1.1.0/', cache: false as const, backend: 'cpu' as const, remember: false };
    const model = await loadModel({ ...bundle11, schema: v1 });
    expect(model.info.version).to.equal('1.1.0');
    const golden = (await (await fetch('/models/penguins/1.0.0/golden.json')).json()) as { rows: Array<Record<string, unknown>> };
    // A 1.0.0 row (no Sex) predicts on 1.1.0: its imputer fills the new column.
    expect((await model.predict(golden.rows[0]!)).kind).to.equal('classification');
    await model.dispose();
    const changed = {
      ...v1,
      columns: v1.columns.map((c) => (c.name === 'Island' ? { name: 'Island', type: 'number' as const, steps: [{ kind: 'passthrough' as const }] } : c)),
    };
    const error = await rejectionOf(loadModel({ ...bundle11, schema: changed }));
    expect(error.code).to.equal('SCHEMA_INVALID');
    expect(error.details.conflicts).to.deep.equal(['column "Island": the app sends number, the bundle expects category']);
    expect(error.message).to.contain('penguins@1.1.0');
  });
});

// loadModel merges these groups into one options object, so one key in two groups would mean two
// things at once (`timeoutMs` once set both the download and the predict timeout). Each line is a
// compile error when the groups share a key.
type Disjoint<A, B> = [Extract<keyof A, keyof B>] extends [never] ? true : { shared: Extract<keyof A, keyof B> };
type OwnLoadKeys = { files: unknown; schema: unknown; telemetry: unknown };
const groupsShareNoKey: [
  Disjoint<import('../../src/model/open-bundle-options.js').OpenBundleOptions, import('../../src/runtime/options.js').RuntimeOptions>,
  Disjoint<import('../../src/model/open-bundle-options.js').OpenBundleOptions, OwnLoadKeys>,
  Disjoint<import('../../src/runtime/options.js').RuntimeOptions, OwnLoadKeys>,
] = [true, true, true];

describe('options: the groups loadModel merges share no key', () => {
  it('is checked by the compiler (see groupsShareNoKey); both timeouts exist under their own names', async () => {
    expect(groupsShareNoKey).to.deep.equal([true, true, true]);
    // A 1 ms predict timeout must not cut the download short (it once did, through the shared key).
    const model = await loadModel(base('mlp', { backend: 'cpu', predictTimeoutMs: 1, downloadTimeoutMs: 10_000 }));
    expect(model.info.name).to.equal('mlp');
    await model.dispose();
  });
});

// model.info shows the engine's own report (EngineFacts), not a field-by-field copy: every fact
// the engine reports reaches ModelInfo, and only the engine's internals stay behind.
type EngineReport = import('../../src/runtime/types.js').EngineReport;
type ModelInfo = import('../../src/runtime/model-types.js').ModelInfo;
type Internal = Exclude<keyof EngineReport, keyof ModelInfo>;
const internalsOnly: [Internal] extends ['device' | 'remember' | 'outputWidth' | 'largeBatch'] ? true : { notInInfo: Internal } = true;

describe('model.info: derived from the engine report', () => {
  it('shows every engine fact, and no internal one, on the plain-JS engine and on tfjs', async () => {
    expect(internalsOnly).to.equal(true);
    for (const engine of ['auto', 'tfjs'] as const) {
      const model = await loadModel(base('mlp', engine === 'tfjs' ? { engine, backend: 'cpu' } : {}));
      const info = model.info as unknown as Record<string, unknown>;
      for (const key of ['engine', 'engineReason', 'backend', 'decision', 'rejected', 'measured', 'measuredBatch', 'lean', 'leanReason']) {
        expect(info, `${engine}: ${key}`).to.have.property(key);
      }
      for (const key of ['device', 'remember', 'outputWidth', 'largeBatch']) expect(info, `${engine}: ${key}`).not.to.have.property(key);
      expect(model.info.engine).to.equal(engine === 'tfjs' ? 'tfjs' : 'js');
      expect(model.info).to.equal(model.info, 'the same object until the engine reports again');
      await model.dispose();
    }
  });
});
