// The shipped artefacts, as a user gets them: `npm run build` output, the `ferryml` bin, the size budget.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

before(() => {
  const r = spawnSync('npx', ['rollup', '-c', 'rollup.config.mjs'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `rollup failed:\n${r.stderr}`);
});

test('npm run build writes the ESM SDK, its worker and one bundled .d.ts', () => {
  for (const f of ['dist/ferryml.js', 'dist/ferryml-worker.js', 'dist/ferryml.d.ts']) assert.ok(existsSync(f), `${f} missing`);
  const js = readFileSync('dist/ferryml.js', 'utf8');
  // tfjs stays external (a peer dependency) and backends load lazily.
  assert.doesNotMatch(js, /from\s*['"]@tensorflow\/tfjs-backend-webgpu['"]/);
  const dts = readFileSync('dist/ferryml.d.ts', 'utf8');
  assert.match(dts, /export \{[^}]*\bloadModel\b/);
});

test('the built `ferryml` bin starts (one shebang, ESM, commands resolve)', () => {
  const bin = readFileSync('dist/node/cli.js', 'utf8');
  assert.equal(bin.split('\n').filter((l) => l.startsWith('#!')).length, 1);
  const r = spawnSync(process.execPath, ['dist/node/cli.js', '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  for (const c of ['fit', 'transform', 'pack', 'verify', 'predict', 'collector']) assert.match(r.stdout, new RegExp(`\\b${c}\\b`));
  const v = spawnSync(process.execPath, ['dist/node/cli.js', 'verify', 'models'], { encoding: 'utf8' });
  assert.equal(v.status, 0, v.stderr + v.stdout);
});

test('npm run size reports the core and enforces the budget', () => {
  const r = spawnSync(process.execPath, ['scripts/size.mjs', '--json'], { encoding: 'utf8' });
  // One JSON line per measured entry (the core, then ferryml/lite), merged.
  const jsonLines = r.stdout.split('\n').filter((l) => l.startsWith('{'));
  const last = Object.assign({}, ...jsonLines.map((l) => JSON.parse(l) as object)) as {
    coreGzipBytes: number;
    budgetBytes: number;
    liteGzipBytes: number;
    liteBudgetBytes: number;
    litePackages: string[];
  };
  assert.ok(last.coreGzipBytes > 1000, 'measured something real');
  assert.ok(last.liteGzipBytes > last.coreGzipBytes, 'lite measured with everything it can load');
  const over = last.coreGzipBytes > last.budgetBytes || last.liteGzipBytes > last.liteBudgetBytes;
  assert.equal(r.status, over ? 1 : 0);
  assert.ok(last.coreGzipBytes <= last.budgetBytes, `core ${last.coreGzipBytes} B over budget ${last.budgetBytes} B`);
  assert.ok(last.liteGzipBytes <= last.liteBudgetBytes, `lite ${last.liteGzipBytes} B over budget ${last.liteBudgetBytes} B`);
  assert.deepEqual(last.litePackages, ['idb-keyval'], 'lite reaches no tfjs package');
});
