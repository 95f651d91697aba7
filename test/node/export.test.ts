// The scikit-learn exporter (python/ferryml_export), end to end on this machine's Debian
// python3-sklearn: Python unit tests (every refused construct and its message), then every
// pipeline of python/tests/cases.py exported, and its schema.json + layers-model run through
// ferryml's compileSchema and tfjs, equal to scikit-learn on every row.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { compileSchema } from '../../src/schema/compile.js';
import type { Schema } from '../../src/schema/types.js';
import type { Golden } from '../../src/model/manifest.js';
import { TREE_TOLERANCE, compareOutputs, rowObjects, type Expected } from '../export/compare.js';
import { readTreeEnsemble } from '../../src/runtime/trees/format.js';
import { createTreeKernel } from '../../src/runtime/trees/kernel.js';
import { tempDir } from './support/temp-dir.js';

const PYTHON = process.env.FERRYML_PYTHON ?? '/usr/bin/python3';
// no __pycache__ litter in python/
// FERRYML_CLI: the exporter's --pack runs this repository's ferryml CLI
const tsx = pathToFileURL(join(process.cwd(), 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const ferryml = `${process.execPath} --import ${tsx} ${join(process.cwd(), 'src', 'node', 'cli.ts')}`;
const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', FERRYML_CLI: ferryml };
const probe = spawnSync(PYTHON, ['-c', 'import sklearn, pandas; print(sklearn.__version__)'], { encoding: 'utf8' });
const skip =
  probe.status === 0
    ? false
    : `needs ${PYTHON} with scikit-learn and pandas (Debian: apt-get install python3-sklearn python3-pandas): ${probe.stderr.trim().split('\n').pop()}`;
if (skip) console.log(`# skipping the exporter tests: ${skip}`);

const out = tempDir('ferryml-export-');
let cases: string[] = [];

before(() => {
  if (skip) return;
  const r = spawnSync(PYTHON, ['python/tests/cases.py', out], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  cases = readdirSync(out).sort();
});

test('python unit tests: refusals, step mapping, layer rewrites, CLI (with --pack through ferryml pack)', { skip }, () => {
  const r = spawnSync(PYTHON, ['-m', 'unittest', 'discover', '-s', 'python/tests', '-p', 'test_*.py'], { encoding: 'utf8', env });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, /OK/);
  assert.doesNotMatch(r.stderr, /skipped/, 'every Python test runs here (FERRYML_CLI is set)');
});

/** A tfjs IOHandler over an exported model directory (the SDK's loader is not needed to prove the file format). */
function fromDirectory(dir: string): tf.io.IOHandler {
  return {
    async load() {
      const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
      const [group] = json.weightsManifest;
      const buffers = group.paths.map((p: string) => readFileSync(join(dir, p)));
      const bytes = Buffer.concat(buffers);
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        weightSpecs: group.weights,
        weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      };
    },
  };
}

const isTree = (dir: string) => JSON.parse(readFileSync(join(dir, 'model', 'model.json'), 'utf8')).format === 'tree-ensemble';

async function run(dir: string, rows: Array<Record<string, unknown>>) {
  const schema = JSON.parse(readFileSync(join(dir, 'schema.json'), 'utf8')) as Schema;
  const compiled = compileSchema(schema);
  const { values, rejected, issues } = compiled.safeParseBatch(rows);
  if (isTree(dir)) {
    // A tree-ensemble model runs in the plain-TS tree kernel (no tfjs).
    const kernel = createTreeKernel(readTreeEnsemble(await fromDirectory(join(dir, 'model')).load!()));
    const flat = kernel.run(values, rows.length);
    const w = kernel.outputWidth;
    return { outputs: rows.map((_, i) => (rejected[i] ? null : Array.from(flat.subarray(i * w, (i + 1) * w)))), issues };
  }
  const model = await tfl.loadLayersModel(fromDirectory(join(dir, 'model')));
  const input = tf.tensor2d(values, [rows.length, compiled.width]);
  const output = model.predict(input, { batchSize: rows.length }) as tf.Tensor;
  const data = (await output.array()) as number[][];
  tf.dispose([input, output]);
  model.dispose();
  return { outputs: data.map((o, i) => (rejected[i] ? null : o)), issues };
}

test('every exported pipeline equals scikit-learn on every row (compileSchema + tfjs layers-model)', { skip }, async (t) => {
  assert.ok(cases.length >= 10, `expected the cases from python/tests/cases.py, got ${cases.join(', ')}`);
  for (const name of cases) {
    await t.test(name, async () => {
      const dir = join(out, name);
      const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
      const { outputs, issues } = await run(dir, rowObjects(expected));
      assert.deepEqual(compareOutputs(expected, outputs, isTree(dir) ? TREE_TOLERANCE : 1e-5), []);
      // rows scikit-learn refused are rejected for an unknown category, and only those
      const refused = expected.outputs.flatMap((o, i) => (o === null ? [i] : []));
      const rejectedRows = [...new Set(issues.filter((i) => i.severity === 'error').map((i) => i.row))];
      assert.deepEqual(rejectedRows, refused);
      for (const issue of issues.filter((i) => i.severity === 'error')) assert.equal(issue.code, 'UNKNOWN_CATEGORY');
    });
  }
});

test("golden.json holds the pipeline's own outputs, and ferryml reproduces them", { skip }, async () => {
  for (const name of cases) {
    const dir = join(out, name);
    const golden = JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as Golden;
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
    assert.ok(golden.rows.length >= 8, `${name}: ${golden.rows.length} golden rows`);
    const { outputs } = await run(dir, golden.rows);
    const problems = compareOutputs({ ...expected, outputs: golden.outputs }, outputs);
    assert.deepEqual(problems, [], name);
  }
});

test('the layers-model is the JSON tfjs-layers itself writes: same topology keys, float32 weights, one shard', { skip }, async () => {
  const dir = join(out, 'penguins-mlp', 'model');
  const ours = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const model = await tfl.loadLayersModel(fromDirectory(dir));
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save({
    async save(artifacts) {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  const theirs = saved!.modelTopology as { class_name: string; config: { layers: Array<{ class_name: string; config: Record<string, unknown> }> } };
  assert.equal(theirs.class_name, ours.modelTopology.class_name);
  assert.deepEqual(
    ours.modelTopology.config.layers.map((l: { class_name: string; config: object }) => [l.class_name, Object.keys(l.config).sort()]),
    theirs.config.layers.map((l) => [l.class_name, Object.keys(l.config).sort()]),
  );
  assert.deepEqual(ours.weightsManifest[0].weights, saved!.weightSpecs);
  assert.ok(existsSync(join(dir, ours.weightsManifest[0].paths[0])));
  model.dispose();
});
