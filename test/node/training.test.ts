// Reproducibility of `npm run train` on small slices: the same seed gives bit-identical weights,
// a different seed does not (so the check can fail).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initTfjs, weightsDigest } from '../../training/tfjs.js';
import { trainPenguins } from '../../training/penguins.js';
import { trainDigits } from '../../training/digits.js';
import { trainDigitsCnn } from '../../training/digits-cnn.js';

before(async () => {
  await initTfjs();
});

test('penguins: same seed → same weights and schema; another seed → other weights', async () => {
  const a = await trainPenguins({ version: '1.1.0', seed: 7, epochs: 3 });
  const b = await trainPenguins({ version: '1.1.0', seed: 7, epochs: 3 });
  const c = await trainPenguins({ version: '1.1.0', seed: 8, epochs: 3 });
  assert.equal(await weightsDigest(a.model), await weightsDigest(b.model));
  assert.deepEqual(a.schema, b.schema);
  assert.notEqual(await weightsDigest(a.model), await weightsDigest(c.model));
});

test('digits: same seed → same weights on a 256-row slice', async () => {
  const a = await trainDigits({ seed: 3, epochs: 1, limit: 256, hidden: 16 });
  const b = await trainDigits({ seed: 3, epochs: 1, limit: 256, hidden: 16 });
  assert.equal(await weightsDigest(a.model), await weightsDigest(b.model));
});

test('digits CNN: same seed → same weights on a 256-row slice; another seed → other weights', async () => {
  const a = await trainDigitsCnn({ seed: 3, epochs: 1, limit: 256 });
  const b = await trainDigitsCnn({ seed: 3, epochs: 1, limit: 256 });
  const c = await trainDigitsCnn({ seed: 4, epochs: 1, limit: 256 });
  assert.equal(await weightsDigest(a.model), await weightsDigest(b.model));
  assert.notEqual(await weightsDigest(a.model), await weightsDigest(c.model));
});

test('the shipped digits CNN records its provenance and held-out accuracy', async () => {
  const { readFileSync } = await import('node:fs');
  const m = JSON.parse(readFileSync('models/digits/2.0.0/manifest.json', 'utf8'));
  assert.equal(m.training.seed, 42);
  assert.equal(m.training.data.rows, 10_000);
  assert.ok(m.training.metrics.heldOutAccuracy >= 0.98, `held-out accuracy ${m.training.metrics.heldOutAccuracy}`);
  assert.equal(JSON.parse(readFileSync('models/digits/2.0.0/schema.json', 'utf8')).formatVersion, 2);
});

test('the shipped penguins bundles record their provenance', async () => {
  const { readFileSync } = await import('node:fs');
  // 2.0.0: GradientBoosting trees from training/penguins_trees.py (ferryml_export + ferryml pack).
  for (const version of ['1.0.0', '1.1.0', '2.0.0']) {
    const m = JSON.parse(readFileSync(`models/penguins/${version}/manifest.json`, 'utf8'));
    assert.equal(m.training.seed, 42);
    assert.equal(m.training.data.rows, 344);
    assert.match(m.training.data.sha256, /^[0-9a-f]{64}$/);
    assert.ok(m.training.metrics.heldOutAccuracy > 0.9, `held-out accuracy ${m.training.metrics.heldOutAccuracy}`);
  }
});
