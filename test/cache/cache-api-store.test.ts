// The Cache API store (src/cache/cache-api-store.ts, the edge cache of Workers and Deno) under the
// bundle cache's own operations, in Chromium's real Cache API: bytes and records (with the
// manifest's bytes inside) round-trip, versions share blobs, eviction and blob collection run on
// its own key list, a failed transaction writes nothing, and an entry the platform dropped behind
// the store's back is a miss rather than an error. Each runs twice: on the Cache API as browsers
// have it and as workerd has it (`keys()` throws "not implemented"); the store keeps its own key
// list on both, which isolates writing at once can race on.
import { expect } from 'chai';
import { commitVersion, dropVersions, listRecords, readBlobs, readRecord, touchRecord } from '../../src/cache/bundle-cache.js';
import { createCacheApiStore, type CacheStorageLike } from '../../src/cache/cache-api-store.js';
import type { CachedBundleRecord } from '../../src/cache/records.js';
import { unique } from '../model/helpers.js';

const bytes = (...v: number[]) => new Uint8Array(v);
const file = (path: string, sha256: string, n: number) => ({ path, sha256, bytes: n });
const record = (version: string, files: CachedBundleRecord['files'], lastUsed = Date.now()): CachedBundleRecord => ({
  name: 'tiny',
  version,
  id: `id-${version}`,
  baseUrl: `https://models.example/tiny/${version}/`,
  manifest: new TextEncoder().encode(`{"version":"${version}"}`),
  files,
  bytes: files.reduce((s, f) => s + f.bytes, 0),
  storedAt: lastUsed,
  lastUsed,
});
const limits = { maxVersions: 2, maxBytes: 1 << 20 };

// Chromium's real caches as workerd's Cache has them: match, put and delete work, `keys()` throws.
const workerdShaped: CacheStorageLike = {
  open: async (name) => {
    const c = await caches.open(name);
    const keys = () => {
      throw new TypeError("Failed to execute 'keys' on 'Cache': the method is not implemented.");
    };
    return { match: c.match.bind(c), put: c.put.bind(c), delete: c.delete.bind(c), keys } as unknown as Cache;
  },
};

