// Registry writes in a signed registry: a channel only moves onto a bundle its clients accept
// (name@version as asked, signed by a key they trust), and an unsigned write needs --unsigned and
// keeps what the next signed write is checked against.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, cliError as failure } from './support/cli-in-process.js';
import type { Manifest, Registry } from '../../src/model/manifest.js';
import { generateKeys, loadPrivateKey, signManifest } from '../../src/node/bundle/keys.js';

const KEY = 'test/fixtures/bundles/keys/test.pem';
const KEY_ID = 'cf8f16a6047c7e98';

function fixtureCopy(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'ferryml-regsign-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const models = join(dir, 'models');
  cpSync('test/fixtures/bundles/models', models, { recursive: true });
  const index = join(models, 'index.json');
  return {
    dir,
    models,
    index,
    text: () => readFileSync(index, 'utf8'),
    read: () => JSON.parse(readFileSync(index, 'utf8')) as Registry & { lastSignedBy?: string },
  };
}

async function writeKey(dir: string, name: string): Promise<{ pem: string; jwk: string; keyId: string }> {
  const k = await generateKeys();
  writeFileSync(join(dir, `${name}.pem`), k.privatePem);
  writeFileSync(join(dir, `${name}.pub.jwk.json`), JSON.stringify(k.publicJwk));
  return { pem: join(dir, `${name}.pem`), jwk: join(dir, `${name}.pub.jwk.json`), keyId: k.keyId };
}

test('promote onto an unsigned bundle in a signed registry is refused; stable stays', async (t) => {
  const { models, text, read } = fixtureCopy(t);
  const path = join(models, 'tiny', '2.0.0', 'manifest.json');
  const { signature: _dropped, ...unsigned } = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  writeFileSync(path, JSON.stringify(unsigned, null, 2));
  const before = text();
  const f = await failure('promote', 'tiny', '2.0.0', '--to', 'stable', '--models', models, '--sign', KEY);
  assert.equal(f.code, 'SIGNATURE_INVALID', f.message);
  assert.equal(f.exit, 1);
  assert.match(f.message, /2\.0\.0\/manifest\.json: not signed.*trust key cf8f16a6047c7e98.*pack it with --sign/);
  assert.equal(read().models.tiny!.channels.stable, '1.1.0');
  assert.equal(text(), before, 'nothing written');
});

test('publish of a directory whose manifest is another version is refused; stable stays', async (t) => {
  const { models, text, read } = fixtureCopy(t);
  cpSync(join(models, 'tiny', '2.0.0'), join(models, 'tiny', '3.0.0'), { recursive: true });
  const before = text();
  const f = await failure('publish', 'tiny', '3.0.0', '--channel', 'stable', '--models', models, '--sign', KEY);
  assert.equal(f.code, 'MANIFEST_INVALID', f.message);
  assert.equal(f.exit, 1);
  assert.match(f.message, /3\.0\.0\/manifest\.json says tiny@2\.0\.0, not tiny@3\.0\.0/);
  assert.equal(read().models.tiny!.channels.stable, '1.1.0');
  assert.equal(text(), before, 'nothing written');
});

test('a manifest signed by a key the registry does not trust is refused; the registry key and its nextKey are accepted', async (t) => {
  const { dir, models, read } = fixtureCopy(t);
  const other = await writeKey(dir, 'other');
  const path = join(models, 'tiny', '2.0.0', 'manifest.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  const { key, keyId } = await loadPrivateKey(other.pem);
  writeFileSync(path, JSON.stringify(await signManifest(manifest, key, keyId), null, 2));
  let f = await failure('publish', 'tiny', '2.0.0', '--channel', 'stable', '--models', models, '--sign', KEY);
  assert.equal(f.code, 'SIGNATURE_INVALID', f.message);
  assert.match(f.message, new RegExp(`signed by key ${other.keyId}`));
  assert.equal(read().models.tiny!.channels.stable, '1.1.0');
  // Once the registry names that key as its next key, its manifests are ones clients will trust.
  let r = await cli('revoke', 'tiny', '0.9.0', '--models', models, '--sign', KEY, '--next-key', other.jwk);
  assert.equal(r.code, 0, r.out);
  r = await cli('publish', 'tiny', '2.0.0', '--channel', 'stable', '--models', models, '--sign', KEY);
  assert.equal(r.code, 0, r.out);
  // A manifest whose signature does not match its contents is refused whoever it names.
  writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), createdAt: '2030-01-01T00:00:00.000Z' }, null, 2));
  f = await failure('publish', 'tiny', '2.0.0', '--channel', 'beta', '--models', models, '--sign', KEY);
  assert.equal(f.code, 'SIGNATURE_INVALID', f.message);
  assert.equal(read().models.tiny!.channels.beta, undefined);
});

