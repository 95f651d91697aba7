// A real-size converter-made model packed as a user would: nsfwjs's MobileNetV2 (224×224×3, from
// npm, unwrapped into model.json + shard), `ferryml fit` for an image-only spec (no rows), golden
// outputs from raw tfjs, `ferryml pack` (which loads it in Node on cpu and runs the golden row),
// then loadModel in Node from the packed directory: equal to raw tfjs on the same backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadModel } from '../../src/load-model.js';
import { cli } from './support/cli-in-process.js';
import { NSFWJS, writeNsfwjs } from '../support/npm-models.mjs';

test('pack: MobileNetV2 224×224×3 from npm packs with a compact schema, passes the load check, and predicts as raw tfjs in Node', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ferryml-pack-mobilenet-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const modelDir = writeNsfwjs('mobilenet_v2', join(dir, 'src'));
  writeFileSync(
    join(dir, 'spec.json'),
    JSON.stringify({ columns: { image: { type: 'image', image: { width: 224, height: 224, channels: 3, scale: [1 / 255], offset: [0] } } } }),
  );
  const fit = await cli('fit', '--spec', join(dir, 'spec.json'), '--out', join(dir, 'schema.json'));
  assert.equal(fit.code, 0, fit.out);
  assert.ok(statSync(join(dir, 'schema.json')).size < 1000, 'the schema is a few hundred bytes, not 2–3 MB of names');

  await tf.setBackend('cpu');
  const pixels = Array.from({ length: 224 * 224 * 3 }, (_, i) => (i * 37 + (i >> 10) * 11) % 256);
  const json = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
  const shard = readFileSync(join(modelDir, 'group1-shard1of1'));
  const direct = await tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: shard.buffer.slice(shard.byteOffset, shard.byteOffset + shard.byteLength),
    }),
  );
  const y = tf.tidy(() => direct.predict(tf.div(tf.tensor4d(pixels, [1, 224, 224, 3]), 255)) as tf.Tensor);
  const expected = Array.from(await y.data());
  tf.dispose(y);
  direct.dispose();
  writeFileSync(join(dir, 'golden.json'), JSON.stringify({ rows: [{ image: pixels }], outputs: [expected] }));

  const packed = await cli(
    'pack',
    modelDir,
    '--name',
    'nsfw',
    '--version',
    '4.4.0',
    '--schema',
    join(dir, 'schema.json'),
    '--golden',
    join(dir, 'golden.json'),
    '--labels',
    NSFWJS.mobilenet_v2.labels.join(','),
    '--out',
    join(dir, 'models'),
  );
  assert.equal(packed.code, 0, packed.out);
  const bundle = join(dir, 'models', 'nsfw', '4.4.0');
  const model = await loadModel({ files: (path: string) => readFile(join(bundle, path)), backend: 'cpu', remember: false });
  try {
    assert.equal(model.info.backend, 'cpu');
    assert.ok(model.info.goldenError !== undefined && model.info.goldenError <= 1e-4, `golden error ${model.info.goldenError}`);
    const p = await model.predict({ image: Uint8Array.from(pixels) });
    const diff = Math.max(...Array.from(p.raw, (v, i) => Math.abs(v - expected[i]!)));
    assert.ok(diff < 1e-4, `max difference ${diff}`);
  } finally {
    await model.dispose();
  }
});
