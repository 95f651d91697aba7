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
import { registrySignedBytes, verifyRegistry } from '../../src/model/registry-trust.js';
import { keyIdOf, SIGNATURE_ALG } from '../../src/model/signature.js';
import { toBase64 } from '../../src/model/digest.js';
import { loadPrivateKey, signManifest } from '../../src/node/bundle/keys.js';
import { cli } from './support/cli-in-process.js';

const KEY = 'test/fixtures/bundles/keys/test.pem';
const PUB = 'test/fixtures/bundles/keys/test.pub.jwk.json';
const readJson = async <T>(path: string) => JSON.parse(await readFile(path, 'utf8')) as T;

/** A fresh release key: its public JWK, and a signer that signs any registry with it (no CLI checks: an attacker's view). */
async function releaseKey(): Promise<{ jwk: JsonWebKey; keyId: string; sign: (r: Registry) => Promise<Registry> }> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const jwk = { kty, crv, x, y } as JsonWebKey;
  const keyId = (await keyIdOf(jwk))!;
  const sign = async (r: Registry): Promise<Registry> => {
    const value = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, registrySignedBytes(r) as Uint8Array<ArrayBuffer>);
    return { ...r, signature: { alg: SIGNATURE_ALG, keyId, value: toBase64(new Uint8Array(value)) } };
  };
  return { jwk, keyId, sign };
}

/** An unsigned registry at `registryVersion`, valid for a day. */
const registryAt = (registryVersion: number, extra: Partial<Registry> = {}): Registry => ({
  registryVersion,
  expires: new Date(Date.now() + 86_400_000).toISOString(),
  models: { m: { versions: ['1.0.0'], channels: { stable: '1.0.0' } } },
  ...extra,
});

let urls = 0;
/** A registry URL no other test used: the trust state in this process's memory starts empty there. */
const freshUrl = () => `https://cdn.example/t${++urls}/models/index.json`;

