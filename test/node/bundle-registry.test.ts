// ferryml publish / promote / revoke on a copy of the fixture registry (signed by the fixture key,
// so every write passes --sign KEY; ./cli-registry-signing.test.ts covers writes without it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './support/cli-in-process.js';
import type { Registry } from '../../src/entries/bundle.js';
import { editRegistry } from '../../src/node/bundle/edit-command.js';
import { publish, revoke } from '../../src/node/bundle/registry-edit.js';
import { finishRegistry } from '../../src/node/bundle/registry-sign.js';

const KEY = 'test/fixtures/bundles/keys/test.pem';
const SIGN = ['--sign', KEY] as const;

function fixtureCopy(t: { after: (fn: () => void) => void }): { models: string; read: () => Registry['models'] } {
  const dir = mkdtempSync(join(tmpdir(), 'ferryml-registry-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const models = join(dir, 'models');
  cpSync('test/fixtures/bundles/models', models, { recursive: true });
  return { models, read: () => (JSON.parse(readFileSync(join(models, 'index.json'), 'utf8')) as Registry).models };
}

test('publish points a channel at a verified version with a rollout fraction; bad input is refused', async (t) => {
  const { models, read } = fixtureCopy(t);
  let r = await cli('publish', 'tiny', '1.0.0', '--channel', 'beta', '--rollout', '0.05', '--models', models, ...SIGN);
  assert.equal(r.code, 0, r.out);
  assert.equal(read().tiny!.channels.beta, '1.0.0');
  assert.equal(read().tiny!.rollout!.beta, 0.05);
  assert.match((await cli('publish', 'tiny', '1.0.0', '--rollout', '1.5', '--models', models, ...SIGN)).out, /fraction in \[0, 1\]/);
  assert.match((await cli('publish', 'tiny', '1.0.0', '--channel', 'stable', '--rollout', '0.5', '--models', models, ...SIGN)).out, /non-stable channel/);
  assert.match((await cli('publish', 'tiny', '0.9.0', '--models', models, ...SIGN)).out, /revoked/);
  assert.match((await cli('publish', 'tiny', '3.0.0', '--models', models, ...SIGN)).out, /does not exist; run `ferryml pack` first/);
  // A channel never points at a bundle that does not verify.
  const shard = join(models, 'tiny', '1.0.0', 'group1-shard1of1.bin');
  writeFileSync(shard, Buffer.alloc(124));
  r = await cli('publish', 'tiny', '1.0.0', '--channel', 'gamma', '--models', models, ...SIGN);
  assert.equal(r.code, 1);
  assert.match(r.out, /does not verify[\s\S]*sha256/);
  assert.equal(read().tiny!.channels.gamma, undefined);
});

test('promote moves stable onto the canary and retires the canary rollout', async (t) => {
  const { models, read } = fixtureCopy(t);
  const r = await cli('promote', 'tiny', '--models', models, ...SIGN);
  assert.equal(r.code, 0, r.out);
  const tiny = read().tiny!;
  assert.deepEqual(tiny.channels, { stable: '2.0.0', canary: '2.0.0' });
  assert.equal(tiny.rollout, undefined);
  assert.match(r.out, /channel "stable": 1\.1\.0 → 2\.0\.0/);
  assert.match((await cli('promote', 'tiny', '--from', 'nightly', '--models', models, ...SIGN)).out, /no channel "nightly"/);
});

test('revoke marks a version and rolls the channels on it back to the newest earlier good version', async (t) => {
  const { models, read } = fixtureCopy(t);
  let r = await cli('revoke', 'tiny', '1.1.0', '--models', models, ...SIGN);
  assert.equal(r.code, 0, r.out);
  assert.deepEqual(read().tiny!.revoked, ['0.9.0', '1.1.0']);
  assert.equal(read().tiny!.channels.stable, '1.0.0');
  r = await cli('revoke', 'tiny', '1.0.0', '--models', models, ...SIGN);
  assert.equal(r.code, 1, 'no earlier non-revoked version to roll back to');
  assert.match(r.out, /no earlier version is left to roll back to/);
  assert.deepEqual(read().tiny!.revoked, ['0.9.0', '1.1.0'], 'a refused revoke writes nothing');
  r = await cli('verify', models, '--quiet', '--allow-unverified');
  assert.equal(r.code, 0, r.out);
});

test('registry edits made at the same time all land: each holds index.json.lock, none overwrites another', async (t) => {
  const { models, read } = fixtureCopy(t);
  const before = (JSON.parse(readFileSync(join(models, 'index.json'), 'utf8')) as Registry).registryVersion ?? 0;
  const channels = ['a', 'b', 'c', 'd'];
  const start = Math.floor(Date.now() / 1000);
  await Promise.all(channels.map((ch) => editRegistry(models, 'tiny', (entry) => publish(entry, 'tiny', '1.0.0', ch), { key: KEY })));
  for (const ch of channels) assert.equal(read().tiny!.channels[ch], '1.0.0', `channel ${ch}`);
  const after = JSON.parse(readFileSync(join(models, 'index.json'), 'utf8')) as Registry;
  // One registryVersion per write: each at least one above the last, and at least the time in seconds.
  assert.ok(after.registryVersion! >= Math.max(before, start - 1) + channels.length, `registryVersion ${after.registryVersion}`);
  assert.deepEqual(
    readdirSync(models).filter((f) => f.startsWith('index.json.')),
    [],
    'no lock or temporary file left behind',
  );
  assert.match((await cli('revoke', 'tiny', '1.0.0', '--models', join(models, 'nope'), ...SIGN)).out, /no such models directory/);
});

test('publish, revoke and promote without their positionals exit 2 and say what is missing', async () => {
  for (const [argv, missing] of [
    [['publish', 'tiny'], /ferryml publish: <name> and <version> are required/],
    [['revoke'], /ferryml revoke: <name> and <version> are required/],
    [['promote', '--to', 'stable'], /ferryml promote: <name> is required/],
  ] as const) {
    const r = await cli(...argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.out, missing);
  }
});

test('registryVersion is one above the file it replaces and at least the time in seconds: a restored older index.json still writes above what clients saw', async (t) => {
  const { models } = fixtureCopy(t);
  const index = join(models, 'index.json');
  const restored = readFileSync(index, 'utf8'); // registryVersion 1: a backup, or an older git checkout
  const version = () => (JSON.parse(readFileSync(index, 'utf8')) as Registry).registryVersion!;
  // Two signed writes two minutes and one minute ago; clients fetched the second and remember it as the highest.
  let earlier = JSON.parse(restored) as Registry;
  for (const ago of [120_000, 60_000]) ({ registry: earlier } = await finishRegistry(earlier.models, earlier, { key: KEY, now: Date.now() - ago }));
  writeFileSync(index, JSON.stringify(earlier));
  const seen = earlier.registryVersion!;
  writeFileSync(index, restored); // the backup put back
  const r = await cli('publish', 'tiny', '1.0.0', '--channel', 'gamma', '--models', models, ...SIGN);
  assert.equal(r.code, 0, r.out);
  assert.ok(version() > seen, `registryVersion ${version()} after a restore, clients saw ${seen}: they would refuse it as a rollback`);
  // The rule itself, at a fixed time: max(previous + 1, floor(now / 1000)).
  const now = 1_800_000_000_500;
  for (const [previous, expected] of [
    [1, 1_800_000_000],
    [1_900_000_000, 1_900_000_001],
  ] as const) {
    const { registry } = await finishRegistry({}, { models: {}, registryVersion: previous }, { now });
    assert.equal(registry.registryVersion, expected, `after ${previous}`);
  }
});

test('revoke rolls a channel on a release back only to a release, and only onto a bundle that verifies', async (t) => {
  const { models, read } = fixtureCopy(t);
  const index = join(models, 'index.json');
  // A prerelease between the good 1.0.0 and the stable 1.1.0 (its bundle is never needed: it is never chosen).
  const registry = JSON.parse(readFileSync(index, 'utf8')) as Registry;
  registry.models.tiny!.versions.push('1.1.0-rc.1');
  writeFileSync(index, JSON.stringify(registry));
  let r = await cli('revoke', 'tiny', '1.1.0', '--models', models, ...SIGN);
  assert.equal(r.code, 0, r.out);
  assert.equal(read().tiny!.channels.stable, '1.0.0', 'stable skips the prerelease');
  // A channel on a prerelease may roll back to an earlier prerelease.
  const entry = { versions: ['1.0.0', '1.1.0-rc.1', '1.1.0-rc.2'], channels: { beta: '1.1.0-rc.2', stable: '1.0.0' } };
  revoke(entry, 'm', '1.1.0-rc.2');
  assert.equal(entry.channels.beta, '1.1.0-rc.1');

  // The fallback is verified like any version a channel is pointed at: a broken one refuses the revoke.
  const again = fixtureCopy(t);
  writeFileSync(join(again.models, 'tiny', '1.0.0', 'group1-shard1of1.bin'), Buffer.alloc(124));
  const before = readFileSync(join(again.models, 'index.json'), 'utf8');
  r = await cli('revoke', 'tiny', '1.1.0', '--models', again.models, ...SIGN);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /1\.0\.0 does not verify[\s\S]*sha256/);
  assert.equal(readFileSync(join(again.models, 'index.json'), 'utf8'), before, 'a refused revoke writes nothing');
});
