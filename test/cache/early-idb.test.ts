// The IndexedDB open and the pinned version's read that the SDK core starts before its lazy chunk
// (src/cache/early-idb.ts, issue 15), in real IndexedDB: what the early read returns, that what
// it returns is verified like any cached read before use, and that the failure paths (a foreign
// database, a corrupted blob, another tab deleting the database) stay what they were.
import { expect } from 'chai';
import { createStore, set } from 'idb-keyval';
import { readVersionEarly } from '../../src/cache/early-read.js';
import { sha256Hex } from '../../src/model/digest.js';
import { loadBundle } from '../../src/model/load-bundle.js';
import { openBundle } from '../../src/entries/bundle.js';
import { loadModel } from '../../src/load-model.js';
import { REGISTRY, expectFerryError, expectVerifiedCache, fault, requestCount, unique } from '../model/helpers.js';

const SHARD = 'group1-shard1of1.bin';
const PENGUINS = '/models/index.json';

/** Creates `dbName` as someone else's database: version 1, without our object store. */
function foreignDatabase(dbName: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const req = indexedDB.open(dbName, 1);
    req.onupgradeneeded = () => req.result.createObjectStore('something-else');
    req.onsuccess = () => {
      req.result.close();
      resolve();
    };
    req.onerror = () => reject(req.error ?? new Error('indexedDB.open failed'));
  });
}