for (const [shape, storage] of [
  ['browsers', caches],
  ['workerd', workerdShaped],
] as const)
  describe(`cache: the Cache API store (as ${shape} have it)`, () => {
    const names: string[] = [];
    after(async () => {
      for (const n of names) await caches.delete(n);
    });
    const open = () => {
      const name = unique('cache-api');
      names.push(name);
      return createCacheApiStore(name, storage);
    };

    it('round-trips blobs and records (manifest bytes included), shares blobs between versions, lists them', async () => {
      const store = open();
      const shared = file('shard.bin', 'aa', 3);
      await commitVersion(
        store,
        record('1.0.0', [shared, file('model.json', 'b1', 2)]),
        new Map([
          ['aa', bytes(1, 2, 3)],
          ['b1', bytes(7, 8)],
        ]),
        limits,
      );
      // 1.1.0's shard is already there: no bytes for it are handed in.
      await commitVersion(store, record('1.1.0', [shared, file('model.json', 'b2', 1)]), new Map([['b2', bytes(9)]]), limits);
      const r = await readRecord(store, 'tiny', '1.0.0');
      expect(r?.manifest).to.be.instanceOf(Uint8Array);
      expect(new TextDecoder().decode(r!.manifest)).to.equal('{"version":"1.0.0"}');
      expect(r?.files).to.deep.equal([shared, file('model.json', 'b1', 2)]);
      const blobs = await readBlobs(store, ['aa', 'b1', 'b2', 'missing']);
      expect([...blobs.keys()].sort()).to.deep.equal(['aa', 'b1', 'b2']);
      expect([...blobs.get('aa')!]).to.deep.equal([1, 2, 3]);
      expect((await listRecords(store)).map((x) => x.version)).to.deep.equal(['1.0.0', '1.1.0']);
    });

    it('evicts past maxVersions on its own key list and collects the blobs nobody names', async () => {
      const store = open();
      await commitVersion(store, record('1.0.0', [file('a', 'a1', 1)], 1), new Map([['a1', bytes(1)]]), limits);
      await commitVersion(store, record('1.1.0', [file('a', 'a2', 1)], 2), new Map([['a2', bytes(2)]]), limits);
      const evicted = await commitVersion(store, record('2.0.0', [file('a', 'a3', 1)], 3), new Map([['a3', bytes(3)]]), limits);
      expect(evicted).to.deep.equal(['tiny@1.0.0']);
      expect((await listRecords(store)).map((x) => x.version)).to.deep.equal(['1.1.0', '2.0.0']);
      expect([...(await readBlobs(store, ['a1', 'a2', 'a3'])).keys()].sort()).to.deep.equal(['a2', 'a3']);
      expect(await dropVersions(store, 'tiny', ['1.1.0'])).to.deep.equal(['tiny@1.1.0']);
      expect([...(await readBlobs(store, ['a2', 'a3'])).keys()]).to.deep.equal(['a3']);
    });

    it('a transaction whose body fails writes nothing', async () => {
      const store = open();
      const failing = commitVersion(store, record('1.0.0', [file('a', 'a1', 1), file('b', 'b1', 1)]), new Map([['a1', bytes(1)]]), limits);
      await failing.then(
        () => expect.fail('no bytes for b'),
        (e: unknown) => expect(String(e)).to.contain('no bytes for b'),
      );
      expect(await listRecords(store)).to.deep.equal([]);
      expect((await readBlobs(store, ['a1'])).size).to.equal(0);
    });

    it('an entry evicted by the platform is a miss, not an error', async () => {
      const store = open();
      await commitVersion(store, record('1.0.0', [file('a', 'a1', 1)]), new Map([['a1', bytes(1)]]), limits);
      await commitVersion(store, record('1.1.0', [file('a', 'a2', 1)]), new Map([['a2', bytes(2)]]), limits);
      // What an edge cache does under pressure: the record's entry disappears, the key list still names it.
      const cache = await caches.open(store.name);
      const gone = (await cache.keys()).find((k) => decodeURIComponent(k.url).includes('bundle:tiny@1.0.0'));
      expect(gone, 'the record is an entry of the cache').to.not.equal(undefined);
      await cache.delete(gone!);
      expect((await listRecords(store)).map((x) => x.version)).to.deep.equal(['1.1.0']);
      expect(await readRecord(store, 'tiny', '1.0.0')).to.equal(undefined);
    });

    it('two isolates committing at once (two stores on one cache) both stay listed', async () => {
      const a = open();
      const b = createCacheApiStore(a.name, storage);
      const other = { ...record('1.0.0', [file('b', 'bb', 1)]), name: 'other' };
      await Promise.all([
        commitVersion(a, record('1.0.0', [file('a', 'aa', 1)]), new Map([['aa', bytes(1)]]), limits),
        commitVersion(b, other, new Map([['bb', bytes(2)]]), limits),
      ]);
      expect(await readRecord(a, 'other', '1.0.0'), 'each is stored whole').to.not.equal(undefined);
      expect(await readRecord(b, 'tiny', '1.0.0')).to.not.equal(undefined);
      // With no compare-and-set, one isolate may put a key list read before the other's landed: the
      // store narrows that (a second check after its writes) and mends it when a write finds the key.
      await touchRecord(a, 'tiny', '1.0.0');
      await touchRecord(b, 'other', '1.0.0');
      expect((await listRecords(a)).map((x) => x.name).sort()).to.deep.equal(['other', 'tiny']);
      expect((await listRecords(b)).length).to.equal(2);
    });

    it('a record or blob a concurrent writer dropped from the key list is listed again when a write finds it', async () => {
      const store = open();
      const shared = file('a', 'aa', 1);
      await commitVersion(store, record('1.0.0', [shared]), new Map([['aa', bytes(1)]]), limits);
      // What a lost race leaves: both entries stored, the key list naming neither.
      const cache = await caches.open(store.name);
      await cache.put('https://ferryml-cache.invalid/keys', new Response('[]', { headers: { 'x-ferryml-value': 'json' } }));
      expect(await listRecords(store)).to.deep.equal([]);
      await touchRecord(store, 'tiny', '1.0.0');
      expect((await listRecords(store)).map((x) => x.version)).to.deep.equal(['1.0.0']);
      // 1.1.0 shares blob `aa`, found stored by the commit: listed again, so eviction collects it later.
      await commitVersion(store, record('1.1.0', [shared]), new Map(), { maxVersions: 1, maxBytes: 1 << 20 });
      await dropVersions(store, 'tiny', ['1.1.0']);
      expect((await readBlobs(store, ['aa'])).size).to.equal(0);
    });
  });
