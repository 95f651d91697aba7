// Type tests: the input type of predict() comes from the app's schema. Each @ts-expect-error
// must be an error for `npm run typecheck` to pass; the test then also runs the calls for real.
import { expect } from 'chai';
import { defineSchema } from '../../src/schema/define.js';
import { loadModel } from '../../src/load-model.js';
import type { Model } from '../../src/runtime/model-types.js';
import { base, rejectionOf } from './helpers.js';

/** The app's copy of the mlp fixture's columns (test/runtime/fixtures/make-fixtures.ts). */
const schema = defineSchema({
  columns: [
    { name: 'a', type: 'number', parse: { strings: 'decimal' }, steps: [{ kind: 'standardize', mean: 2, scale: 1.5 }] },
    { name: 'b', type: 'number', required: false, steps: [{ kind: 'impute', value: 0.5, indicator: true }, { kind: 'standardize', mean: 0.5, scale: 2 }] },
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

  it("an app schema whose columns differ from the bundle's is rejected at load (SCHEMA_INVALID)", async () => {
    const other = defineSchema({ columns: [{ name: 'x', type: 'number', steps: [{ kind: 'passthrough' }] }] });
    const error = await rejectionOf(loadModel({ ...base('mlp', { backend: 'cpu' }), schema: other }));
    expect(error.code).to.equal('SCHEMA_INVALID');
    expect(error.message).to.contain('a:number, b:number, c:category, d:boolean');
  });
});
