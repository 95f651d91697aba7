// `ferryml predict` and loadModel in Node: the same SDK on wasm/cpu, from a directory or a URL,
// without IndexedDB. Browser parity for the same CLI is checked in test/runtime/node-parity.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadModel } from '../../src/load-model.js';
import { tempDir } from './support/temp-dir.js';

const FIXTURES = 'test/runtime/fixtures/models';
const MLP = `${FIXTURES}/mlp/1.0.0`;

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/node/cli.ts', ...args], { encoding: 'utf8' });
const golden = async (name: string) =>
  JSON.parse(await readFile(`${FIXTURES}/${name}/1.0.0/golden.json`, 'utf8')) as { rows: Array<Record<string, unknown>>; outputs: number[][] };
const close = (a: number[], b: number[], tol = 1e-5) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]!) <= tol);

async function tmp(name: string, text: string): Promise<string> {
  const dir = tempDir('ferryml-predict-');
  await writeFile(join(dir, name), text);
  return join(dir, name);
}

test('ferryml predict: JSON rows → label/probabilities per row, null + issues for an invalid row', async () => {
  const { rows, outputs } = await golden('mlp');
  const data = await tmp('rows.json', JSON.stringify([rows[0], { a: 'twelve', c: 'x', d: true }, rows[1]]));
  const r = cli('predict', '--bundle', MLP, '--data', data);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    predictions: Array<{ label: string; probabilities: Record<string, number> } | null>;
    issues: Array<Record<string, unknown>>;
  };
  assert.equal(out.predictions.length, 3);
  assert.equal(out.predictions[1], null);
  for (const [i, g] of [
    [0, 0],
    [2, 1],
  ] as const) {
    const p = out.predictions[i]!;
    assert.deepEqual(Object.keys(p.probabilities), ['red', 'green', 'blue']);
    assert.ok(close(Object.values(p.probabilities), outputs[g]!), `row ${i}: ${JSON.stringify(p.probabilities)} vs ${JSON.stringify(outputs[g])}`);
    assert.equal(p.label, ['red', 'green', 'blue'][outputs[g]!.indexOf(Math.max(...outputs[g]!))]);
  }
  assert.deepEqual(
    out.issues.map((i) => [i.row, i.column, i.code, i.severity]),
    [[1, 'a', 'PARSE_ERROR', 'error']],
  );
  // The default: a plain-JS kernel takes this small MLP (its golden rows pass), no tfjs.
  assert.match(r.stderr, /mlp@1\.0\.0, 2 of 3 rows on cpu \(direct kernel, plain JavaScript \(golden rows within 0\.0001\); tfjs not loaded\)/);
  assert.equal(cli('predict', '--bundle', MLP, '--data', data, '--strict').status, 1);
});

test('ferryml predict: CSV rows typed by the schema; wasm and cpu agree to 1e-5; regression prints value(s)', async () => {
  const csv = await tmp('rows.csv', 'a,b,c,d\n1,0.2,x,true\n3.5,,y,false\n-0.75,4,z,TRUE\n');
  const { outputs } = await golden('reg');
  const wasm = cli('predict', '--bundle', `${FIXTURES}/reg/1.0.0`, '--data', csv, '--backend', 'wasm');
  const cpu = cli('predict', '--bundle', `${FIXTURES}/reg/1.0.0`, '--data', csv, '--backend', 'cpu');
  assert.equal(wasm.status, 0, wasm.stderr);
  assert.equal(cpu.status, 0, cpu.stderr);
  assert.match(cpu.stderr, /on cpu/);
  const [w, c] = [JSON.parse(wasm.stdout), JSON.parse(cpu.stdout)] as Array<{ predictions: Array<{ value: number; values: Record<string, number> }> }>;
  w!.predictions.forEach((p, i) => {
    assert.deepEqual(Object.keys(p.values), ['price', 'weight']);
    assert.equal(p.value, p.values.price);
    assert.ok(close(Object.values(p.values), Object.values(c!.predictions[i]!.values)), `row ${i} wasm vs cpu`);
    // The CSV repeats golden rows 0–2 (empty b = missing, TRUE = true).
    assert.ok(close(Object.values(p.values), outputs[i]!), `row ${i} vs golden`);
  });
});

