// Smoke tests of the benchmark harness (bench/): the statistics, the ONNX builder (graph
// structure, a numpy forward pass of the serialized file against tfjs, a conv DAG run on ONNX
// Runtime (wasm, in Node) against tfjs, byte-for-byte
// reproducibility, a clear failure on unsupported layers), and that the three preprocessing
// paths the benchmark compares — scikit-learn holding the schema's fitted values, ferryml's
// compiled transform, and the hand-written baseline — compute the same features.
// Python parts need Debian's python3-onnx/sklearn (`node scripts/ensure.mjs` installs them);
// without them those tests are skipped with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { detectDeps } from '../../bench/lib/context.js';
import { startStatic } from '../../bench/lib/server.js';
import { pairedRatio, quantile, ratioSummary, summarize } from '../../bench/lib/stats.js';
import { handTransform } from '../../bench/pages/hand-transform.js';
import { tile } from '../../bench/preprocess/rows.js';
import { compileSchema } from '../../src/schema/compile.js';
import type { Schema } from '../../src/schema/types.js';
import { bn, rnd } from '../support/conv-layers.js';
import { tempDir } from './support/temp-dir.js';

const PY = '/usr/bin/python3';
const python = spawnSync(PY, ['-c', 'import onnx, sklearn, pandas, numpy'], { encoding: 'utf8' });
// eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stderr is null when python3 is missing (spawn failed)
const noPython = python.status === 0 ? false : `needs ${PY} with onnx, sklearn, pandas, numpy: ${python.stderr?.trim() || python.error?.message}`;
const py = (args: string[], input?: string) => spawnSync(PY, args, { encoding: 'utf8', input, maxBuffer: 64 << 20 });
const dir = tempDir('ferryml-bench-test-');

test('stats: quantiles match numpy, paired ratios are per round', () => {
  const s = [5, 1, 4, 2, 3];
  assert.equal(quantile([1, 2, 3, 4, 5], 0.5), 3);
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.ok(Math.abs(quantile([1, 2, 3, 4, 5], 0.1) - 1.4) < 1e-12); // numpy.percentile(.., 10)
  assert.deepEqual(summarize(s), { median: 3, p10: 1.4, p90: 4.6, q1: 2, q3: 4, iqr: 2, n: 5 });
  // Round 2 was slow for both variants: the per-round ratio stays 2.
  const r = pairedRatio([2, 20, 4], [1, 10, 2]);
  assert.equal(r.ratio, 2);
  assert.equal(r.rounds, 3);
  assert.throws(() => pairedRatio([1], [1, 2]), /same non-zero number of rounds/);
  // Ratios already formed per round (blocks of pairs): the same summary, in any order.
  assert.deepEqual(ratioSummary([1.02, 0.9, 1, 0.98, 1.1]), { ratio: 1, p10: 0.932, p90: 1.068, rounds: 5 });
  assert.throws(() => ratioSummary([]), /no rounds/);
  assert.deepEqual(tile([1, 2, 3], 7), [1, 2, 3, 1, 2, 3, 1]);
});

/** Saves a tfjs layers model as model.json + one shard, the layout of a bundle. */
async function saveModel(model: tfl.LayersModel, to: string) {
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      writeFileSync(join(to, 'group1-shard1of1.bin'), Buffer.from(a.weightData as ArrayBuffer));
      writeFileSync(
        join(to, 'model.json'),
        JSON.stringify({
          format: 'layers-model',
          modelTopology: a.modelTopology,
          weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }],
        }),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

test('build_onnx.py: MatMul/Add/Relu/Softmax graph equal to tfjs to 1e-5, same bytes twice', { skip: noPython }, async () => {
  await tf.setBackend('cpu');
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [9], units: 16, activation: 'relu', biasInitializer: 'randomNormal' }),
      tfl.layers.dropout({ rate: 0.2 }),
      tfl.layers.dense({ units: 8, activation: 'tanh' }),
      tfl.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  await saveModel(model, dir);
  const out = join(dir, 'model.onnx');
  const built = py(['bench/onnx/build_onnx.py', dir, out]);
  assert.equal(built.status, 0, built.stderr);
  const first = readFileSync(out);
  assert.equal(py(['bench/onnx/build_onnx.py', join(dir, 'model.json'), out]).status, 0);
  assert.ok(first.equals(readFileSync(out)), 'a second build gives the same bytes');

  const rows = Array.from({ length: 6 }, (_, i) => Array.from({ length: 9 }, (_, j) => Math.sin(i * 9 + j) * 3));
  const fwd = py(['bench/onnx/forward_onnx.py', out], JSON.stringify(rows));
  assert.equal(fwd.status, 0, fwd.stderr);
  const got = JSON.parse(fwd.stdout) as { output: number[][]; ops: string[]; inputs: string[]; outputs: string[]; opset: number };
  assert.deepEqual(got.ops, ['MatMul', 'Add', 'Relu', 'MatMul', 'Add', 'Tanh', 'MatMul', 'Add', 'Softmax']);
  assert.deepEqual([got.inputs, got.outputs, got.opset], [['input'], ['output'], 13]);
  const want = (model.predict(tf.tensor2d(rows)) as tf.Tensor).arraySync() as number[][];
  want.forEach((row, i) =>
    row.forEach((v, j) => assert.ok(Math.abs(v - got.output[i]![j]!) < 1e-5, `row ${i} output ${j}: onnx ${got.output[i]![j]} vs tfjs ${v}`)),
  );
});

