// The committed exporter fixtures (test/fixtures/export, loaded by the Chromium test) are exactly
// what the current exporter makes of the committed, fitted scikit-learn pipelines, and their
// expected outputs are what scikit-learn itself predicts; `ferryml verify` accepts every bundle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { FIXTURES, make } from '../fixtures/export/make.js';
import { TREE_TOLERANCE, compareOutputs, rowObjects, type Expected } from '../export/compare.js';
import type { Golden, Manifest } from '../../src/model/manifest.js';
import { tempDir } from './support/temp-dir.js';

const PYTHON = process.env.FERRYML_PYTHON ?? '/usr/bin/python3';
const probe = spawnSync(PYTHON, ['-c', 'import sklearn, pandas, xgboost'], { encoding: 'utf8' });
const skip =
  probe.status === 0 ? false : `needs ${PYTHON} with scikit-learn, pandas and xgboost (Debian: apt-get install python3-sklearn python3-pandas python3-xgboost)`;
if (skip) console.log(`# skipping the exporter fixture check: ${skip}`);

const read = (...p: string[]) => readFileSync(join(...p));
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- T states what the fixture file holds
const readJson = <T>(...p: string[]) => JSON.parse(readFileSync(join(...p), 'utf8')) as T;

/** Same numbers within 1e-12: scikit-learn's float64 outputs may differ in the last bits across CPUs' BLAS. */
function assertOutputsClose(got: ReadonlyArray<readonly number[] | null>, want: ReadonlyArray<readonly number[] | null>, what: string) {
  assert.equal(got.length, want.length, what);
  got.forEach((row, i) => {
    const w = want[i];
    if (row === null || w === null || w === undefined) return assert.equal(row, w ?? null, `${what} row ${i}`);
    row.forEach((v, k) => assert.ok(Math.abs(v - w[k]!) <= 1e-12 * Math.max(1, Math.abs(v)), `${what} row ${i}[${k}]: ${v} vs ${w[k]}`));
  });
}

test('committed fixtures = exporter(committed pipelines), expected = scikit-learn(committed pipelines)', { skip }, async () => {
  const fresh = tempDir('ferryml-export-check-');
  const cases = await make(fresh, true, PYTHON);
  assert.deepEqual(
    cases,
    readdirSync(join(FIXTURES, 'expected'))
      .map((f) => f.replace(/\.json$/, ''))
      .sort(),
  );
  for (const name of cases) {
    const ours = join(fresh, 'models', name, '1.0.0');
    const committed = join(FIXTURES, 'models', name, '1.0.0');
    const listed = readJson<Manifest>(committed, 'manifest.json').files.map((f) => f.path);
    for (const file of listed.filter((f) => f !== 'golden.json'))
      assert.ok(
        read(ours, file).equals(read(committed, file)),
        `${name}/${file} is stale: run node --import tsx test/fixtures/export/make.ts --check DIR and compare`,
      );
    const [g1, g2] = [readJson<Golden>(ours, 'golden.json'), readJson<Golden>(committed, 'golden.json')];
    assert.deepEqual(g1.rows, g2.rows, `${name} golden rows`);
    assertOutputsClose(g1.outputs, g2.outputs, `${name} golden`);
    const [e1, e2] = [readJson<Expected>(fresh, 'expected', `${name}.json`), readJson<Expected>(FIXTURES, 'expected', `${name}.json`)];
    assert.deepEqual([e1.output, e1.columns, e1.rows], [e2.output, e2.columns, e2.rows], `${name} evaluation rows`);
    assertOutputsClose(e1.outputs, e2.outputs, `${name} scikit-learn outputs`);
    const m = readJson<Manifest>(committed, 'manifest.json');
    assert.deepEqual(m.output, e2.output, `${name} manifest output`);
  }
});

test('ferryml verify accepts every committed exporter bundle and the registry', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/node/cli.ts', 'verify', join(FIXTURES, 'models'), '--quiet'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.equal((r.stdout.match(/^ok /gm) ?? []).length, readdirSync(join(FIXTURES, 'expected')).length, r.stdout);
});

