// openBundle against the fixture registry on the real test server, real IndexedDB, real tfjs.
import { expect } from 'chai';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { openBundle, rolloutBucket, type OpenedBundle } from '../../src/entries/bundle.js';
import { FIXTURES, REGISTRY, control, expectFerryError, expectVerifiedCache, fault, fixtureKey, requestCount, unique } from './helpers.js';

/** A client id whose rollout bucket for `tiny`'s canary is inside (or outside) its 25%. */
function clientIn(canary: boolean): string {
  for (let i = 0; ; i++) if (rolloutBucket(`client-${i}`, 'tiny', 'canary') < 0.25 === canary) return `client-${i}`;
}

/** Standardises the golden rows as the fixture schema says and checks the model reproduces the golden outputs. */
async function expectGolden(bundle: OpenedBundle, predict: (x: tf.Tensor2D) => tf.Tensor): Promise<void> {
  const cols = bundle.schema.columns.map((c) => ({ name: c.name, step: c.steps[0] as { mean: number; scale: number } }));
  const rows = bundle.golden!.rows.map((r) => cols.map(({ name, step }) => ((r[name] as number) - step.mean) / step.scale));
  const x = tf.tensor2d(rows);
  const y = predict(x);
  const got = (await y.array()) as number[][];
  tf.dispose([x, y]);
  got.forEach((row, i) => row.forEach((v, j) => expect(v).to.be.closeTo(bundle.golden!.outputs[i]![j]!, 1e-5)));
}