test('ferryml predict: caller mistakes exit 2 (usage) and broken bundles 1, with a clear message', async () => {
  const data = await tmp('rows.json', '[]');
  const webgpu = cli('predict', '--bundle', MLP, '--data', data, '--backend', 'webgpu');
  assert.equal(webgpu.status, 2, 'a wrong option value is a usage error');
  assert.match(webgpu.stderr, /\[INVALID_OPTIONS\] --backend must be wasm or cpu/);
  const missing = cli('predict', '--bundle', 'no/such/dir', '--data', data);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no\/such\/dir\/manifest\.json: cannot read bundle file/);

  // A flipped byte in the weights: the bundle is rejected, never scored.
  const dir = tempDir('ferryml-bundle-');
  await cp(MLP, dir, { recursive: true });
  const weights = await readFile(join(dir, 'weights.bin'));
  weights[10] = weights[10]! ^ 0xff;
  await writeFile(join(dir, 'weights.bin'), weights);
  const tampered = cli('predict', '--bundle', dir, '--data', data);
  assert.equal(tampered.status, 1);
  assert.match(tampered.stderr, /INTEGRITY_MISMATCH/);
  assert.match(tampered.stderr, /weights\.bin/);
});

test('loadModel in Node: from a directory (files reader), wasm timed against cpu, with the reasons the others were skipped', async () => {
  const { rows, outputs } = await golden('mlp');
  // engine: 'tfjs': tfjs's own policy; by default a plain-JS kernel takes this MLP (next test).
  const model = await loadModel({ files: (p) => readFile(join(MLP, p)), engine: 'tfjs' });
  try {
    assert.equal(model.info.source, 'local');
    // No WebGPU in Node; wasm and cpu both come up and the measured faster one runs.
    assert.equal(model.info.decision, 'measured');
    const other = model.info.backend === 'cpu' ? 'wasm' : 'cpu';
    assert.deepEqual(
      model.info.rejected.map((r) => [r.backend, r.code]),
      [
        ['webgpu', 'NO_WEBGPU'],
        [other, 'SLOWER'],
      ],
    );
    // The bundle's own schema.json and manifest, read-only, in Node too.
    assert.deepEqual(model.schema, JSON.parse(await readFile(join(MLP, 'schema.json'), 'utf8')));
    assert.deepEqual(model.manifest, JSON.parse(await readFile(join(MLP, 'manifest.json'), 'utf8')));
    assert.ok(Object.isFrozen(model.schema.columns[0]) && Object.isFrozen(model.manifest.output));
    const p = await model.predict(rows[2]!);
    assert.ok(close(Array.from(p.raw), outputs[2]!));
  } finally {
    await model.dispose();
  }
});

test('loadModel in Node: the plain-JS engine by default, golden-checked, without tfjs', async () => {
  const { rows, outputs } = await golden('mlp');
  const model = await loadModel({ files: (p) => readFile(join(MLP, p)) });
  try {
    assert.equal(model.info.engine, 'js');
    assert.equal(model.info.decision, 'kernel');
    assert.ok(model.info.goldenError !== undefined && model.info.goldenError < 1e-4);
    for (const [i, row] of rows.entries()) assert.ok(close(Array.from((await model.predict(row)).raw), outputs[i]!), `row ${i}`);
  } finally {
    await model.dispose();
  }
});