// `ferryml predict` (src/node/commands/predict.ts) scores a bundle in Node: the same rows, the same answers.
const help = spawnSync(process.execPath, ['--import', 'tsx', 'src/node/cli.ts', '--help'], { encoding: 'utf8' });
const noPredict = /^\s+predict\s/m.test(help.stdout) ? false : 'ferryml predict is not registered (src/node/commands/predict.ts has not landed)';

interface PredictOutput {
  predictions: Array<{ label?: string; probabilities?: Record<string, number>; value?: number; values?: Record<string, number> } | null>;
  issues: Array<{ row: number; code: string }>;
}

test('ferryml predict on every committed exporter bundle equals scikit-learn on every row', { skip: noPredict }, async () => {
  // In this process (main() is the CLI's own entry) to share one tfjs start-up; the CSV test below spawns the CLI.
  const { main } = await import('../../src/node/cli.js');
  const work = tempDir('ferryml-export-predict-');
  const failures: string[] = [];
  for (const name of readdirSync(join(FIXTURES, 'expected'))
    .map((f) => f.replace(/\.json$/, ''))
    .sort()) {
    const expected = readJson<Expected>(FIXTURES, 'expected', `${name}.json`);
    const [data, result] = [join(work, `${name}.json`), join(work, `${name}.out.json`)];
    writeFileSync(data, JSON.stringify(rowObjects(expected)));
    const code = await main(['predict', '--bundle', join(FIXTURES, 'models', name, '1.0.0'), '--data', data, '--out', result]);
    assert.equal(code, 0, name);
    const out = readJson<PredictOutput>(result);
    const vectors = out.predictions.map((p) => {
      if (p === null) return null;
      if (expected.output.kind === 'classification') return expected.output.labels.map((l) => p.probabilities?.[l] ?? NaN);
      return p.values ? Object.values(p.values) : [p.value ?? NaN];
    });
    const tree = readJson<Manifest>(FIXTURES, 'models', name, '1.0.0', 'manifest.json').model.format === 'tree-ensemble';
    const problems = compareOutputs(expected, vectors, tree ? TREE_TOLERANCE : 1e-5);
    if (problems.length) failures.push(`${name}: ${problems.slice(0, 3).join('; ')}`);
    for (const issue of out.issues.filter((i) => vectors[i.row] === null)) assert.equal(issue.code, 'UNKNOWN_CATEGORY', `${name} row ${issue.row}`);
  }
  assert.deepEqual(failures, []);
});

/** The evaluation rows as CSV, as a notebook's `df.to_csv` would write them: null → empty field. */
function toCsv(expected: Expected): string {
  const field = (v: unknown) => (v === null ? '' : typeof v === 'string' && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v));
  return [expected.columns.map(field).join(','), ...expected.rows.map((r) => r.map(field).join(','))].join('\n') + '\n';
}

test('ferryml predict reads the same rows from CSV (empty fields missing, text typed by the schema)', { skip: noPredict }, async () => {
  const run = promisify(execFile);
  const work = tempDir('ferryml-export-csv-');
  for (const name of ['penguins-logreg', 'mixed-types']) {
    const expected = readJson<Expected>(FIXTURES, 'expected', `${name}.json`);
    const data = join(work, `${name}.csv`);
    writeFileSync(data, toCsv(expected));
    const bundle = join(FIXTURES, 'models', name, '1.0.0');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/node/cli.ts', 'predict', '--bundle', bundle, '--data', data, '--backend', 'cpu'], {
      maxBuffer: 64 << 20,
    });
    const out = JSON.parse(stdout) as PredictOutput;
    const labels = expected.output.kind === 'classification' ? expected.output.labels : [];
    const vectors = out.predictions.map((p) => (p === null ? null : labels.map((l) => p.probabilities?.[l] ?? NaN)));
    assert.deepEqual(compareOutputs(expected, vectors), [], name);
  }
});
