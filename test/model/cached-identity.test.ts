// What a cached version is and who may have it, on real IndexedDB: a record is found by its model's
// exact name (never a name that merely starts with it: `a` vs `a@beta`), keys are unambiguous for
// names holding `@` while records written under the old unescaped keys are still read, listed,
// evicted and replaced; a manifest that is not the version asked for is a miss; a missing blob is a
// miss for that file alone; and the quota pre-check counts only what the commit adds.
import { expect } from 'chai';
import { commitVersion, dropVersions, listRecords, readBlobs, readRecord } from '../../src/cache/bundle-cache.js';
import { createIdbStore } from '../../src/cache/idb-store.js';
import { evict } from '../../src/cache/manage-cache.js';
import type { KvStore } from '../../src/cache/kv-store.js';
import { blobKey, bundleKey, type CachedBundleRecord } from '../../src/cache/records.js';
import { MANIFEST_FORMAT_VERSION } from '../../src/model/manifest.js';
import { normalizeOptions, type NormalizedCacheOptions } from '../../src/model/open-bundle-options.js';
import { offlineFallback } from '../../src/model/offline-fallback.js';
import { readCachedVersion } from '../../src/model/read-cached-version.js';
import { storeVersion } from '../../src/model/store-version.js';
import type { VerifiedVersion } from '../../src/model/verified-version.js';
import { unique } from './helpers.js';

const hex = async (bytes: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))].map((b) => b.toString(16).padStart(2, '0')).join('');

/** A verified version of `name@version` holding `files` (a tree-ensemble manifest that parses). */
async function version(name: string, ver: string, files: Record<string, Uint8Array>): Promise<VerifiedVersion> {
  const list = await Promise.all(Object.entries(files).map(async ([path, b]) => ({ path, bytes: b.byteLength, sha256: await hex(b) })));
  const manifest = {
    formatVersion: MANIFEST_FORMAT_VERSION,
    name,
    version: ver,
    model: { format: 'tree-ensemble', entry: list[0]!.path },
    schema: list[0]!.path,
    output: { kind: 'regression' },
    files: list,
  };
  const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest));
  const baseUrl = `https://models.example/${encodeURIComponent(name)}/${encodeURIComponent(ver)}/`;
  return {
    manifest,
    manifestBytes,
    id: await hex(manifestBytes),
    baseUrl,
    files: new Map(Object.entries(files)),
    downloadedBytes: 0,
  } as unknown as VerifiedVersion;
}

const recordOf = (v: VerifiedVersion, lastUsed = Date.now()): CachedBundleRecord => ({
  name: v.manifest.name,
  version: v.manifest.version,
  id: v.id,
  baseUrl: v.baseUrl,
  manifest: v.manifestBytes,
  files: v.manifest.files,
  bytes: v.manifest.files.reduce((n, f) => n + f.bytes, 0),
  storedAt: lastUsed,
  lastUsed,
});
const blobsOf = (v: VerifiedVersion) => new Map(v.manifest.files.map((f) => [f.sha256, v.files.get(f.path)!]));
const limits: NormalizedCacheOptions = { dbName: 'unused', maxVersions: 3, maxBytes: 1 << 20, persist: false, bucket: undefined, store: undefined };
const text = (s: string) => new TextEncoder().encode(s);