/** Waits for a deferred cache write of `model` (`info.cache.pending`) to land. */
async function stored(model: { info: { cache: { pending?: boolean } } }): Promise<void> {
  while (model.info.cache.pending) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('cache: the early IndexedDB read', () => {
  it('reads a cached version’s record and every blob in one go, with each sha256 matching its key', async () => {
    const dbName = unique('early');
    const bundle = await openBundle({ registry: REGISTRY, name: 'tiny', version: '1.0.0', cache: { dbName } });
    const early = (await readVersionEarly(dbName, 'tiny', '1.0.0'))?.cached;
    expect(early, 'the cached version is found').to.not.equal(undefined);
    expect(early!.record).to.include({ name: 'tiny', version: '1.0.0', id: bundle.id });
    expect([...early!.blobs.keys()].sort()).to.deep.equal(bundle.manifest.files.map((f) => f.sha256).sort());
    for (const [sha, bytes] of early!.blobs) {
      expect(await early!.digests.get(sha), sha).to.equal(sha);
      expect(await sha256Hex(bytes)).to.equal(sha);
    }
    expect(await early!.digests.get('')).to.equal(bundle.id);
    // Not cached: which blobs the database holds instead (keys only).
    const miss = await readVersionEarly(dbName, 'tiny', '9.9.9');
    expect(miss).to.deep.include({ dbName, name: 'tiny', version: '9.9.9' });
    expect(miss!.cached).to.equal(undefined);
    expect([...miss!.blobShas!].sort()).to.deep.equal(bundle.manifest.files.map((f) => f.sha256).sort());
    // A database without our object store: undefined, never a rejection.
    const foreign = unique('early-foreign');
    await foreignDatabase(foreign);
    expect(await readVersionEarly(foreign, 'tiny', '1.0.0')).to.equal(undefined);
  });

  it('an early read is verified before use: a tampered blob in it is caught, the version downloaded again and the cache repaired', async () => {
    const dbName = unique('early-tamper');
    const scope = unique('early-tamper');
    const registry = fault(`scope=${scope}`, REGISTRY);
    const options = { registry, name: 'tiny', version: '1.0.0', cache: { dbName } };
    const first = await openBundle(options);
    const early = await readVersionEarly(dbName, 'tiny', '1.0.0');
    const shard = first.manifest.files.find((f) => f.path === SHARD)!;
    // Bytes that are not the shard, hashed as the early read hashes what it reads.
    const bad = new Uint8Array(shard.bytes);
    early!.cached!.blobs.set(shard.sha256, bad);
    early!.cached!.digests.set(shard.sha256, sha256Hex(bad));
    const again = await loadBundle(options, { cached: Promise.resolve(early) });
    expect(again.source).to.equal('network');
    expect(await requestCount(scope, SHARD)).to.equal(2);
    expect((await expectVerifiedCache(dbName)).versions).to.deep.equal(['tiny@1.0.0']);
  });

  it('a verified early read serves the version even when the stored blob rots after it was read', async () => {
    const dbName = unique('early-used');
    const scope = unique('early-used');
    const registry = fault(`scope=${scope}`, REGISTRY);
    const options = { registry, name: 'tiny', version: '1.0.0', cache: { dbName } };
    const first = await openBundle(options);
    const early = await readVersionEarly(dbName, 'tiny', '1.0.0');
    const shard = first.manifest.files.find((f) => f.path === SHARD)!;
    await set(`blob:${shard.sha256}`, new Uint8Array(shard.bytes).buffer, createStore(dbName, 'bundles'));
    // The early read's bytes (read before the rot, verified now) serve: nothing is downloaded.
    const again = await loadBundle(options, { cached: Promise.resolve(early) });
    expect(again.source).to.equal('cache');
    expect(again.id).to.equal(first.id);
    expect(await requestCount(scope, SHARD)).to.equal(1);
    // Without it, the usual read finds the rotten blob, drops it and downloads again.
    const usual = await loadBundle(options);
    expect(usual.source).to.equal('network');
    expect(await requestCount(scope, SHARD)).to.equal(2);
  });

  it('on a miss, a download reuses the blobs the early read saw and skips the blob lookup when it saw none of them', async () => {
    const dbName = unique('early-miss');
    const scope = unique('early-miss');
    const registry = fault(`scope=${scope}`, REGISTRY);
    await openBundle({ registry, name: 'tiny', version: '1.0.0', cache: { dbName } });
    // 1.1.0 shares its shard with 1.0.0: the early read lists it, so it is read from the cache, not fetched.
    const early = await readVersionEarly(dbName, 'tiny', '1.1.0');
    const b = await loadBundle({ registry, name: 'tiny', version: '1.1.0', cache: { dbName } }, { cached: Promise.resolve(early) });
    expect(b.source).to.equal('network');
    expect(await requestCount(scope, `1.1.0/${SHARD}`)).to.equal(0);
    expect(await requestCount(scope, '1.1.0/model.json')).to.equal(1);
    // An early read that saw none of 2.0.0's blobs (its shard differs; schema.json is shared, but the
    // set says otherwise): the lookup is skipped and every file fetched — the set is what decides.
    const none = { dbName, name: 'tiny', version: '2.0.0', blobShas: new Set<string>() };
    await loadBundle({ registry, name: 'tiny', version: '2.0.0', cache: { dbName } }, { cached: Promise.resolve(none) });
    expect(await requestCount(scope, '2.0.0/schema.json')).to.equal(1);
    expect((await expectVerifiedCache(dbName)).versions).to.deep.equal(['tiny@1.1.0', 'tiny@2.0.0']);
  });

  it('loadModel, pinned: the second load is served from IndexedDB; a blob corrupted in between is caught and fetched again', async function () {
    this.timeout(60_000);
    const dbName = unique('early-load');
    const options = { registry: PENGUINS, name: 'penguins', version: '1.1.0', cache: { dbName }, remember: false };
    const cold = await loadModel(options);
    expect(cold.info.source).to.equal('network');
    await stored(cold);
    await cold.dispose();
    const warm = await loadModel(options);
    expect(warm.info).to.include({ source: 'cache', version: '1.1.0' });
    expect(warm.info.cache.memoryOnly).to.equal(false);
    await warm.dispose();
    const shard = (await openBundle(options)).manifest.files.find((f) => f.path === SHARD)!;
    await set(`blob:${shard.sha256}`, new Uint8Array(shard.bytes).buffer, createStore(dbName, 'bundles'));
    const repaired = await loadModel(options);
    expect(repaired.info.source).to.equal('network');
    await stored(repaired);
    await repaired.dispose();
    expect((await expectVerifiedCache(dbName)).versions).to.deep.equal(['penguins@1.1.0']);
  });

  it('loadModel, pinned: a cached version checked while the registry is in flight is still refused once the registry revokes it', async function () {
    this.timeout(60_000);
    const scope = unique('early-revoke');
    const dbName = unique('early-revoke');
    const options = { registry: fault(`scope=${scope}`, PENGUINS), name: 'penguins', version: '1.1.0', cache: { dbName }, remember: false };
    const cold = await loadModel(options);
    await stored(cold);
    await cold.dispose();
    const warm = await loadModel(options);
    expect(warm.info).to.include({ source: 'cache', version: '1.1.0' });
    await warm.dispose();
    // The registry now revokes 1.1.0: the early read still finds and checks the cached copy,
    // and the load refuses it all the same.
    const e = await expectFerryError(loadModel({ ...options, registry: fault(`scope=${scope},revoke=1.1.0`, PENGUINS) }), 'VERSION_REVOKED');
    expect(e.details.version).to.equal('1.1.0');
  });

  it('loadModel, pinned, on someone else’s database: memory only with CACHE_UNAVAILABLE, as before the early open', async function () {
    this.timeout(60_000);
    const dbName = unique('early-foreign-load');
    await foreignDatabase(dbName);
    const model = await loadModel({ registry: PENGUINS, name: 'penguins', version: '1.1.0', cache: { dbName }, remember: false });
    expect(model.info.source).to.equal('network');
    // A fresh profile (this page never stored into dbName) opens the database behind the answer.
    await stored(model);
    expect(model.info.cache).to.deep.include({ memoryOnly: true, code: 'CACHE_UNAVAILABLE' });
    expect(model.info.cache.reason).to.contain('NotFoundError');
    await model.dispose();
  });

  it('the page’s connection lets another tab delete the database (no blocked event), and the next load opens it again', async function () {
    this.timeout(60_000);
    const dbName = unique('early-delete');
    const options = { registry: PENGUINS, name: 'penguins', version: '1.1.0', cache: { dbName }, remember: false };
    const first = await loadModel(options);
    await stored(first);
    await first.dispose();
    const deleted = await new Promise<'deleted' | 'blocked'>((resolve, reject) => {
      const req = indexedDB.deleteDatabase(dbName);
      req.onblocked = () => resolve('blocked');
      req.onsuccess = () => resolve('deleted');
      req.onerror = () => reject(req.error ?? new Error('deleteDatabase failed'));
    });
    expect(deleted).to.equal('deleted');
    const second = await loadModel(options);
    expect(second.info.source).to.equal('network');
    expect(second.info.cache.memoryOnly).to.equal(false);
    await stored(second);
    await second.dispose();
    expect((await expectVerifiedCache(dbName)).versions).to.deep.equal(['penguins@1.1.0']);
  });
});
