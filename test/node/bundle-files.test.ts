// bundleFromFiles in Node (the `ferryml predict` path): every file verified against the manifest,
// and the IOHandler serves tfjs layers and graph models that reproduce the golden outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { bundleFromFiles, type OpenedBundle } from '../../src/entries/bundle.js';
import { readDirFiles } from '../../src/node/bundle/files.js';

const dir = (name: string, version: string) => `test/fixtures/bundles/models/${name}/${version}`;
const publicKey = JSON.parse(readFileSync('test/fixtures/bundles/keys/test.pub.jwk.json', 'utf8')) as JsonWebKey;

async function expectGolden(bundle: OpenedBundle, predict: (x: tf.Tensor2D) => tf.Tensor): Promise<void> {
  const rows = bundle.golden!.rows.map((r) =>
    bundle.schema.columns.map((c) => {
      const step = c.steps[0] as { mean: number; scale: number };
      return ((r[c.name] as number) - step.mean) / step.scale;
    }),
  );
  const y = predict(tf.tensor2d(rows));
  const got = (await y.array()) as number[][];
  got.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - bundle.golden!.outputs[i]![j]!) < 1e-5, `row ${i} col ${j}: ${v}`)));
}

test('a layers bundle from files: verified, signed, and loadLayersModel reproduces the golden outputs', async () => {
  await tf.setBackend('cpu');
  const bundle = await bundleFromFiles(await readDirFiles(dir('tiny', '1.1.0')), { publicKey });
  assert.equal(bundle.source, 'local');
  assert.equal(bundle.manifest.version, '1.1.0');
  assert.equal(bundle.bytes, 2855);
  const model = await loadLayersModel(bundle.ioHandler);
  await expectGolden(bundle, (x) => model.predict(x) as tf.Tensor);
});

test('a graph bundle from files: loadGraphModel reproduces the golden outputs', async () => {
  const bundle = await bundleFromFiles(await readDirFiles(dir('tiny-graph', '1.0.0')));
  assert.equal(bundle.manifest.model.format, 'graph-model');
  const model = await loadGraphModel(bundle.ioHandler);
  await expectGolden(bundle, (x) => model.predict(x) as tf.Tensor);
});

test('tampered, truncated, missing or mislabelled files are caught, naming the file', async () => {
  const files = await readDirFiles(dir('tiny', '1.0.0'));
  const flip = new Map(files);
  const shard = new Uint8Array(files.get('group1-shard1of1.bin')!);
  shard[0]! ^= 1;
  flip.set('group1-shard1of1.bin', shard);
  await assert.rejects(bundleFromFiles(flip), { code: 'INTEGRITY_MISMATCH', message: /group1-shard1of1\.bin/ });
  const cut = new Map(files);
  cut.set('schema.json', files.get('schema.json')!.subarray(0, 10));
  await assert.rejects(bundleFromFiles(cut), { code: 'SIZE_MISMATCH', message: /schema\.json: got 10 bytes, the manifest lists 748/ });
  const missing = new Map(files);
  missing.delete('golden.json');
  await assert.rejects(bundleFromFiles(missing), { code: 'INTEGRITY_MISMATCH', message: /golden\.json: listed in the manifest but missing/ });
  const unsigned = new Map(files);
  const manifest = JSON.parse(new TextDecoder().decode(files.get('manifest.json')));
  delete manifest.signature;
  unsigned.set('manifest.json', new TextEncoder().encode(JSON.stringify(manifest)));
  await assert.rejects(bundleFromFiles(unsigned, { publicKey }), { code: 'SIGNATURE_INVALID' });
  const escaping = new Map(files);
  escaping.set(
    'manifest.json',
    new TextEncoder().encode(JSON.stringify({ ...manifest, files: [...manifest.files, { path: '../x', bytes: 1, sha256: 'a'.repeat(64) }] })),
  );
  await assert.rejects(bundleFromFiles(escaping), { code: 'MANIFEST_INVALID', message: /"\.\.\/x" is not a relative path inside the bundle/ });
});
