#!/usr/bin/env node
/**
 * `npm run train`: retrains the shipped demo models from scratch and packs them into models/
 * with `ferryml pack` (fixed seeds; training data sha256 and row counts, code version and
 * held-out metrics in each manifest). Retraining gives bit-identical weights: the pure-JS cpu
 * backend runs single-threaded in a fixed order, initializers are seeded and the batch order
 * comes from our own seeded shuffle (model.fit's shuffle uses Math.random, so it is off).
 *
 * Usage: npm run train [-- --out DIR] [--only penguins|digits|digits-cnn]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packBundle } from '../src/node/bundle/pack.js';
import { readRegistry, writeRegistry } from '../src/node/bundle/registry-file.js';
import { codeVersion } from '../src/node/bundle/provenance.js';
import { digitsGoldenRows, digitsSchema, digitsSchemaV2, trainDigits } from './digits.js';
import { trainDigitsCnn } from './digits-cnn.js';
import { PENGUIN_VERSIONS, PENGUINS_FILE, penguinGoldenRows, trainPenguins } from './penguins.js';
import { initTfjs, saveLayersModel, tf, tfl, weightsDigest } from './tfjs.js';
import type { CompiledSchema } from '../src/schema/compile.js';

const SEED = 42;
/** A fixed timestamp keeps re-packed manifests identical when nothing else changed. */
const CREATED_AT = '2026-11-26T00:00:00.000Z';

const { values: args } = parseArgs({ options: { out: { type: 'string', default: 'models' }, only: { type: 'string' } } });
const out = args.out;
const work = mkdtempSync(join(tmpdir(), 'ferryml-train-'));

/** Golden outputs from the shipped model itself (after quantization, when quantized). */
function goldenOutputs(model: tfl.LayersModel, compiled: CompiledSchema, rows: unknown[]): number[][] {
  const x = compiled.parseBatch(rows as never[]);
  return tf.tidy(() => (model.predict(tf.tensor2d(x, [rows.length, compiled.width])) as tf.Tensor).arraySync() as number[][]);
}

async function packModel(o: {
  name: string;
  version: string;
  model: tfl.LayersModel;
  schema: unknown;
  golden: { rows: unknown[]; outputs: number[][] };
  labels: string[];
  data: { path: string; source: string; rows: number };
  metrics: Record<string, number>;
  quantize?: 'uint8';
  channels?: string[];
}) {
  const dir = join(work, `${o.name}-${o.version}`);
  await saveLayersModel(o.model, dir, o.quantize ? { quantize: o.quantize } : {});
  writeFileSync(join(dir, 'schema.json'), `${JSON.stringify(o.schema, null, 2)}\n`);
  writeFileSync(join(dir, 'golden.json'), `${JSON.stringify(o.golden)}\n`);
  const packed = await packBundle({
    model: dir,
    name: o.name,
    version: o.version,
    schema: join(dir, 'schema.json'),
    golden: join(dir, 'golden.json'),
    out,
    data: o.data,
    seed: SEED,
    metrics: o.metrics,
    code: codeVersion(),
    output: { kind: 'classification', labels: o.labels },
    createdAt: CREATED_AT,
    channels: o.channels,
    force: true,
  });
  console.log(`packed ${o.name}@${o.version} → ${packed.dir} (id ${packed.id.slice(0, 12)}…) ${JSON.stringify(o.metrics)}`);
}

await initTfjs();
const started = performance.now();

if (!args.only || args.only === 'penguins') {
  for (const version of Object.keys(PENGUIN_VERSIONS) as Array<keyof typeof PENGUIN_VERSIONS>) {
    const r = await trainPenguins({ version, seed: SEED });
    const accuracy = r.evaluate();
    const rows = penguinGoldenRows(r.data.rows, r.split.test);
    await packModel({
      name: 'penguins',
      version,
      model: r.model,
      schema: r.schema,
      golden: { rows, outputs: goldenOutputs(r.model, r.compiled, rows) },
      labels: r.schema.label?.classes?.map(String) ?? [],
      // The file as shipped by vega-datasets, hashed byte for byte.
      data: { path: PENGUINS_FILE, source: r.data.source, rows: r.data.rows.length },
      metrics: { heldOutAccuracy: round(accuracy), trainRows: r.trainRows, testRows: r.split.test.length, epochs: PENGUIN_VERSIONS[version].epochs },
      ...(version === '1.1.0' ? { channels: ['canary'] } : {}),
    });
    console.log(`penguins@${version} weights sha256 ${await weightsDigest(r.model)}`);
  }
  // 1.0.0 stays stable; the canary (10 % of clients, stable per client id) is 2.0.0, the
  // GradientBoosting model of training/penguins_trees.py, once packed, else 1.1.0.
  const registry = await readRegistry(out);
  const entry = registry.models['penguins']!;
  entry.channels = { stable: '1.0.0', canary: entry.versions.includes('2.0.0') ? '2.0.0' : '1.1.0' };
  entry.rollout = { canary: 0.1 };
  await writeRegistry(out, registry);
}