describe('registry trust is tied to the app root keys, and to the registry origin and path', () => {
  it('a key a leaked root key named as nextKey means nothing once the app ships another root key', async () => {
    const [a, b, c] = await Promise.all([releaseKey(), releaseKey(), releaseKey()]);
    const url = freshUrl();
    // Whoever holds A (leaked) names their own key C as the next key; a client with the app's key A learns it.
    await verifyRegistry(await a.sign(registryAt(5, { nextKey: c.jwk })), url, a.jwk, undefined);
    await verifyRegistry(await c.sign(registryAt(6)), url, a.jwk, undefined);
    // The app moves to key B: C is no longer trusted there.
    await assert.rejects(verifyRegistry(await c.sign(registryAt(7)), url, b.jwk, undefined), (e: Error & { code: string; details: { keyId: string } }) => {
      assert.equal(e.code, 'REGISTRY_SIGNATURE_INVALID');
      assert.equal(e.details.keyId, c.keyId);
      assert.match(e.message, new RegExp(`registry signed by key ${c.keyId}, not by a key this app trusts \\(${b.keyId}\\)`));
      return true;
    });
    await verifyRegistry(await b.sign(registryAt(7)), url, b.jwk, undefined);
  });

  it('a huge registryVersion signed by a leaked root key freezes nothing once the app ships another root key', async () => {
    const [a, b] = await Promise.all([releaseKey(), releaseKey()]);
    const url = freshUrl();
    await verifyRegistry(await a.sign(registryAt(Number.MAX_SAFE_INTEGER - 1)), url, a.jwk, undefined);
    await verifyRegistry(await b.sign(registryAt(8)), url, b.jwk, undefined);
    // Under the old key the state stands: v8 is a rollback there.
    await assert.rejects(verifyRegistry(await a.sign(registryAt(8)), url, a.jwk, undefined), { code: 'REGISTRY_ROLLBACK' });
  });

  it('refuses the highest version again with other signed bytes, naming both digests, and accepts it re-signed unchanged', async () => {
    const a = await releaseKey();
    const url = freshUrl();
    const first = registryAt(10);
    await verifyRegistry(await a.sign(first), url, a.jwk, undefined);
    // ECDSA signatures differ on every signing; the signed bytes do not: the same registry re-signed passes.
    await verifyRegistry(await a.sign(first), url, a.jwk, undefined);
    const fork = registryAt(10, { models: { m: { versions: ['1.0.0', '0.9.0'], channels: { stable: '0.9.0' } } } });
    await assert.rejects(verifyRegistry(await a.sign(fork), url, a.jwk, undefined), (e: Error & { code: string; details: Record<string, unknown> }) => {
      assert.equal(e.code, 'REGISTRY_ROLLBACK');
      const { digest, digestSeen } = e.details as { digest: string; digestSeen: string };
      assert.match(digest, /^[0-9a-f]{64}$/);
      assert.match(digestSeen, /^[0-9a-f]{64}$/);
      assert.notEqual(digest, digestSeen);
      assert.ok(e.message.includes(digest) && e.message.includes(digestSeen), e.message);
      assert.match(e.message, /new registryVersion/);
      return true;
    });
    await verifyRegistry(await a.sign(registryAt(11)), url, a.jwk, undefined);
  });

  it('a cache-busting query or a fragment is the same registry: no way around rollback protection', async () => {
    const a = await releaseKey();
    const url = freshUrl();
    await verifyRegistry(await a.sign(registryAt(5)), url, a.jwk, undefined);
    const old = await a.sign(registryAt(4));
    // openBundle passes the registry option parsed (`new URL(registry, page).href`), as here.
    for (const variant of [`${url}?cb=123`, `${url}#x`, url.replace('https://cdn.example', 'https://CDN.example:443')])
      await assert.rejects(verifyRegistry(old, new URL(variant).href, a.jwk, undefined), { code: 'REGISTRY_ROLLBACK' }, variant);
    // Another path is another registry.
    await verifyRegistry(old, url.replace('/models/', '/other/'), a.jwk, undefined);
  });

  it('publicKey may list several root keys: a registry signed by any of them verifies', async () => {
    const [a, b, c] = await Promise.all([releaseKey(), releaseKey(), releaseKey()]);
    const url = freshUrl();
    await verifyRegistry(await a.sign(registryAt(1)), url, [b.jwk, a.jwk], undefined);
    await verifyRegistry(await b.sign(registryAt(2)), url, [b.jwk, a.jwk], undefined);
    await assert.rejects(verifyRegistry(await c.sign(registryAt(3)), url, [b.jwk, a.jwk], undefined), { code: 'REGISTRY_SIGNATURE_INVALID' });
  });
});

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
    // A query does not make another registry (rollback protection is kept by origin and path): the announcement holds there too.
    assert.equal((await openBundle({ registry: `${registry}?other`, name: 'tiny', version: '1.0.0', publicKey, cache: false })).source, 'network');
    // Another registry path never saw the announcement: the new key means nothing there.
    await cp(models, join(dir, 'elsewhere'), { recursive: true });
    await assert.rejects(openBundle({ registry: registry.replace('/models/', '/elsewhere/'), name: 'tiny', version: '1.0.0', publicKey, cache: false }), {
      code: 'REGISTRY_SIGNATURE_INVALID',
    });
  });

  it('a fresh install of the next app release ships both keys: it loads versions signed by the old key; with the new key alone it cannot, and says what to do', async () => {
    // After the test above: index.json is signed by the new key, tiny@1.0.0's manifest by the old one.
    const registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/models/index.json`;
    const next = await readJson<JsonWebKey>(join(dir, 'next.pub.jwk.json'));
    const old = await readJson<JsonWebKey>(PUB);
    const both = await openBundle({ registry, name: 'tiny', version: '1.0.0', publicKey: [next, old], cache: false });
    assert.deepEqual([both.manifest.version, both.source], ['1.0.0', 'network']);
    await assert.rejects(openBundle({ registry, name: 'tiny', version: '1.0.0', publicKey: next, cache: false }), (e: Error & { code: string }) => {
      assert.equal(e.code, 'SIGNATURE_INVALID');
      assert.match(e.message, /after a key rotation, ship `publicKey: \[newKey, oldKey\]`/);
      assert.match(e.message, /publish a new version signed by a trusted key \(`ferryml pack --sign KEY.pem`\)/);
      assert.doesNotMatch(e.message, /re-sign/);
      return true;
    });
  });
});

describe('publicKey option', () => {
  const bundle = 'http://127.0.0.1:9/models/tiny/1.0.0/';
  it('rejects an empty list, a key that is not a public EC P-256 JWK, and names the bad entry without printing a private part', async () => {
    const good = await readJson<JsonWebKey>(PUB);
    for (const [publicKey, option] of [
      [[], 'publicKey'],
      [{ kty: 'RSA', n: 'x', e: 'AQAB' }, 'publicKey'],
      [[good, { ...good, crv: 'P-384' }], 'publicKey[1]'],
      [[good, { ...good, d: 'SECRET-PRIVATE-PART' }], 'publicKey[1]'],
      [[good, 'key.pub.jwk.json'], 'publicKey[1]'],
      [[null], 'publicKey[0]'],
    ] as const) {
      await assert.rejects(openBundle({ bundle, publicKey: publicKey as never, cache: false }), (e: Error & { code: string; details: { option: string } }) => {
        assert.equal(e.code, 'INVALID_OPTIONS');
        assert.equal(e.details.option, option);
        assert.match(e.message, /`publicKey(\[\d\])?` must be a public P-256 JWK or CryptoKey, or a non-empty list of them; got /);
        assert.doesNotMatch(e.message + JSON.stringify(e.details), /SECRET/);
        return true;
      });
    }
  });
});
