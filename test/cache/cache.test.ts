// The versioned, content-addressed cache in real IndexedDB: shared blobs stored once, N-version
// and byte-budget eviction (least recently used), atomic commits, and the management API.
import { expect } from 'chai';
import { clear, evict, listCached, storageEstimate } from '../../src/cache/manage.js';
import { openBundle } from '../../src/entries/bundle.js';
import { type OpenBundleOptions } from '../../src/index.js';
import { loadModel } from '../../src/load-model.js';
import { REGISTRY, expectVerifiedCache, fault, requestCount, unique } from '../model/helpers.js';

const load = (version: string, cache: NonNullable<OpenBundleOptions['cache']>, registry = REGISTRY, extra: Partial<OpenBundleOptions> = {}) =>
  openBundle({ registry, name: 'tiny', version, cache, ...extra });
const tick = () => new Promise((r) => setTimeout(r, 5));

describe('cache: content-addressed versions in IndexedDB', () => {
  it('two versions that share a shard store it once, and the second download skips it', async () => {
    const scope = unique('dedupe');
    const cache = { dbName: unique('dedupe') };
    const registry = fault(`scope=${scope}`, REGISTRY);
    const a = await load('1.0.0', cache, registry);
    const b = await load('1.1.0', cache, registry);
    const shard = (v: typeof a) => v.manifest.files.find((f) => f.path === 'group1-shard1of1.bin')!.sha256;
    expect(shard(a)).to.equal(shard(b));
    // 1.1.0 differs from 1.0.0 only in model.json: 4 + 1 distinct blobs.
    expect(await expectVerifiedCache(cache.dbName)).to.deep.equal({ versions: ['tiny@1.0.0', 'tiny@1.1.0'], blobs: 5 });
    expect(await requestCount(scope, '1.1.0/group1-shard1of1.bin')).to.equal(0);
    expect(await requestCount(scope, '1.1.0/model.json')).to.equal(1);
    expect(b.source).to.equal('network');
    expect(b.downloadedBytes).to.equal(b.manifest.files.find((f) => f.path === 'model.json')!.bytes);
  });

  it('keeps the last maxVersions versions per model, evicting the least recently used, and collects orphan blobs', async () => {
    const cache = { dbName: unique('lru'), maxVersions: 2 };
    await load('1.0.0', cache);
    await tick();
    await load('1.1.0', cache);
    await tick();
    await load('1.0.0', cache); // a cache hit makes 1.0.0 the most recent
    await tick();
    const latest = await load('2.0.0', cache);
    expect(latest.cache.evicted).to.deep.equal(['tiny@1.1.0']);
    const { versions, blobs } = await expectVerifiedCache(cache.dbName);
    expect(versions).to.deep.equal(['tiny@1.0.0', 'tiny@2.0.0']);
    // 1.0.0: 4 blobs; 2.0.0 adds its model.json, shard and golden (schema shared): 7. 1.1.0's model.json is gone.
    expect(blobs).to.equal(7);
    expect((await listCached({ dbName: cache.dbName })).map((c) => c.version)).to.deep.equal(['2.0.0', '1.0.0']);
  });

  it('evicts least recently used versions, across models, beyond the byte budget', async () => {
    const dbName = unique('bytes');
    await openBundle({ registry: REGISTRY, name: 'tiny-graph', cache: { dbName } });
    await tick();
    await load('2.0.0', { dbName });
    await tick();
    // 5,231 bytes of distinct blobs so far; with a 6,000-byte budget there is no room for 1.0.0's new 1,458-byte model.json too, so the least recently used version goes.
    await load('1.0.0', { dbName, maxBytes: 6000 });
    const { versions } = await expectVerifiedCache(dbName);
    expect(versions).to.deep.equal(['tiny@1.0.0', 'tiny@2.0.0']);
  });

  it('a version becomes visible only when all its files are stored: an aborted download leaves the previous state intact', async () => {
    const cache = { dbName: unique('atomic') };
    await load('1.0.0', cache);
    const before = await expectVerifiedCache(cache.dbName);
    const controller = new AbortController();
    // 2.0.0's shard hangs; model.json and the rest arrive, then the caller gives up mid-download.
    const pending = load('2.0.0', cache, fault('on=2.0.0%2Fgroup1,hang', REGISTRY), { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    try {
      await pending;
      expect.fail('should abort');
    } catch (e) {
      expect((e as { code?: string }).code).to.equal('ABORTED');
    }
    expect(await expectVerifiedCache(cache.dbName)).to.deep.equal(before);
  });

  it('a failed version (integrity) never becomes visible and leaves the previous version serving', async () => {
    const cache = { dbName: unique('keep') };
    await load('1.0.0', cache);
    try {
      await load('2.0.0', cache, fault('on=2.0.0%2Fgolden,flip', REGISTRY));
      expect.fail('should fail');
    } catch (e) {
      expect((e as { code?: string }).code).to.equal('INTEGRITY_MISMATCH');
    }
    expect((await expectVerifiedCache(cache.dbName)).versions).to.deep.equal(['tiny@1.0.0']);
    expect((await load('1.0.0', cache)).source).to.equal('cache');
  });

  it('listCached / evict / clear / storageEstimate', async () => {
    const dbName = unique('manage');
    await load('1.0.0', { dbName });
    await load('2.0.0', { dbName });
    await openBundle({ registry: REGISTRY, name: 'tiny-graph', cache: { dbName } });
    const listed = await listCached({ dbName });
    expect(listed.map((c) => `${c.name}@${c.version}`).sort()).to.deep.equal(['tiny-graph@1.0.0', 'tiny@1.0.0', 'tiny@2.0.0']);
    expect(listed.every((c) => /^[0-9a-f]{64}$/.test(c.id) && c.bytes > 0)).to.equal(true);
    expect(await evict('tiny', '2.0.0', { dbName })).to.deep.equal(['tiny@2.0.0']);
    expect((await expectVerifiedCache(dbName)).versions).to.deep.equal(['tiny-graph@1.0.0', 'tiny@1.0.0']);
    expect(await evict('tiny', undefined, { dbName })).to.deep.equal(['tiny@1.0.0']);
    // tiny-graph's weights are byte-identical to tiny's shard: still there, since tiny-graph needs them.
    expect(await expectVerifiedCache(dbName)).to.deep.equal({ versions: ['tiny-graph@1.0.0'], blobs: 4 });
    await clear({ dbName });
    expect(await expectVerifiedCache(dbName)).to.deep.equal({ versions: [], blobs: 0 });
    const estimate = await storageEstimate();
    expect(estimate!.quota).to.be.greaterThan(0);
    expect(estimate!.usage).to.be.at.least(0);
  });

  it('clear() and evict() right after loadModel wait for the write it left pending ("log out and wipe" keeps nothing)', async () => {
    // A fresh profile: loadModel answers first and writes the version after (no tfjs: the plain-JS penguins model).
    const options = { registry: '/models/index.json', name: 'penguins', version: '1.1.0', remember: false };
    const dbs = [unique('wipe-clear'), unique('wipe-evict')];
    try {
      for (const dbName of dbs) {
        const model = await loadModel({ ...options, cache: { dbName } });
        expect(model.info.cache.pending, 'the write is behind the answer').to.equal(true);
        if (dbName === dbs[0]) await clear({ dbName });
        else expect(await evict('penguins', undefined, { dbName })).to.deep.equal(['penguins@1.1.0']);
        // However the write ended, it must not have landed after the wipe.
        while (model.info.cache.pending) await tick();
        expect(await listCached({ dbName }), dbName).to.deep.equal([]);
        await model.dispose();
      }
    } finally {
      for (const dbName of dbs) indexedDB.deleteDatabase(dbName);
    }
  });
});