test('loadModel in Node: from a URL (registry) without IndexedDB, on cpu', async () => {
  // A plain static server over the fixtures directory (paths are fixed names, no traversal to guard).
  const server = createServer((req, res) => {
    readFile(join(FIXTURES, new URL(req.url ?? '/', 'http://x').pathname)).then(
      (body) => res.writeHead(200).end(body),
      () => res.writeHead(404).end('not found'),
    );
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  try {
    const { port } = server.address() as AddressInfo;
    const { rows, outputs } = await golden('mlp');
    const model = await loadModel({ registry: `http://127.0.0.1:${port}/index.json`, name: 'mlp', backend: 'cpu' });
    try {
      assert.equal(model.info.source, 'network');
      assert.equal(model.info.version, '1.0.0');
      assert.equal(model.info.backend, 'cpu');
      const { predictions } = await model.predictBatch(rows);
      predictions.forEach((p, i) => assert.ok(close(Array.from(p!.raw), outputs[i]!), `row ${i}`));
    } finally {
      await model.dispose();
    }
  } finally {
    server.close();
  }
});

test('ferryml predict --key refuses a tampered or unsigned bundle; --registry refuses a revoked version', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ferryml-predict-sig-'));
  try {
    const key = 'test/fixtures/bundles/keys/test.pub.jwk.json';
    await cp('test/fixtures/bundles/models', join(dir, 'models'), { recursive: true });
    const bundle = join(dir, 'models/tiny/1.1.0');
    const data = await tmp('rows.json', JSON.stringify([{ a: 1.5, b: -0.5, c: 10 }]));
    const ok = cli('predict', '--bundle', bundle, '--data', data, '--key', key, '--registry', join(dir, 'models'), '--backend', 'cpu');
    assert.equal(ok.status, 0, ok.stderr);
    // The attack of the issue: relabel a class in the manifest; without a key it "works".
    const manifestPath = join(bundle, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { output: { labels: string[] } };
    manifest.output.labels = manifest.output.labels.map(() => 'TAMPERED');
    await writeFile(manifestPath, JSON.stringify(manifest, null, 2));
    const fooled = cli('predict', '--bundle', bundle, '--data', data, '--backend', 'cpu');
    assert.equal(fooled.status, 0, fooled.stderr);
    assert.match(fooled.stdout, /TAMPERED/);
    const refused = cli('predict', '--bundle', bundle, '--data', data, '--key', key, '--backend', 'cpu');
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /SIGNATURE_INVALID/);
    assert.equal(refused.stdout, '');
    delete (manifest as { signature?: unknown }).signature;
    await writeFile(manifestPath, JSON.stringify(manifest, null, 2));
    const unsigned = cli('predict', '--bundle', bundle, '--data', data, '--key', key, '--backend', 'cpu');
    assert.notEqual(unsigned.status, 0);
    assert.match(unsigned.stderr, /not signed/);
    // 0.9.0 is revoked in the registry: a signed, intact bundle, refused.
    const revoked = cli(
      'predict',
      '--bundle',
      join(dir, 'models/tiny/0.9.0'),
      '--data',
      data,
      '--key',
      key,
      '--registry',
      join(dir, 'models'),
      '--backend',
      'cpu',
    );
    assert.notEqual(revoked.status, 0);
    assert.match(revoked.stderr, /VERSION_REVOKED/);
    assert.equal(revoked.stdout, '');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('ferryml predict: bad input data exits 1 (not 2, the usage code) with DATA_INVALID naming the file, line and column', async () => {
  const reg = `${FIXTURES}/reg/1.0.0`;
  // The record on lines 3–4 has a quoted field across two lines; the short row is on line 5.
  const short = await tmp('short.csv', 'a,b,c,d\n1,0.2,x,true\n3.5,,"y\nz",false\n-0.75,4,z\n');
  let r = cli('predict', '--bundle', reg, '--data', short, '--backend', 'cpu');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /\[DATA_INVALID\] .*short\.csv:5: data row 3 has 3 fields, the header has 4: column "d" has no field; give every row one field/);
  assert.equal(r.stdout, '');
  const unclosed = await tmp('unclosed.csv', 'a,b,c,d\n1,0.2,x,true\n3.5,,"y,false\n');
  r = cli('predict', '--bundle', reg, '--data', unclosed, '--backend', 'cpu');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /\[DATA_INVALID\] .*unclosed\.csv:3: column "c": a quoted field is never closed/);
  const lines = await tmp('rows.jsonl', '{"a": 1}\n[1, 2]\n');
  r = cli('predict', '--bundle', reg, '--data', lines, '--backend', 'cpu');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /\[DATA_INVALID\] .*rows\.jsonl:2: expected a row object, got an array/);
  r = cli('predict', '--bundle', reg, '--data', join(tempDir('ferryml-predict-'), 'missing.csv'), '--backend', 'cpu');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /\[DATA_INVALID\] cannot read data file .*missing\.csv: ENOENT.*; check the --data path/);
  // A usage mistake still exits 2.
  assert.equal(cli('predict', '--bundle', reg, '--backend', 'cpu').status, 2);
});
