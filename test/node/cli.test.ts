import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/node/cli.ts', ...args], { encoding: 'utf8' });

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
