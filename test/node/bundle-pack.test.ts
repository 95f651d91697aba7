// ferryml keygen / pack / verify on disk: hashes match sha256sum, the signature verifies with
// WebCrypto, and tampering of any kind is caught.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './support/cli-in-process.js';
import type { Manifest } from '../../src/index.js';
import type { Registry } from '../../src/entries/bundle.js';
import { canonicalJson } from '../../src/model/canonical-json.js';
import { verifyManifestSignature } from '../../src/model/signature.js';

const FIXTURES = 'test/fixtures/bundles/models';

function workdir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferryml-pack-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A model directory, schema, golden and training data taken from the fixture's 1.0.0 bundle. */
function sources(dir: string): { model: string; schema: string; golden: string; data: string } {
  const src = join(FIXTURES, 'tiny', '1.0.0');
  const model = join(dir, 'src-model');
  cpSync(join(src, 'model.json'), join(model, 'model.json'));
  cpSync(join(src, 'group1-shard1of1.bin'), join(model, 'group1-shard1of1.bin'));
  writeFileSync(join(model, 'notes.txt'), 'not part of the model');
  cpSync(join(src, 'schema.json'), join(dir, 'schema.json'));
  cpSync(join(src, 'golden.json'), join(dir, 'golden.json'));
  writeFileSync(join(dir, 'train.csv'), 'a,b,c,kind\n1,2,3,left\n4,5,6,right\n7,8,9,middle\n');
  return { model, schema: join(dir, 'schema.json'), golden: join(dir, 'golden.json'), data: join(dir, 'train.csv') };
}

async function packSigned(dir: string, version = '1.0.0', ...extra: string[]) {
  const s = sources(dir);
  const keygen = await cli('keygen', '--out', dir, '--name', 'k', '--force');
  assert.equal(keygen.code, 0, keygen.out);
  const models = join(dir, 'models');
  const r = await cli(
    'pack',
    s.model,
    '--name',
    'm',
    '--version',
    version,
    '--schema',
    s.schema,
    '--golden',
    s.golden,
    '--data',
    s.data,
    '--seed',
    '42',
    '--metric',
    'accuracy=0.97',
    '--sign',
    join(dir, 'k.pem'),
    '--out',
    models,
    ...extra,
  );
  assert.equal(r.code, 0, r.out);
  return { ...s, models, bundle: join(models, 'm', version), key: join(dir, 'k.pub.jwk.json'), out: r.out };
}

test('pack: every listed file hashes as sha256sum says, with provenance, and only model files are copied', async (t) => {
  const dir = workdir(t);
  const { bundle, models, data } = await packSigned(dir);
  const manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8')) as Manifest;
  assert.deepEqual(
    manifest.files.map((f) => f.path),
    ['model.json', 'group1-shard1of1.bin', 'schema.json', 'golden.json'],
  );
  const sums = execFileSync(
    'sha256sum',
    manifest.files.map((f) => f.path),
    { cwd: bundle, encoding: 'utf8' },
  );
  for (const line of sums.trim().split('\n')) {
    const [sha, path] = line.split(/\s+/);
    const f = manifest.files.find((x) => x.path === path)!;
    assert.equal(f.sha256, sha, path);
    assert.equal(f.bytes, readFileSync(join(bundle, path!)).byteLength);
  }
  const dataSha = execFileSync('sha256sum', [data], { encoding: 'utf8' }).split(' ')[0];
  assert.deepEqual(manifest.training?.data, { source: 'train.csv', rows: 3, sha256: dataSha });
  assert.equal(manifest.training.seed, 42);
  assert.deepEqual(manifest.training.metrics, { accuracy: 0.97 });
  assert.match(manifest.training.code ?? '', /^[0-9a-f]{40}(\+dirty)?$/, 'code version is the git commit');
  assert.equal(manifest.model.format, 'layers-model');
  assert.deepEqual(manifest.output, { kind: 'classification', labels: ['left', 'middle', 'right'] });
  const registry = JSON.parse(readFileSync(join(models, 'index.json'), 'utf8')) as Registry;
  // Each version's file paths, as its manifest lists them (README "Registry format": requested beside the manifest).
  assert.deepEqual(registry.models.m, { versions: ['1.0.0'], channels: { stable: '1.0.0' }, files: { '1.0.0': manifest.files.map((f) => f.path) } });
});

