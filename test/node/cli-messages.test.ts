// What the CLI says where a user of the packed tarball got stuck: a mistyped flag, --version, a
// pack without golden rows, a signed bundle verified without --key, a file changed on disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './support/cli-in-process.js';
import { NO_GOLDEN } from '../../src/node/commands/pack.js';

const spawnCli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/node/cli.ts', ...args], { encoding: 'utf8' });

function workdir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferryml-cli-msg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Packs the tiny fixture model into `<dir>/models` as m@1.0.0, signed with a fresh key unless `sign` is false. */
async function pack(dir: string, { golden = true, sign = true } = {}) {
  const src = 'test/fixtures/bundles/models/tiny/1.0.0';
  const model = join(dir, 'src-model');
  cpSync(join(src, 'model.json'), join(model, 'model.json'));
  cpSync(join(src, 'group1-shard1of1.bin'), join(model, 'group1-shard1of1.bin'));
  if (sign) assert.equal((await cli('keygen', '--out', dir, '--name', 'k', '--force')).code, 0);
  const models = join(dir, 'models');
  const r = await cli(
    'pack',
    model,
    ...['--name', 'm', '--version', '1.0.0', '--schema', join(src, 'schema.json'), '--out', models],
    ...(golden ? ['--golden', join(src, 'golden.json')] : []),
    ...(sign ? ['--sign', join(dir, 'k.pem')] : []),
  );
  return { ...r, models, bundle: join(models, 'm', '1.0.0'), key: join(dir, 'k.pub.jwk.json') };
}

test('an unknown flag: "unknown option --bakend (did you mean --backend?)" and the usage, exit 2', () => {
  const r = spawnCli('predict', '--bakend', 'cpu');
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^ferryml: \[INVALID_OPTIONS\] unknown option --bakend \(did you mean --backend\?\)\n\nUsage: ferryml predict/);
  assert.doesNotMatch(r.stderr, /To specify a positional argument/);
  const far = spawnCli('verify', '--zzzzzz');
  assert.equal(far.status, 2);
  assert.match(far.stderr, /unknown option --zzzzzz\n\nUsage: ferryml verify/);
});

test('ferryml --version and -v print the package version, exit 0', () => {
  const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  for (const flag of ['--version', '-v']) {
    const r = spawnCli(flag);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${version}\n`);
  }
});

test('pack without --golden succeeds (exit 0) and warns that the load-time golden check is off and how to add golden rows', async (t) => {
  const dir = workdir(t);
  const without = await pack(dir, { golden: false, sign: false });
  assert.equal(without.code, 0, without.out);
  assert.ok(without.out.includes(NO_GOLDEN), without.out);
  assert.match(NO_GOLDEN, /no --golden.*golden check/s);
  assert.match(NO_GOLDEN, /--golden golden\.json, \{ "rows": \[raw input rows\], "outputs"/);
  const dir2 = workdir(t);
  const withGolden = await pack(dir2, { sign: false });
  assert.equal(withGolden.code, 0, withGolden.out);
  assert.doesNotMatch(withGolden.out, /warning/);
});

test('verify of a signed models directory without --key: one FAIL line per version saying to pass --key, exit 1; --allow-unverified: ok, exit 0', async (t) => {
  const dir = workdir(t);
  const { models, key } = await pack(dir);
  const r = await cli('verify', models, '--quiet');
  assert.equal(r.code, 1, r.out);
  const lines = r.out.split('\n');
  assert.deepEqual(
    lines.filter((l) => l.includes('m@1.0.0')),
    [lines.find((l) => /^FAIL m@1\.0\.0 \(.*\) · signed by \S+, not checked: pass --key KEY\.pub\.jwk\.json \(or --allow-unverified\)$/.test(l))],
  );
  assert.ok(!lines.some((l) => /^ok {3}m@1\.0\.0/.test(l)), 'no "ok" line for a version that then fails');
  assert.match(r.out, /^FAIL .*index\.json · signed, not checked: pass --key/m);
  assert.match(r.out, /^2 problem\(s\)$/m);
  const allowed = await cli('verify', models, '--quiet', '--allow-unverified');
  assert.equal(allowed.code, 0, allowed.out);
  assert.match(allowed.out, /^ok {3}m@1\.0\.0 .* not checked: allowed by --allow-unverified$/m);
  assert.equal((await cli('verify', models, '--quiet', '--key', key)).code, 0);
});

test('verify: a file changed on disk is worded for a directory, not a download ("was not stored")', async (t) => {
  const dir = workdir(t);
  const { bundle } = await pack(dir, { sign: false });
  const shard = join(bundle, 'group1-shard1of1.bin');
  const original = readFileSync(shard);
  writeFileSync(shard, original.subarray(0, 100));
  let r = await cli('verify', bundle);
  assert.equal(r.code, 1);
  assert.match(r.out, /group1-shard1of1\.bin: 100 bytes on disk, the manifest lists 124: it changed after packing \(restore it/);
  writeFileSync(shard, Buffer.from(original).fill(7, 10, 11));
  r = await cli('verify', bundle);
  assert.match(r.out, /group1-shard1of1\.bin: sha256 [0-9a-f]{64} does not match the manifest's [0-9a-f]{64}: it changed after packing/);
  assert.doesNotMatch(r.out, /not stored|truncated download/);
});

test('publish without --sign after pack --sign: REGISTRY_SIGNATURE_INVALID says to pass --sign <key> with the key that signed; with it the README order runs', async (t) => {
  const dir = workdir(t);
  const { models } = await pack(dir);
  const r = await cli('publish', 'm', '1.0.0', '--channel', 'canary', '--rollout', '0.1', '--models', models);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /index\.json is signed \(key [0-9a-f]+\), so every write to it must be signed too: pass --sign <key> with the private key of [0-9a-f]+/);
  const signed = await cli('publish', 'm', '1.0.0', '--channel', 'canary', '--rollout', '0.1', '--models', models, '--sign', join(dir, 'k.pem'));
  assert.equal(signed.code, 0, signed.out);
});