describe('openBundle: resolution and the tfjs seam', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('resolves pin > channel > rollout > stable, each reported in resolvedBy', async () => {
    const cache = { dbName: unique('resolve') };
    const pin = await openBundle({ registry: REGISTRY, name: 'tiny', version: '1.0.0', channel: 'canary', cache });
    expect([pin.manifest.version, pin.resolvedBy]).to.deep.equal(['1.0.0', 'pin']);
    const channel = await openBundle({ registry: REGISTRY, name: 'tiny', channel: 'canary', clientId: clientIn(false), cache });
    expect([channel.manifest.version, channel.resolvedBy]).to.deep.equal(['2.0.0', 'channel']);
    const rollout = await openBundle({ registry: REGISTRY, name: 'tiny', clientId: clientIn(true), cache });
    expect([rollout.manifest.version, rollout.resolvedBy]).to.deep.equal(['2.0.0', 'rollout']);
    const stable = await openBundle({ registry: REGISTRY, name: 'tiny', clientId: clientIn(false), cache });
    expect([stable.manifest.version, stable.resolvedBy]).to.deep.equal(['1.1.0', 'stable']);
  });

  it('names the problem for an unknown model, version or channel', async () => {
    const cache = false;
    const model = await expectFerryError(openBundle({ registry: REGISTRY, name: 'nope', cache }), 'MODEL_NOT_FOUND');
    expect(model.message).to.contain('tiny-graph');
    await expectFerryError(openBundle({ registry: REGISTRY, name: 'tiny', version: '9.9.9', cache }), 'VERSION_NOT_FOUND');
    await expectFerryError(openBundle({ registry: REGISTRY, name: 'tiny', channel: 'beta', cache }), 'VERSION_NOT_FOUND');
    await expectFerryError(openBundle({ name: 'tiny', cache } as never), 'INVALID_OPTIONS');
    await expectFerryError(openBundle({ registry: REGISTRY, cache }), 'INVALID_OPTIONS');
  });

  it('downloads once, then serves the verified copy from IndexedDB without fetching a file', async () => {
    const scope = unique('hit');
    const cache = { dbName: unique('hit') };
    const registry = fault(`scope=${scope}`, REGISTRY);
    const first = await openBundle({ registry, name: 'tiny', version: '1.0.0', cache });
    expect(first.source).to.equal('network');
    expect(first.downloadedBytes).to.equal(first.bytes);
    const second = await openBundle({ registry, name: 'tiny', version: '1.0.0', cache });
    expect(second.source).to.equal('cache');
    expect(second.downloadedBytes).to.equal(0);
    expect(second.id).to.equal(first.id);
    expect(await requestCount(scope, 'group1-shard1of1.bin')).to.equal(1);
    expect(await requestCount(scope, '1.0.0/manifest.json')).to.equal(1);
    expect(await requestCount(scope, 'index.json')).to.equal(2);
    expect((await expectVerifiedCache(cache.dbName)).versions).to.deep.equal(['tiny@1.0.0']);
  });

  it('serves a layers model to tf.loadLayersModel that reproduces the golden outputs, from network and from cache', async () => {
    const cache = { dbName: unique('layers') };
    for (const expected of ['network', 'cache']) {
      const bundle = await openBundle({ registry: REGISTRY, name: 'tiny', version: '1.1.0', cache });
      expect(bundle.source).to.equal(expected);
      expect(bundle.manifest.model.format).to.equal('layers-model');
      const model = await loadLayersModel(bundle.ioHandler);
      await expectGolden(bundle, (x) => model.predict(x) as tf.Tensor);
      model.dispose();
    }
  });

  it('serves a graph model to tf.loadGraphModel that reproduces the golden outputs', async () => {
    const bundle = await openBundle({ registry: REGISTRY, name: 'tiny-graph', cache: { dbName: unique('graph') } });
    expect(bundle.manifest.model.format).to.equal('graph-model');
    const model = await loadGraphModel(bundle.ioHandler);
    await expectGolden(bundle, (x) => model.predict(x) as tf.Tensor);
    model.dispose();
  });

  it('opens a bundle directory directly (without a registry) and reuses the cache by manifest id', async () => {
    const scope = unique('direct');
    const cache = { dbName: unique('direct') };
    const bundle = fault(`scope=${scope}`, `${FIXTURES}/tiny/2.0.0/`);
    const first = await openBundle({ bundle, cache });
    expect([first.manifest.version, first.resolvedBy, first.source]).to.deep.equal(['2.0.0', 'bundle', 'network']);
    const second = await openBundle({ bundle: `${bundle}manifest.json`, name: 'tiny', cache });
    expect(second.source).to.equal('cache');
    expect(await requestCount(scope, 'group1-shard1of1.bin')).to.equal(1);
    await expectFerryError(openBundle({ bundle, name: 'other', cache }), 'MANIFEST_INVALID');
  });

  it('reports progress up to the total bytes, never going backwards', async () => {
    const seen: Array<{ loaded: number; total: number }> = [];
    const bundle = await openBundle({ registry: REGISTRY, name: 'tiny', version: '2.0.0', cache: false, onProgress: (p) => seen.push(p) });
    expect(seen.length).to.be.greaterThan(1);
    expect(seen.at(-1)).to.deep.equal({ loaded: bundle.bytes, total: bundle.bytes });
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.loaded).to.be.at.least(seen[i - 1]!.loaded);
  });

  it('shares one download between concurrent loads of the same bundle', async () => {
    const scope = unique('share');
    const cache = { dbName: unique('share') };
    // The delay keeps the first download in flight while the others join it.
    const registry = fault(`scope=${scope},on=shard,delay=300`, REGISTRY);
    const loads = await Promise.all([0, 1, 2].map(() => openBundle({ registry, name: 'tiny', version: '2.0.0', cache })));
    expect(new Set(loads.map((b) => b.id)).size).to.equal(1);
    expect(await requestCount(scope, '2.0.0/group1-shard1of1.bin')).to.equal(1);
    expect(await requestCount(scope, '2.0.0/model.json')).to.equal(1);
    expect((await expectVerifiedCache(cache.dbName)).versions).to.deep.equal(['tiny@2.0.0']);
  });

  it('loads passing equal key lists (separate arrays) share one download', async () => {
    const scope = unique('share-keys');
    const cache = { dbName: unique('share-keys') };
    const registry = fault(`scope=${scope},on=shard,delay=300`, REGISTRY);
    const key = await fixtureKey();
    const loads = await Promise.all([0, 1].map(() => openBundle({ registry, name: 'tiny', version: '2.0.0', cache, publicKey: [{ ...key }] })));
    expect(new Set(loads.map((b) => b.id)).size).to.equal(1);
    expect(await requestCount(scope, '2.0.0/group1-shard1of1.bin')).to.equal(1);
  });

  it('aborts one waiting caller without cancelling the download the others share', async () => {
    const scope = unique('abort');
    const cache = { dbName: unique('abort') };
    const registry = fault(`scope=${scope},on=shard,delay=400`, REGISTRY);
    const controller = new AbortController();
    const aborted = openBundle({ registry, name: 'tiny', version: '1.0.0', cache, signal: controller.signal });
    const kept = openBundle({ registry, name: 'tiny', version: '1.0.0', cache });
    setTimeout(() => controller.abort(new Error('user navigated away')), 100);
    await expectFerryError(aborted, 'ABORTED');
    expect((await kept).manifest.version).to.equal('1.0.0');
    expect(await requestCount(scope, 'group1-shard1of1.bin')).to.equal(1);
  });

  it('with a publicKey: accepts the signed fixture, rejects a changed, unsigned or foreign-signed manifest, caches none of those', async () => {
    const publicKey = await fixtureKey();
    const cache = { dbName: unique('sig') };
    const ok = await openBundle({ registry: REGISTRY, name: 'tiny', version: '1.0.0', publicKey, cache });
    expect(ok.manifest.signature?.keyId).to.have.length(16);
    const changed = await expectFerryError(
      openBundle({ registry: fault('tamper=seed,on=manifest', REGISTRY), name: 'tiny', version: '2.0.0', publicKey, cache }),
      'SIGNATURE_INVALID',
    );
    expect(changed.message).to.contain('does not match');
    const unsigned = await expectFerryError(
      openBundle({ registry: fault('tamper=unsign,on=manifest', REGISTRY), name: 'tiny', version: '2.0.0', publicKey, cache }),
      'SIGNATURE_INVALID',
    );
    expect(unsigned.message).to.contain('not signed');
    const other = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    // With a foreign key the (signed) registry is refused first; a bundle URL reaches the manifest check.
    const foreignRegistry = await expectFerryError(
      openBundle({ registry: REGISTRY, name: 'tiny', version: '2.0.0', publicKey: other.publicKey, cache }),
      'REGISTRY_SIGNATURE_INVALID',
    );
    expect(foreignRegistry.details.keyId).to.equal(ok.manifest.signature?.keyId);
    const foreign = await expectFerryError(openBundle({ bundle: `${FIXTURES}/tiny/2.0.0/`, publicKey: other.publicKey, cache }), 'SIGNATURE_INVALID');
    expect(foreign.details.keyId).to.equal(ok.manifest.signature?.keyId);
    // The cached, signed 1.0.0 is also re-checked against the key: the registry refusal falls back to it, and it fails too.
    await expectFerryError(openBundle({ registry: REGISTRY, name: 'tiny', version: '1.0.0', publicKey: other.publicKey, cache }), 'REGISTRY_SIGNATURE_INVALID');
    expect((await expectVerifiedCache(cache.dbName)).versions).to.deep.equal(['tiny@1.0.0']);
  });

  it('never loads a revoked version, drops it from the cache when the registry revokes it, and skips it offline', async () => {
    const scope = unique('revoke');
    const cache = { dbName: unique('revoke') };
    await expectFerryError(openBundle({ registry: REGISTRY, name: 'tiny', version: '0.9.0', cache }), 'VERSION_REVOKED');
    const registry = fault(`scope=${scope}`, REGISTRY);
    await openBundle({ registry, name: 'tiny', version: '1.0.0', cache });
    expect((await expectVerifiedCache(cache.dbName)).versions).to.deep.equal(['tiny@1.0.0']);
    // Same URL, now with 1.0.0 revoked: a real registry update seen by the client.
    const revoked = fault(`scope=${scope},revoke=1.0.0`, REGISTRY);
    const e = await expectFerryError(openBundle({ registry: revoked, name: 'tiny', version: '1.0.0', cache }), 'VERSION_REVOKED');
    expect(e.details.version).to.equal('1.0.0');
    expect((await expectVerifiedCache(cache.dbName)).versions).to.deep.equal([]);
    await control(scope, 'offline=1');
    try {
      await expectFerryError(openBundle({ registry: revoked, name: 'tiny', version: '1.0.0', cache }), 'OFFLINE_NO_CACHED_VERSION');
    } finally {
      await control(scope, 'offline=0');
    }
  });

  it('without a clientId, a random id is kept in localStorage so the rollout decision is the same on every load', async () => {
    localStorage.removeItem('ferryml:client-id');
    const first = await openBundle({ registry: REGISTRY, name: 'tiny', cache: false });
    const id = localStorage.getItem('ferryml:client-id');
    expect(id).to.match(/^[0-9a-f-]{32,36}$/);
    const expected = rolloutBucket(id!, 'tiny', 'canary') < 0.25 ? ['2.0.0', 'rollout'] : ['1.1.0', 'stable'];
    expect([first.manifest.version, first.resolvedBy]).to.deep.equal(expected);
    for (let i = 0; i < 3; i++) expect((await openBundle({ registry: REGISTRY, name: 'tiny', cache: false })).manifest.version).to.equal(expected[0]);
    expect(localStorage.getItem('ferryml:client-id')).to.equal(id);
  });

  it('cache.persist asks for persistent storage and reports what the browser granted', async () => {
    const bundle = await openBundle({ registry: REGISTRY, name: 'tiny', version: '1.0.0', cache: { dbName: unique('persist'), persist: true } });
    expect(bundle.cache.persisted).to.equal(await navigator.storage.persisted());
  });

  it('a bundle URL (no registry) falls back to its cached copy when offline', async () => {
    const scope = unique('direct-off');
    const cache = { dbName: unique('direct-off') };
    const bundle = fault(`scope=${scope}`, `${FIXTURES}/tiny/1.1.0/`);
    const online = await openBundle({ bundle, cache });
    await control(scope, 'offline=1');
    try {
      const offline = await openBundle({ bundle, cache });
      expect([offline.source, offline.resolvedBy, offline.id]).to.deep.equal(['offline', 'offline-fallback', online.id]);
    } finally {
      await control(scope, 'offline=0');
    }
  });
});