test('pack --sign: the signature covers the canonical manifest and verifies with WebCrypto; any change breaks it', async (t) => {
  const dir = workdir(t);
  const { bundle, key } = await packSigned(dir);
  const manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8')) as Manifest;
  const jwk = JSON.parse(readFileSync(key, 'utf8')) as JsonWebKey;
  await verifyManifestSignature(manifest, jwk, 'manifest.json');
  // Formatting does not matter (canonical JSON), content does.
  const reparsed = JSON.parse(canonicalJson(manifest)) as Manifest;
  await verifyManifestSignature(reparsed, jwk, 'manifest.json');
  for (const change of [
    (m: Manifest) => (m.training!.seed = 43),
    (m: Manifest) => (m.files[1]!.sha256 = '0'.repeat(64)),
    (m: Manifest) => (m.version = '1.0.1'),
  ]) {
    const copy = structuredClone(manifest);
    change(copy);
    await assert.rejects(verifyManifestSignature(copy, jwk, 'manifest.json'), { code: 'SIGNATURE_INVALID' });
  }
  const other = await cli('keygen', '--out', dir, '--name', 'other');
  assert.equal(other.code, 0);
  const otherKey = JSON.parse(readFileSync(join(dir, 'other.pub.jwk.json'), 'utf8')) as JsonWebKey;
  await assert.rejects(verifyManifestSignature(manifest, otherKey, 'manifest.json'), /signed by key/);
});

test('verify: a good bundle passes (with the key, JWK or PEM); tampering, truncation, missing files and a wrong key fail', async (t) => {
  const dir = workdir(t);
  const { bundle, key, models } = await packSigned(dir);
  let r = await cli('verify', bundle, '--key', key);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /signature valid/);
  r = await cli('verify', bundle, '--key', join(dir, 'k.pub.pem'));
  assert.equal(r.code, 0, r.out);
  r = await cli('verify', models);
  assert.equal(r.code, 1, 'signed but unchecked is not "verified"');
  assert.match(r.out, /not checked: pass --key/);
  r = await cli('verify', models, '--allow-unverified');
  assert.equal(r.code, 0, r.out);
  r = await cli('verify', models, '--key', key);
  assert.equal(r.code, 0, r.out);

  const shard = join(bundle, 'group1-shard1of1.bin');
  const original = readFileSync(shard);
  const flipped = Buffer.from(original);
  flipped[10]! ^= 0xff;
  writeFileSync(shard, flipped);
  r = await cli('verify', bundle);
  assert.equal(r.code, 1);
  assert.match(r.out, /group1-shard1of1\.bin: sha256 [0-9a-f]{64} does not match/);
  writeFileSync(shard, original.subarray(0, 100));
  r = await cli('verify', bundle);
  assert.match(r.out, /100 bytes on disk, the manifest lists 124/);
  rmSync(shard);
  r = await cli('verify', bundle);
  assert.match(r.out, /listed in the manifest but missing/);
  writeFileSync(shard, original);

  appendFileSync(join(bundle, 'extra.bin'), 'x');
  r = await cli('verify', bundle, '--allow-unverified');
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /extra\.bin: not listed in the manifest, so never loaded/);

  const manifestPath = join(bundle, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  writeFileSync(manifestPath, JSON.stringify({ ...manifest, training: { ...manifest.training, seed: 1 } }));
  r = await cli('verify', bundle, '--key', key);
  assert.equal(r.code, 1);
  assert.match(r.out, /signature INVALID/);
});

test('pack refuses to overwrite a published version, a revoked version, and a model.json with escaping weight paths', async (t) => {
  const dir = workdir(t);
  const { models, model, schema } = await packSigned(dir);
  const sign = ['--sign', join(dir, 'k.pem')];
  let r = await cli('pack', model, '--name', 'm', '--version', '1.0.0', '--schema', schema, '--out', models, ...sign);
  assert.equal(r.code, 1);
  assert.match(r.out, /versions are immutable/);
  r = await cli('pack', model, '--name', 'm', '--version', '1.1.0', '--schema', schema, '--out', models, ...sign);
  assert.equal(r.code, 0, r.out);
  assert.equal((await cli('revoke', 'm', '1.1.0', '--models', models, ...sign)).code, 0);
  r = await cli('pack', model, '--name', 'm', '--version', '1.1.0', '--schema', schema, '--out', models, '--force', ...sign);
  assert.equal(r.code, 1);
  assert.match(r.out, /m@1\.1\.0 is revoked/);
  const json = JSON.parse(readFileSync(join(model, 'model.json'), 'utf8'));
  json.weightsManifest[0].paths = ['../../etc/passwd'];
  writeFileSync(join(model, 'model.json'), JSON.stringify(json));
  r = await cli('pack', model, '--name', 'm', '--version', '1.2.0', '--schema', schema, '--out', models, ...sign);
  assert.equal(r.code, 1);
  assert.match(r.out, /leaves the model directory/);
});