/** The MNIST digits as packed: ten JSON files, concatenated in digit order (what the manifest's sha256 covers). */
async function writeDigitsData(): Promise<string> {
  const dataFile = join(work, 'mnist-digits.bin');
  const { readFileSync } = await import('node:fs');
  const req = (await import('node:module')).createRequire(import.meta.url);
  writeFileSync(dataFile, Buffer.concat(Array.from({ length: 10 }, (_, d) => readFileSync(req.resolve(`mnist/src/digits/${d}.json`)))));
  return dataFile;
}

if (!args.only || args.only === 'digits') {
  const r = await trainDigits({ seed: SEED, epochs: 10 });
  const floatAccuracy = r.evaluate();
  const schema = digitsSchema();
  const { compileSchema } = await import('../src/schema/compile.js');
  const compiled = compileSchema(schema);
  const dataFile = await writeDigitsData();
  // Save (quantizing the in-memory model too), then measure what ships.
  const probe = join(work, 'digits-probe');
  await saveLayersModel(r.model, probe, { quantize: 'uint8' });
  const quantizedAccuracy = r.evaluate();
  const rows = digitsGoldenRows(r.data, r.split.test);
  await packModel({
    name: 'digits',
    version: '1.0.0',
    model: r.model,
    schema,
    golden: { rows, outputs: goldenOutputs(r.model, compiled, rows) },
    labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    data: { path: dataFile, source: `${r.data.source} (concatenated 0..9)`, rows: r.data.labels.length },
    metrics: {
      heldOutAccuracy: round(quantizedAccuracy),
      heldOutAccuracyFloat32: round(floatAccuracy),
      trainRows: r.trainRows,
      testRows: r.split.test.length,
      epochs: 10,
    },
    quantize: 'uint8',
  });
  console.log(`digits@1.0.0 weights sha256 ${await weightsDigest(r.model)} (float32 acc ${round(floatAccuracy)}, uint8 acc ${round(quantizedAccuracy)})`);
}

if (!args.only || args.only === 'digits-cnn') {
  // digits 2.0.0: the CNN of ./digits-cnn.ts, float32 weights; 1.0.0 (the MLP) stays in the registry.
  const EPOCHS = 8;
  const r = await trainDigitsCnn({ seed: SEED, epochs: EPOCHS });
  const accuracy = r.evaluate();
  const schema = digitsSchemaV2();
  const { compileSchema } = await import('../src/schema/compile.js');
  const compiled = compileSchema(schema);
  const dataFile = await writeDigitsData();
  const rows = digitsGoldenRows(r.data, r.split.test);
  await packModel({
    name: 'digits',
    version: '2.0.0',
    model: r.model,
    schema,
    golden: { rows, outputs: goldenOutputs(r.model, compiled, rows) },
    labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    data: { path: dataFile, source: `${r.data.source} (concatenated 0..9)`, rows: r.data.labels.length },
    metrics: { heldOutAccuracy: round(accuracy), trainRows: r.trainRows, testRows: r.split.test.length, epochs: EPOCHS },
  });
  const registry = await readRegistry(out);
  registry.models['digits']!.channels = { stable: '2.0.0' };
  await writeRegistry(out, registry);
  console.log(`digits@2.0.0 weights sha256 ${await weightsDigest(r.model)} (acc ${round(accuracy)})`);
}

rmSync(work, { recursive: true, force: true });
console.log(`trained in ${((performance.now() - started) / 1000).toFixed(1)} s`);

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