test(
  'build_onnx.py: a conv DAG (Conv, DepthwiseConv, BatchNorm, ReLU6, Add, pooling, Flatten, Dense) runs on ONNX Runtime equal to tfjs to 1e-5',
  { skip: noPython },
  async () => {
    await tf.setBackend('cpu');
    const input = tfl.input({ shape: [11, 11, 3] });
    let x = tfl.layers
      .zeroPadding2d({
        padding: [
          [0, 1],
          [1, 0],
        ],
      })
      .apply(input) as tfl.SymbolicTensor;
    x = tfl.layers
      .conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid', useBias: false, kernelInitializer: rnd(1) })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.reLU({ maxValue: 6 }).apply(bn(10).apply(x)) as tfl.SymbolicTensor;
    const skip = x;
    let y = tfl.layers
      .depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2, useBias: false, depthwiseInitializer: rnd(2) })
      .apply(x) as tfl.SymbolicTensor;
    y = tfl.layers.reLU({ maxValue: 6 }).apply(bn(20).apply(y)) as tfl.SymbolicTensor;
    y = tfl.layers.conv2d({ filters: 8, kernelSize: 1, padding: 'same', kernelInitializer: rnd(3), biasInitializer: rnd(4) }).apply(y) as tfl.SymbolicTensor;
    x = tfl.layers.add().apply([skip, bn(30).apply(y) as tfl.SymbolicTensor]) as tfl.SymbolicTensor;
    x = tfl.layers
      .conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: rnd(5) })
      .apply(x) as tfl.SymbolicTensor;
    const pooled = tfl.layers.averagePooling2d({ poolSize: [3, 3], strides: [3, 3] }).apply(x) as tfl.SymbolicTensor;
    const flat = tfl.layers.flatten().apply(pooled) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: rnd(6) }).apply(flat) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    const d = tempDir('ferryml-bench-convdag-');
    await saveModel(model, d);
    const file = join(d, 'model.onnx');
    const built = py(['bench/onnx/build_onnx.py', d, file]);
    assert.equal(built.status, 0, built.stderr);
    const ops = (JSON.parse(built.stdout) as { nodes: string[] }).nodes;
    for (const op of ['Transpose', 'Pad', 'Conv', 'BatchNormalization', 'Clip', 'Add', 'GlobalAveragePool', 'Flatten', 'MatMul', 'Softmax'])
      assert.ok(ops.includes(op), `${op} in ${ops.join(' ')}`);
    assert.equal(ops.filter((o) => o === 'Conv').length, 4);

    const x4 = Float32Array.from({ length: 2 * 11 * 11 * 3 }, (_, i) => Math.sin(i * 0.37) * 2);
    const want = (model.predict(tf.tensor4d(x4, [2, 11, 11, 3])) as tf.Tensor).dataSync();
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = 1;
    const session = await ort.InferenceSession.create(readFileSync(file), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    const got = (await session.run({ input: new ort.Tensor('float32', x4, [2, 11, 11, 3]) }))['output']!.data as Float32Array;
    await session.release();
    assert.equal(got.length, 8);
    want.forEach((v, i) => assert.ok(Math.abs(v - got[i]!) < 1e-5, `output ${i}: onnx ${got[i]} vs tfjs ${v}`));
  },
);