test('a write without --sign over a signed registry is refused unless --unsigned; --unsigned keeps nextKey and the signer check', async (t) => {
  const { dir, models, text, read } = fixtureCopy(t);
  const next = await writeKey(dir, 'next');
  const other = await writeKey(dir, 'other');
  assert.equal((await cli('revoke', 'tiny', '0.9.0', '--models', models, '--sign', KEY, '--next-key', next.jwk)).code, 0);
  const signed = text();
  const f = await failure('publish', 'tiny', '1.0.0', '--channel', 'beta', '--models', models);
  assert.equal(f.code, 'REGISTRY_SIGNATURE_INVALID', f.message);
  assert.equal(f.exit, 1);
  assert.match(f.message, /pass --sign <key> with the private key of [0-9a-f]+ .* or --unsigned/);
  assert.equal(text(), signed, 'nothing written');
  assert.equal((await failure('publish', 'tiny', '1.0.0', '--models', models, '--sign', KEY, '--unsigned')).exit, 2, '--sign and --unsigned together: usage');
  assert.equal((await failure('publish', 'tiny', '1.0.0', '--models', models, '--expires', '3')).exit, 2, '--expires without --sign: usage');

  let r = await cli('publish', 'tiny', '1.0.0', '--channel', 'beta', '--models', models, '--unsigned');
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /written unsigned now \(--unsigned\)/);
  const unsigned = read();
  assert.equal(unsigned.signature, undefined);
  assert.equal(unsigned.lastSignedBy, KEY_ID);
  assert.equal(unsigned.nextKey?.x, (JSON.parse(readFileSync(next.jwk, 'utf8')) as JsonWebKey).x, 'nextKey kept');
  // Still a signed registry's successor: unsigned writes still need --unsigned, and a key clients never trusted is refused.
  assert.equal((await failure('publish', 'tiny', '1.0.0', '--channel', 'gamma', '--models', models)).code, 'REGISTRY_SIGNATURE_INVALID');
  const g = await failure('publish', 'tiny', '1.0.0', '--channel', 'gamma', '--models', models, '--sign', other.pem);
  assert.equal(g.code, 'REGISTRY_SIGNATURE_INVALID', g.message);
  assert.match(g.message, /did not sign index\.json before \(key cf8f16a6047c7e98, next key/);
  assert.equal(read().models.tiny!.channels.gamma, undefined);
  // The next key it named may sign; the announcement is then done and the registry is signed again.
  r = await cli('publish', 'tiny', '1.0.0', '--channel', 'gamma', '--models', models, '--sign', next.pem);
  assert.equal(r.code, 0, r.out);
  const resigned = read();
  assert.equal(resigned.signature?.keyId, next.keyId);
  assert.equal(resigned.lastSignedBy, undefined);
  assert.equal(resigned.nextKey, undefined);
});

test('pack into a signed registry without --sign is refused before anything is written; --unsigned packs it', async (t) => {
  const { models, text, read } = fixtureCopy(t);
  const src = join(models, 'tiny', '1.0.0');
  const pack = (...extra: string[]) => [
    'pack',
    src,
    '--name',
    'tiny',
    '--version',
    '3.0.0',
    '--schema',
    join(src, 'schema.json'),
    '--golden',
    join(src, 'golden.json'),
    '--out',
    models,
    ...extra,
  ];
  const before = text();
  const f = await failure(...pack());
  assert.equal(f.code, 'REGISTRY_SIGNATURE_INVALID', f.message);
  assert.match(f.message, /pass --sign <key> with the private key of [0-9a-f]+ .* or --unsigned.*nothing was written/);
  assert.equal(existsSync(join(models, 'tiny', '3.0.0')), false);
  assert.equal(text(), before);
  const r = await cli(...pack('--unsigned'));
  assert.equal(r.code, 0, r.out);
  assert.ok(read().models.tiny!.versions.includes('3.0.0'));
  assert.equal(read().lastSignedBy, KEY_ID);
});

test('verify takes --key more than once (a key rotation): what the old key signed passes with the new and old keys, not with the new alone', async (t) => {
  const f = fixtureCopy(t);
  const next = await writeKey(f.dir, 'next');
  const old = 'test/fixtures/bundles/keys/test.pub.jwk.json';
  const bundle = join(f.models, 'tiny', '1.0.0');
  let r = await cli('verify', bundle, '--key', old, '--key', next.jwk);
  assert.equal(r.code, 0, r.out);
  r = await cli('verify', f.models, '--key', old, '--key', next.jwk);
  assert.equal(r.code, 0, r.out);
  r = await cli('verify', bundle, '--key', next.jwk);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /SIGNATURE_INVALID|signed by|not signed by|key/i);
});
