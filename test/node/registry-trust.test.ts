// The signed registry in Node: the CLI signs every index.json it writes (registryVersion up,
// expires, signature, the next key for rotation), and openBundle with a publicKey refuses a
// rolled-back, expired or tampered registry (highest version kept in memory here: no IndexedDB)
// while serving its last verified version, from memory, and never believing the attacker's revocations.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { openBundle } from '../../src/entries/bundle.js';
import type { Manifest, Registry } from '../../src/model/manifest.js';
import { loadPrivateKey, signManifest } from '../../src/node/bundle/keys.js';
import { cli } from './support/cli-in-process.js';

const KEY = 'test/fixtures/bundles/keys/test.pem';
const PUB = 'test/fixtures/bundles/keys/test.pub.jwk.json';
const readJson = async <T>(path: string) => JSON.parse(await readFile(path, 'utf8')) as T;

describe('CLI: every registry write is versioned, and signed with --sign', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferryml-regsign-'));
    await cp('test/fixtures/bundles/models', join(dir, 'models'), { recursive: true });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('publish/promote/revoke --sign raise registryVersion, set expires and a verifiable signature; with --unsigned the signature goes', async () => {
    const models = join(dir, 'models');
    const index = join(models, 'index.json');
    const v0 = (await readJson<Registry>(index)).registryVersion!;
    let r = await cli('publish', 'tiny', '1.0.0', '--channel', 'beta', '--models', models, '--sign', KEY, '--expires', '7');
    assert.equal(r.code, 0, r.out);
    let reg = await readJson<Registry>(index);
    const v1 = reg.registryVersion!;
    assert.ok(v1 > v0, `${v1} > ${v0}`);
    const days = (Date.parse(reg.expires!) - Date.now()) / 86_400_000;
    assert.ok(days > 6.9 && days <= 7, `expires in ${days} days`);
    assert.equal(reg.signature?.alg, 'ECDSA-P256-SHA256');
    r = await cli('revoke', 'tiny', '2.0.0', '--models', models, '--unsigned');
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /written unsigned/);
    reg = await readJson<Registry>(index);
    const v2 = reg.registryVersion!;
    assert.ok(v2 > v1, `${v2} > ${v1}`);
    assert.equal(reg.signature, undefined);
    r = await cli('promote', 'tiny', '1.1.0', '--from', 'canary', '--to', 'beta', '--models', models, '--sign', KEY);
    assert.equal(r.code, 0, r.out);
    assert.ok((await readJson<Registry>(index)).registryVersion! > v2);
    assert.match((await cli('revoke', 'tiny', '1.1.0', '--models', models, '--expires', '3')).out, /--expires and --next-key need --sign/);
  });
});

describe('openBundle with a publicKey in Node: rollback, freeze, mass revocation', () => {
  let server: Server;
  let base: string;
  let serving = 'current';
  before(async () => {
    server = createServer(async (req, res) => {
      const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
      const file =
        path === '/models/index.json' && serving !== 'current' ? `test/fixtures/bundles/registries/${serving}.json` : join('test/fixtures/bundles', path);
      try {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(await readFile(file));
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('serves the last verified version, says why, and an unverified registry revokes nothing', async () => {
    const publicKey = await readJson<JsonWebKey>(PUB);
    const registry = `${base}/models/index.json`;
    // Node has no IndexedDB: the cache is page-memory (shared by loads in this process), and so is the trust state.
    const cache = { dbName: 'node-trust' };
    serving = 'current';
    const first = await openBundle({ registry, name: 'tiny', version: '1.1.0', publicKey, cache });
    assert.equal(first.source, 'network');
    for (const [variant, code] of [
      ['rollback', 'REGISTRY_ROLLBACK'],
      ['expired', 'REGISTRY_EXPIRED'],
      ['revoke-all', 'REGISTRY_SIGNATURE_INVALID'],
      ['unsigned', 'REGISTRY_SIGNATURE_INVALID'],
    ]) {
      serving = variant!;
      const b = await openBundle({ registry, name: 'tiny', version: '1.1.0', publicKey, cache });
      assert.deepEqual([b.manifest.version, b.source, b.fallback?.error.code], ['1.1.0', 'offline', code], variant);
    }
    // The replayed registry points stable at 0.9.0 (revoked since): never loaded.
    serving = 'rollback';
    await assert.rejects(openBundle({ registry, name: 'tiny', version: '0.9.0', publicKey, cache: false }), { code: 'REGISTRY_ROLLBACK' });
    serving = 'current';
    assert.equal((await openBundle({ registry, name: 'tiny', version: '1.1.0', publicKey, cache })).source, 'cache');
  });
});

describe('key rotation: the registry names the next key, signed by the current one', () => {
  let dir: string;
  let server: Server;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferryml-rotate-'));
    await cp('test/fixtures/bundles/models', join(dir, 'models'), { recursive: true });
    server = createServer(async (req, res) => {
      try {
        res.writeHead(200).end(await readFile(join(dir, decodeURIComponent(new URL(req.url!, 'http://x').pathname))));
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  after(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a client that saw the announcement trusts registries signed by the new key; one that did not refuses them', async () => {
    const models = join(dir, 'models');
    assert.equal((await cli('keygen', '--out', dir, '--name', 'next')).code, 0);
    const registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/models/index.json`;
    const publicKey = await readJson<JsonWebKey>(PUB);
    // Old key signs, naming the next key.
    assert.equal((await cli('revoke', 'tiny', '0.9.0', '--models', models, '--sign', KEY, '--next-key', join(dir, 'next.pub.jwk.json'))).code, 0);
    const announced = await readJson<Registry>(join(models, 'index.json'));
    assert.equal(announced.nextKey?.x, (await readJson<JsonWebKey>(join(dir, 'next.pub.jwk.json'))).x);
    await openBundle({ registry, name: 'tiny', version: '1.0.0', publicKey, cache: false });
    // The next key signs (manifests stay signed by the old key here); the announcement is dropped.
    assert.equal((await cli('revoke', 'tiny', '0.9.0', '--models', models, '--sign', join(dir, 'next.pem'))).code, 0);
    assert.equal((await readJson<Registry>(join(models, 'index.json'))).nextKey, undefined);
    const b = await openBundle({ registry, name: 'tiny', version: '1.0.0', publicKey, cache: false });
    assert.equal(b.source, 'network');
    // A manifest re-signed by the new key verifies for this registry's client (the app still ships the old key).
    const manifestPath = join(models, 'tiny', '1.1.0', 'manifest.json');
    const next = await loadPrivateKey(join(dir, 'next.pem'));
    await writeFile(manifestPath, JSON.stringify(await signManifest(await readJson<Manifest>(manifestPath), next.key, next.keyId), null, 2));
    const rotated = await openBundle({ registry, name: 'tiny', version: '1.1.0', publicKey, cache: false });
    assert.equal(rotated.manifest.signature?.keyId, next.keyId);
    await assert.rejects(openBundle({ bundle: `${registry.replace('index.json', '')}tiny/1.1.0/`, publicKey, cache: false }), { code: 'SIGNATURE_INVALID' });
    // Another registry URL never saw the announcement: the new key means nothing there.
    await assert.rejects(openBundle({ registry: `${registry}?other`, name: 'tiny', version: '1.0.0', publicKey, cache: false }), {
      code: 'REGISTRY_SIGNATURE_INVALID',
    });
  });
});