describe('cache: which version a record is', () => {
  const dbs: string[] = [];
  after(async () => {
    for (const db of dbs)
      await new Promise((resolve) => {
        const r = indexedDB.deleteDatabase(db);
        r.onsuccess = r.onerror = r.onblocked = resolve;
      });
  });
  const open = (): KvStore => {
    const db = unique('identity');
    dbs.push(db);
    return createIdbStore(db);
  };

  it('model "a" never gets model "a@beta": not listed, not served offline, not evicted with it', async () => {
    const store = open();
    await storeVersion(store, await version('a@beta', '1.0.0', { 'm.json': text('{"beta":1}') }), limits);
    await storeVersion(store, await version('a', '2.0.0', { 'm.json': text('{"a":2}') }), limits);
    expect((await listRecords(store, 'a')).map((r) => `${r.name} ${r.version}`)).to.deep.equal(['a 2.0.0']);
    expect(await evict('a', undefined, { store })).to.deep.equal(['a@2.0.0']);
    expect((await listRecords(store)).map((r) => r.name)).to.deep.equal(['a@beta']);
    const offline = await offlineFallback(normalizeOptions({ registry: 'https://models.example/index.json', name: 'a' }), store);
    expect(offline).to.equal(undefined);
    const beta = await offlineFallback(normalizeOptions({ registry: 'https://models.example/index.json', name: 'a@beta' }), store);
    expect(beta?.manifest.name).to.equal('a@beta');
  });

  it('`a@beta` 1.0.0 and `a` beta@1.0.0 have keys of their own; names without `@` or `%` keep their old key', async () => {
    expect(bundleKey('a@beta', '1.0.0')).to.not.equal(bundleKey('a', 'beta@1.0.0'));
    expect(bundleKey('a%40beta', '1')).to.not.equal(bundleKey('a@beta', '1'));
    expect(bundleKey('penguins', '1.2.0')).to.equal('bundle:penguins@1.2.0');
    const store = open();
    await storeVersion(store, await version('a@beta', '1.0.0', { 'm.json': text('{"n":1}') }), limits);
    await storeVersion(store, await version('a', 'beta@1.0.0', { 'm.json': text('{"n":2}') }), limits);
    expect((await listRecords(store)).map((r) => `${r.name} ${r.version}`).sort()).to.deep.equal(['a beta@1.0.0', 'a@beta 1.0.0']);
    expect((await readRecord(store, 'a', 'beta@1.0.0'))?.name).to.equal('a');
    expect((await readRecord(store, 'a@beta', '1.0.0'))?.name).to.equal('a@beta');
  });

  it('a record under the unescaped key an earlier release wrote is still read, listed and evicted, and a new commit replaces it', async () => {
    const store = open();
    const old = await version('a@beta', '1.0.0', { 'm.json': text('{"old":1}') });
    const legacy = 'bundle:a@beta@1.0.0';
    await store.run('readwrite', async (tx) => {
      tx.put(blobKey(old.manifest.files[0]!.sha256), old.files.get('m.json')!.slice().buffer);
      tx.put(legacy, recordOf(old));
    });
    const record = await readRecord(store, 'a@beta', '1.0.0');
    expect(record?.name).to.equal('a@beta');
    expect((await readCachedVersion(store, record!, undefined))?.manifest.name).to.equal('a@beta');
    // The same key read as `a` beta@1.0.0 is someone else's record: a miss, and it stays.
    expect(await readRecord(store, 'a', 'beta@1.0.0')).to.equal(undefined);
    const reasons: string[] = [];
    expect(await readCachedVersion(store, record!, undefined, (r) => reasons.push(r), undefined, { name: 'a', version: 'beta@1.0.0' })).to.equal(undefined);
    expect(reasons.join()).to.contain('a@beta@1.0.0');
    expect((await listRecords(store, 'a@beta')).length).to.equal(1);
    await commitVersion(store, recordOf(old), blobsOf(old), limits);
    const keys = await store.run('readonly', (tx) => tx.keys('bundle:'));
    expect(keys).to.deep.equal([bundleKey('a@beta', '1.0.0')]);
    await store.run('readwrite', async (tx) => tx.put(legacy, recordOf(old)));
    expect(await dropVersions(store, 'a@beta', ['1.0.0'])).to.have.length(2);
    expect(await store.run('readonly', (tx) => tx.keys(''))).to.deep.equal([]);
  });

  it('a record whose manifest is of another version is a miss with the reason, and is dropped', async () => {
    const store = open();
    const v = await version('m', '1.0.0', { 'm.json': text('{"v":1}') });
    const lying = { ...recordOf(v), version: '9.9.9' };
    await commitVersion(store, lying, blobsOf(v), limits);
    const reasons: string[] = [];
    expect(await readCachedVersion(store, lying, undefined, (r) => reasons.push(r))).to.equal(undefined);
    expect(reasons.join()).to.contain('m@1.0.0');
    expect(await listRecords(store)).to.deep.equal([]);
  });

  it('one missing blob is a miss for that file only: the record and the other blobs stay', async () => {
    const store = open();
    const big = new Uint8Array(1000).fill(9);
    const v = await version('m', '1', { 'm.json': text('{}'), 'w.bin': big });
    await storeVersion(store, v, limits);
    const [small, heavy] = v.manifest.files;
    await store.run('readwrite', async (tx) => tx.del(blobKey(small!.sha256)));
    const reasons: string[] = [];
    expect(await readCachedVersion(store, (await readRecord(store, 'm', '1'))!, undefined, (r) => reasons.push(r))).to.equal(undefined);
    expect(reasons.join()).to.contain('blob of m.json is missing');
    expect(await readRecord(store, 'm', '1')).to.not.equal(undefined);
    expect((await readBlobs(store, [heavy!.sha256])).size).to.equal(1);
  });

  /** `store` whose storage.estimate() reports `quota` and, as usage, the bytes of the blobs it holds. */
  const withQuota = (store: KvStore, quota: number): KvStore => {
    const usage = () => store.run('readonly', async (tx) => (await tx.entries<ArrayBuffer>('blob:')).reduce((n, [, b]) => n + b.byteLength, 0));
    return { ...store, storage: { estimate: async () => ({ quota, usage: await usage() }), persist: async () => false, persisted: async () => false } };
  };

  it('quota pre-check: eviction makes room for the next version, so a full cache keeps taking new ones', async () => {
    const store = withQuota(open(), 1000);
    const tight = { ...limits, maxVersions: 1, maxBytes: 700 };
    for (const v of ['1', '2', '3']) {
      const { status } = await storeVersion(store, await version('m', v, { 'w.bin': new Uint8Array(600).fill(Number(v)) }), tight);
      expect(status, v).to.deep.include({ memoryOnly: false });
      expect((await listRecords(store)).map((r) => r.version)).to.deep.equal([v]);
    }
    // Storage already over its quota (records, other data): a version replacing one of the same size still goes in.
    const over = withQuota(store, 500);
    const { status } = await storeVersion(over, await version('m', '4', { 'w.bin': new Uint8Array(600).fill(4) }), tight);
    expect(status).to.deep.include({ memoryOnly: false });
  });

  it('quota pre-check: a blob already stored is not counted again; what does not fit is still refused', async () => {
    const store = withQuota(open(), 1000);
    const big = new Uint8Array(600).fill(7);
    expect((await storeVersion(store, await version('m', '1', { 'w.bin': big, 'm.json': text('{"v":1}') }), limits)).status.memoryOnly).to.equal(false);
    expect((await storeVersion(store, await version('m', '2', { 'w.bin': big, 'm.json': text('{"v":2}') }), limits)).status.memoryOnly).to.equal(false);
    const { status } = await storeVersion(store, await version('m', '3', { 'w.bin': new Uint8Array(600), 'm.json': text('{"v":3}') }), limits);
    expect(status).to.deep.include({ memoryOnly: true, code: 'QUOTA_EXCEEDED' });
    expect(status.reason).to.contain('needs 607 more');
  });
});
