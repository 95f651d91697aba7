import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/node/cli.ts', ...args], { encoding: 'utf8' });

test('ferryml --help lists commands and exits 0', () => {
  const r = cli('--help');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Usage: ferryml <command>/);
});

test('an unknown command exits 2 and says so', () => {
  const r = cli('no-such-command');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command "no-such-command"/);
});

test('every error exits non-zero: a usage error (unknown flag, bad number) exits 2, others 1', () => {
  const flag = cli('predict', '--no-such-flag');
  assert.equal(flag.status, 2, flag.stderr);
  assert.match(flag.stderr, /\[INVALID_OPTIONS\] unknown option --no-such-flag\n\nUsage: ferryml predict/);
  const port = cli('collector', '--port', 'eighty');
  assert.equal(port.status, 2, port.stderr);
  assert.match(port.stderr, /\[INVALID_OPTIONS\] --port: "eighty" is not a valid value/);
  const missing = cli('predict', '--bundle', 'models/no-such-model/9.9.9', '--data', 'x.json');
  assert.equal(missing.status, 1, missing.stderr);
  assert.match(missing.stderr, /\[MANIFEST_INVALID\]/);
});

test('the CLI runs through a symlink (how npm installs bins in node_modules/.bin) and prints no tfjs banner', async () => {
  const { mkdtempSync, symlinkSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const join = (...parts: string[]) => path.join(...parts);
  const resolve = (p: string) => path.resolve(p);
  const dir = mkdtempSync(join(tmpdir(), 'ferryml-bin-'));
  try {
    const link = join(dir, 'ferryml');
    symlinkSync(resolve('src/node/cli.ts'), link);
    const help = spawnSync(process.execPath, ['--import', 'tsx', link, '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /Usage: ferryml <command>/);
    const rows = join(dir, 'rows.json');
    const { readFileSync, writeFileSync } = await import('node:fs');
    const golden = JSON.parse(readFileSync('models/penguins/1.0.0/golden.json', 'utf8')) as { rows: unknown[] };
    writeFileSync(rows, JSON.stringify(golden.rows.slice(0, 2)));
    const predict = spawnSync(process.execPath, ['--import', 'tsx', link, 'predict', '--bundle', 'models/penguins/1.0.0', '--data', rows], {
      encoding: 'utf8',
    });
    assert.equal(predict.status, 0, predict.stderr);
    assert.equal((JSON.parse(predict.stdout) as { predictions: unknown[] }).predictions.length, 2);
    assert.doesNotMatch(predict.stdout + predict.stderr, /looks like you are running TensorFlow\.js in Node\.js/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