test('pack --force never replaces a version the registry lists: a refused replacement would leave it listing a deleted bundle', async (t) => {
  const dir = workdir(t);
  const { models, model, schema, golden, bundle } = await packSigned(dir);
  const before = readFileSync(join(bundle, 'manifest.json'), 'utf8');
  // A golden file the model does not reproduce: the load check refuses this bundle after the old one was removed.
  const bad = JSON.parse(readFileSync(golden, 'utf8')) as { outputs: number[][] };
  bad.outputs = bad.outputs.map((row) => row.map((v) => v + 1));
  writeFileSync(join(dir, 'bad-golden.json'), JSON.stringify(bad));
  const r = await cli(
    'pack',
    model,
    '--name',
    'm',
    '--version',
    '1.0.0',
    '--schema',
    schema,
    '--golden',
    join(dir, 'bad-golden.json'),
    '--out',
    models,
    '--force',
  );
  assert.equal(r.code, 1);
  assert.match(r.out, /m@1\.0\.0 is published .*versions are immutable/);
  assert.equal(readFileSync(join(bundle, 'manifest.json'), 'utf8'), before, 'the published bundle is untouched');
});

test('the installed CLI entry runs pack as a real process', (t) => {
  const dir = workdir(t);
  const s = sources(dir);
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/node/cli.ts',
      'pack',
      s.model,
      '--name',
      'p',
      '--version',
      '0.1.0',
      '--schema',
      s.schema,
      '--regression',
      '--out',
      join(dir, 'models'),
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, SOURCE_DATE_EPOCH: '0' },
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const manifest = JSON.parse(readFileSync(join(dir, 'models', 'p', '0.1.0', 'manifest.json'), 'utf8')) as Manifest;
  assert.equal(manifest.createdAt, '1970-01-01T00:00:00.000Z');
  assert.deepEqual(manifest.output, { kind: 'regression' });
  assert.equal(manifest.signature, undefined);
});

test('a registry write refuses a signing key its clients do not trust, and accepts the next key it named (rotation)', async (t) => {
  const dir = workdir(t);
  const { models } = await packSigned(dir);
  assert.equal((await cli('keygen', '--out', dir, '--name', 'k2')).code, 0);
  const indexBefore = readFileSync(join(models, 'index.json'), 'utf8');
  let r = await cli('publish', 'm', '1.0.0', '--channel', 'beta', '--models', models, '--sign', join(dir, 'k2.pem'));
  assert.equal(r.code, 1);
  assert.match(r.out, /did not sign index\.json before.*clients would refuse it/);
  assert.equal(readFileSync(join(models, 'index.json'), 'utf8'), indexBefore, 'nothing written');
  r = await cli('publish', 'm', '1.0.0', '--channel', 'beta', '--models', models, '--sign', join(dir, 'k.pem'), '--next-key', join(dir, 'k2.pub.jwk.json'));
  assert.equal(r.code, 0, r.out);
  r = await cli('publish', 'm', '1.0.0', '--channel', 'gamma', '--models', models, '--sign', join(dir, 'k2.pem'));
  assert.equal(r.code, 0, r.out);
});

test('pack --sign with a key the registry does not trust is refused before anything is written', async (t) => {
  const dir = workdir(t);
  const { models, model, schema, golden } = await packSigned(dir);
  assert.equal((await cli('keygen', '--out', dir, '--name', 'k2')).code, 0);
  const tree = () => (readdirSync(models, { recursive: true }) as string[]).sort();
  const before = { tree: tree(), index: readFileSync(join(models, 'index.json'), 'utf8') };
  for (const name of ['m', 'other']) {
    const r = await cli(
      'pack',
      model,
      '--name',
      name,
      '--version',
      '1.1.0',
      '--schema',
      schema,
      '--golden',
      golden,
      '--sign',
      join(dir, 'k2.pem'),
      '--out',
      models,
    );
    assert.equal(r.code, 1, r.out);
    assert.deepEqual(tree(), before.tree, `${name}: no version directory, no half-written file`);
    assert.match(r.out, /did not sign index\.json before.*clients would refuse it.*nothing was written/);
    assert.equal(readFileSync(join(models, 'index.json'), 'utf8'), before.index);
  }
  // The trusted key still packs.
  const ok = await cli(
    'pack',
    model,
    '--name',
    'm',
    '--version',
    '1.1.0',
    '--schema',
    schema,
    '--golden',
    golden,
    '--sign',
    join(dir, 'k.pem'),
    '--out',
    models,
  );
  assert.equal(ok.code, 0, ok.out);
});