test('build_onnx.py: the digits CNN (Reshape, Conv2D, MaxPooling2D) builds from its bundle', { skip: noPython }, () => {
  const bundle = 'models/digits/2.0.0';
  if (!existsSync(join(bundle, 'model.json'))) return;
  const r = py(['bench/onnx/build_onnx.py', bundle, join(dir, 'digits.onnx')]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok((JSON.parse(r.stdout) as { nodes: string[] }).nodes.includes('Conv'));
});

test('build_onnx.py: an unsupported model exits 2 naming the layer', { skip: noPython }, async () => {
  const up = tfl.sequential({
    layers: [tfl.layers.upSampling2d({ inputShape: [4, 4, 1], size: [2, 2], name: 'up_here' }), tfl.layers.flatten(), tfl.layers.dense({ units: 2 })],
  });
  const d = tempDir('ferryml-bench-up-');
  await saveModel(up, d);
  const r = py(['bench/onnx/build_onnx.py', d, join(d, 'x.onnx')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /layer up_here: unsupported layer class UpSampling2D/);
});

// Every step kind the tabular benchmark uses, an indicator placed after the other features
// (as ColumnTransformer orders them), missing strings, unknown categories, a dropped category.
const schema: Schema = {
  formatVersion: 1,
  columns: [
    {
      name: 'a',
      type: 'number',
      required: false,
      steps: [
        { kind: 'impute', value: 2.5, indicator: true },
        { kind: 'standardize', mean: 2, scale: 0.5 },
      ],
    },
    { name: 'b', type: 'number', steps: [{ kind: 'minmax', scale: 0.1, offset: -0.2, clip: { min: 0, max: 1 } }] },
    {
      name: 'c',
      type: 'category',
      required: false,
      missing: { strings: ['.'] },
      steps: [
        { kind: 'impute', value: 'x' },
        { kind: 'onehot', categories: ['x', 'y', 'z'], unknown: 'ignore', drop: 0 },
      ],
    },
    { name: 'd', type: 'category', steps: [{ kind: 'ordinal', categories: ['lo', 'hi'], unknown: { value: -1 } }] },
  ],
  features: ['a', 'b', 'c_y', 'c_z', 'd', 'a__missing'],
  width: 6,
};
const rows = [
  { a: 1, b: 5, c: 'y', d: 'lo' },
  { a: null, b: 20, c: '.', d: 'hi' },
  { b: -3, c: 'z', d: 'mid' },
  { a: 4.5, b: 7, c: 'w', d: 'hi' },
];

test('preprocess: sklearn (schema values), ferryml and the hand-written baseline agree', { skip: noPython }, () => {
  writeFileSync(join(dir, 'schema.json'), JSON.stringify(schema));
  writeFileSync(join(dir, 'rows.json'), JSON.stringify(rows));
  const r = py(
    ['bench/preprocess/sklearn_bench.py', join(dir, 'schema.json'), join(dir, 'rows.json')],
    `${JSON.stringify({ op: 'parity', rows: 4 })}\n${JSON.stringify({ op: 'sample', rows: 1000, calls: 2 })}\n`,
  );
  assert.equal(r.status, 0, r.stderr);
  const [ready, parity, sample] = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(ready.width, 6);
  assert.ok(sample.ms > 0);
  const sk = parity.out as number[][];
  const ferry = compileSchema(schema).safeParseBatch(rows);
  const hand = handTransform(schema);
  const handOut = new Float32Array(rows.length * 6);
  rows.forEach((row, i) => hand.write(row, handOut, i * 6));
  const expected = [
    [-2, 0.3, 1, 0, 0, 0],
    [1, 1, 0, 0, 1, 1], // a imputed 2.5 → 1; b clipped; c "." → x (dropped) → zeros
    [1, 0, 0, 1, -1, 1], // d unknown → -1
    [5, 0.5, 0, 0, 1, 0], // c unknown → zeros
  ];
  expected.forEach((row, i) =>
    row.forEach((v, j) => {
      assert.ok(Math.abs(sk[i]![j]! - v) < 1e-6, `sklearn row ${i} feature ${JSON.stringify(schema.features[j])}: ${sk[i]![j]} vs ${v}`);
      assert.ok(
        Math.abs(ferry.values[i * 6 + j]! - v) < 1e-6,
        `ferryml row ${i} feature ${JSON.stringify(schema.features[j])}: ${ferry.values[i * 6 + j]} vs ${v}`,
      );
      assert.ok(Math.abs(handOut[i * 6 + j]! - v) < 1e-6, `hand row ${i} feature ${JSON.stringify(schema.features[j])}: ${handOut[i * 6 + j]} vs ${v}`);
    }),
  );
});

test('server: the transfer log holds the body bytes sent, per window', async () => {
  const srv = await startStatic({ '/': process.cwd() });
  try {
    srv.log.mark('one');
    const body = await (await fetch(`${srv.url}/package.json`)).arrayBuffer();
    assert.equal((await fetch(`${srv.url}/no-such-file`)).status, 404);
    srv.log.mark('two');
    await (await fetch(`${srv.url}/tsconfig.json`)).arrayBuffer();
    // The server logs on 'finish', which can come a moment after the client has the body.
    for (let i = 0; i < 100 && srv.log.entries('two').length === 0; i++) await new Promise((ok) => setTimeout(ok, 10));
    const one = srv.log.entries('one');
    assert.deepEqual(
      one.map((t) => [t.path, t.status, t.bytes]),
      [
        ['/package.json', 200, statSync('package.json').size],
        ['/no-such-file', 404, 'not found'.length],
      ],
    );
    assert.equal(body.byteLength, statSync('package.json').size);
    assert.deepEqual(
      srv.log.entries('two').map((t) => t.path),
      ['/tsconfig.json'],
    );
  } finally {
    await srv.close();
  }
});

test('server: the production cache policy makes code and version files immutable, pages and registries revalidated', async () => {
  const srv = await startStatic({ '/': process.cwd() });
  const cacheControl = async (path: string) => {
    const r = await fetch(`${srv.url}${path}`);
    await r.arrayBuffer();
    return r.headers.get('cache-control');
  };
  try {
    assert.equal(await cacheControl('/models/penguins/1.0.0/manifest.json'), 'no-cache');
    srv.cache.policy = 'production';
    const immutable = 'public, max-age=31536000, immutable';
    assert.equal(await cacheControl('/models/penguins/1.0.0/manifest.json'), immutable);
    assert.equal(await cacheControl('/bench/pages/cold-common.ts'), immutable);
    assert.equal(await cacheControl('/models/index.json'), 'no-cache');
    assert.equal(await cacheControl('/demo/index.html'), 'no-cache');
    // A 304 says the same as the 200 it stands for; an error is never made long-lived.
    const etag = (await fetch(`${srv.url}/models/penguins/1.0.0/manifest.json`)).headers.get('etag')!;
    const revalidated = await fetch(`${srv.url}/models/penguins/1.0.0/manifest.json`, { headers: { 'If-None-Match': etag } });
    assert.equal(revalidated.status, 304);
    assert.equal(revalidated.headers.get('cache-control'), immutable);
    const missing = await fetch(`${srv.url}/models/penguins/9.9.9/manifest.json`);
    await missing.arrayBuffer();
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('cache-control'), 'no-cache');
    srv.cache.policy = 'revalidate';
    assert.equal(await cacheControl('/models/penguins/1.0.0/manifest.json'), 'no-cache');
  } finally {
    await srv.close();
  }
});

// Every item's SDK dependency is found where the package exports it now (the root or a subpath
// entry): a stale lookup silently turned the preprocess and cache items into "pending".
test('the bench finds every SDK part its items need in this tree', () => {
  assert.deepEqual(detectDeps('.'), { runtime: true, compile: true, openBundle: true, telemetry: true });
});

// End to end through the real harness: esbuild pages, the static server, Debian's Chromium,
// the SDK's openBundle on real IndexedDB, interleaved rounds, latest.json and the table (~10 s).
const chromium = ['/usr/bin/chromium', process.env['CHROME_PATH']].find((p) => p && existsSync(p));
test('npm run bench -- --only cache --quick: runs and writes latest.json', { skip: chromium ? false : 'needs Chromium (node scripts/ensure.mjs)' }, () => {
  const out = tempDir('ferryml-bench-run-');
  const r = spawnSync(process.execPath, ['bench/run.mjs', '--only', 'cache', '--quick', '--out', out], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  const files = readdirSync(out).sort();
  assert.equal(files.length, 2, `latest.json and one timestamped copy, got ${files.join(', ')}`);
  const latest = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8'));
  assert.equal(latest.quick, true);
  assert.ok(latest.machine.cores >= 1 && /Chromium \d+/.test(latest.machine.browser) && latest.machine.node === process.version);
  const cache = latest.cache;
  assert.ok(cache, 'a key for the item');
  assert.equal(cache.status, 'measured', cache.reason);
  assert.ok(cache.figures.length >= 1);
  for (const f of cache.figures) {
    assert.ok(f.value > 0 && f.value < 10, `${f.name}: ratio ${f.value}`);
    assert.ok(f.detail.warm.median > 0 && f.detail.cold.median > 0 && f.detail.rounds === 3);
    assert.equal(typeof f.met, 'boolean');
  }
  assert.match(r.stdout, /item\s+figure\s+value/);
  assert.equal(cache.ratio, cache.figures[0].value);
});
