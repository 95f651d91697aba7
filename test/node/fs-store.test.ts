// The file-system KvStore (src/node/cache/fs-store.ts) on its own: transactions, bytes, long keys,
// atomic writes, the order of a transaction's writes, and the coded errors of `fileCache` and
// `cache.store`; then the cache layer's commit/evict on it, as the IndexedDB store does it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { commitVersion, dropVersions, listRecords, readBlobs } from '../../src/cache/bundle-cache.js';
import { openStore } from '../../src/cache/open-store.js';
import { blobKey } from '../../src/cache/records.js';
import { isFerryError } from '../../src/errors.js';
import { normalizeOptions } from '../../src/model/open-bundle-options.js';
import { fileCache } from '../../src/node/entry.js';
import { createFsStore } from '../../src/node/cache/fs-store.js';
import { tempDir } from './support/temp-dir.js';

const sha = (n: number) => n.toString(16).padStart(64, '0');
const record = (version: string, shas: string[], lastUsed: number) => ({
  name: 'm',
  version,
  id: version,
  baseUrl: 'https://x/',
  manifest: new Uint8Array([1]),
  files: shas.map((s, i) => ({ path: `f${i}`, bytes: 10, sha256: s })),
  bytes: 10 * shas.length,
  storedAt: lastUsed,
  lastUsed,
});

test('a transaction reads its own writes; they reach disk only when the body succeeds', async () => {
  const store = createFsStore(tempDir('ferryml-fs-store-'));
  assert.equal(store.kind, 'file-system');
  await store.run('readwrite', async (tx) => {
    tx.put('bundle:a@1', { name: 'a', manifest: new Uint8Array([1, 2, 3]) });
    tx.put(blobKey(sha(1)), new Uint8Array([9, 8, 7]));
    assert.deepEqual(await tx.get('bundle:a@1'), { name: 'a', manifest: new Uint8Array([1, 2, 3]) });
    assert.equal(await tx.has(blobKey(sha(1))), true);
  });
  await assert.rejects(
    store.run('readwrite', async (tx) => {
      tx.put('bundle:b@1', { name: 'b' });
      tx.del('bundle:a@1');
      throw new Error('body failed');
    }),
    /body failed/,
  );
  const seen = await store.run('readonly', async (tx) => ({
    a: await tx.get<{ manifest: Uint8Array }>('bundle:a@1'),
    b: await tx.has('bundle:b@1'),
    blob: await tx.get<Uint8Array>(blobKey(sha(1))),
    keys: await tx.keys(''),
    bundles: await tx.entries('bundle:'),
  }));
  assert.deepEqual(seen.a?.manifest, new Uint8Array([1, 2, 3]), 'bytes inside a record come back as bytes');
  assert.equal(seen.b, false, 'the failed transaction wrote nothing');
  assert.deepEqual(seen.blob, new Uint8Array([9, 8, 7]));
  assert.deepEqual(seen.keys, [blobKey(sha(1)), 'bundle:a@1']);
  assert.equal(seen.bundles.length, 1);
  await assert.rejects(
    store.run('readonly', async (tx) => tx.put('x', 1)),
    (e: Error) => e.name === 'ReadOnlyError',
  );
});

test('long keys (registry URLs) are stored under a hashed name and listed by their key; nothing is left in tmp/', async () => {
  const dir = tempDir('ferryml-fs-store-');
  const store = createFsStore(dir);
  const key = `registry:https://models.example.com/${'deep/'.repeat(80)}index.json?x=*`;
  await store.run('readwrite', async (tx) => tx.put(key, { url: 'u' }));
  assert.deepEqual(await store.run('readonly', (tx) => tx.entries('registry:')), [[key, { url: 'u' }]]);
  const names = await readdir(join(dir, 'records'));
  assert.equal(names.length, 1);
  assert.ok(names[0]!.length < 100, names[0]);
  assert.deepEqual(await readdir(join(dir, 'tmp')), []);
});

test('a record file torn on disk reads as a miss, and the next write replaces it', async () => {
  const dir = tempDir('ferryml-fs-store-');
  const store = createFsStore(dir);
  await store.run('readwrite', async (tx) => tx.put('bundle:a@1', { v: 1 }));
  const [name] = await readdir(join(dir, 'records'));
  await writeFile(join(dir, 'records', name!), '{"key":"bundle:a@1","val');
  assert.equal(await store.run('readonly', (tx) => tx.get('bundle:a@1')), undefined);
  await store.run('readwrite', async (tx) => tx.put('bundle:a@1', { v: 2 }));
  assert.deepEqual(await store.run('readonly', (tx) => tx.get('bundle:a@1')), { v: 2 });
});

test('commit, eviction by maxBytes and blob collection work on disk as on IndexedDB', async () => {
  const dir = tempDir('ferryml-fs-store-');
  const store = fileCache(dir);
  const blobs = new Map([1, 2, 3].map((n) => [sha(n), new Uint8Array(10).fill(n)]));
  await commitVersion(store, record('1', [sha(1), sha(2)], 1), blobs, { maxVersions: 5, maxBytes: 1000 });
  const evicted = await commitVersion(store, record('2', [sha(2), sha(3)], 2), blobs, { maxVersions: 5, maxBytes: 25 });
  assert.deepEqual(evicted, ['m@1'], 'over maxBytes: the least recently used version goes');
  assert.deepEqual((await readdir(join(dir, 'blobs'))).sort(), [sha(2), sha(3)], 'the blob only m@1 named is collected; the shared one stays');
  assert.deepEqual((await readBlobs(store, [sha(3)])).get(sha(3)), new Uint8Array(10).fill(3));
  assert.deepEqual(await readFile(join(dir, 'blobs', sha(3))), Buffer.alloc(10, 3));
  await dropVersions(store, 'm', ['2']);
  assert.deepEqual(await listRecords(store), []);
  assert.deepEqual(await readdir(join(dir, 'blobs')), []);
  const estimate = await store.storage!.estimate();
  assert.equal(estimate.usage, 0);
  assert.ok(Number(estimate.quota) > 0);
});

test('fileCache: one handle per directory; a bad directory is INVALID_OPTIONS, an unusable one falls back to memory with its reason', async () => {
  const dir = tempDir('ferryml-fs-store-');
  assert.equal(fileCache(dir), fileCache(join(dir, '.')));
  assert.equal((await fileCache(dir, { quota: 1234 }).storage!.estimate()).quota, 1234);
  assert.throws(
    () => fileCache(dir, { quota: -1 }),
    (e: unknown) => isFerryError(e) && e.code === 'INVALID_OPTIONS' && e.details.option === 'quota',
  );
  for (const bad of ['', undefined, 42]) {
    assert.throws(
      () => fileCache(bad as string),
      (e: unknown) => isFerryError(e) && e.code === 'INVALID_OPTIONS' && /fileCache: `dir`/.test(e.message),
    );
  }
  // A regular file where the directory should be: the probe fails, the load keeps working in memory.
  const file = join(dir, 'not-a-dir');
  await writeFile(file, 'x');
  const opened = await openStore('ferryml', undefined, fileCache(file));
  assert.equal(opened.store.kind, 'memory');
  assert.ok(opened.problem, 'the probe of a file where the directory should be fails');
  assert.equal(opened.problem.code, 'CACHE_UNAVAILABLE');
  assert.match(opened.problem.reason, /file-system cache store .*not-a-dir failed/);
});

test('cache.store: anything but a KvStore, or one with a bucket, is INVALID_OPTIONS naming cache.store', () => {
  const base = { bundle: 'https://models.example.com/penguins/1.0.0/' };
  for (const store of [null, 'dir', {}, { run: () => undefined }, { run: () => undefined, kind: 'x' }]) {
    assert.throws(
      () => normalizeOptions({ ...base, cache: { store: store as never } }),
      (e: unknown) => isFerryError(e) && e.code === 'INVALID_OPTIONS' && e.details.option === 'cache.store',
      JSON.stringify(store),
    );
  }
  const store = fileCache(tempDir('ferryml-fs-store-'));
  assert.equal((normalizeOptions({ ...base, cache: { store } }).cache as { store: unknown }).store, store);
  assert.throws(
    () => normalizeOptions({ ...base, cache: { store, bucket: 'models' } }),
    (e: unknown) => isFerryError(e) && e.code === 'INVALID_OPTIONS' && e.details.option === 'cache.bucket',
  );
});

// A child process under `ulimit -f 200` (200 KiB): its write of a 400 KiB blob fails with EFBIG, a
// real fault, as a full disk (ENOSPC) or a disk quota (EDQUOT) would.
const fullDiskChild = (dir: string) => `
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { storeVersion } from ${JSON.stringify(pathToFileURL(resolve('src/model/store-version.ts')).href)};
import { MANIFEST_FORMAT_VERSION } from ${JSON.stringify(pathToFileURL(resolve('src/model/manifest.ts')).href)};
import { fileCache } from ${JSON.stringify(pathToFileURL(resolve('src/node/entry.ts')).href)};
const dir = ${JSON.stringify(dir)};
const hex = (b) => createHash('sha256').update(b).digest('hex');
const files = { 'small.bin': new Uint8Array(1000).fill(3), 'big.bin': new Uint8Array(400 * 1024).fill(1) };
const list = Object.entries(files).map(([path, b]) => ({ path, bytes: b.byteLength, sha256: hex(b) }));
const manifest = { formatVersion: MANIFEST_FORMAT_VERSION, name: 'm', version: '1', model: { format: 'tree-ensemble', entry: 'small.bin' }, schema: 'small.bin', output: { kind: 'regression' }, files: list };
const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest));
const version = { manifest, manifestBytes, id: hex(manifestBytes), baseUrl: 'https://x/m/1/', files: new Map(Object.entries(files)), downloadedBytes: 0 };
const { status } = await storeVersion(fileCache(dir), version, { maxVersions: 2, maxBytes: 1e9, persist: false });
const ls = (d) => readdirSync(join(dir, d));
console.log(JSON.stringify({ status, tmp: ls('tmp'), blobs: ls('blobs'), records: ls('records') }));
`;

test(
  'a write over the disk (EFBIG under ulimit -f) is QUOTA_EXCEEDED naming the directory and the error; nothing stays in tmp/ or blobs/',
  { skip: process.platform === 'win32' && 'needs bash and ulimit' },
  async () => {
    const dir = tempDir('ferryml-fs-full-');
    const { stdout } = await promisify(execFile)(
      'bash',
      ['-c', 'ulimit -f 200 && exec "$0" --import tsx --input-type=module -e "$1"', process.execPath, fullDiskChild(dir)],
      { timeout: 60_000 },
    );
    const out = JSON.parse(stdout) as { status: { memoryOnly: boolean; code?: string; reason?: string }; tmp: string[]; blobs: string[]; records: string[] };
    assert.deepEqual(out.tmp, [], 'the partial temporary file is removed');
    assert.deepEqual(out.blobs, [], 'the small blob written before the failure is taken back');
    assert.deepEqual(out.records, []);
    assert.equal(out.status.memoryOnly, true);
    assert.equal(out.status.code, 'QUOTA_EXCEEDED', out.status.reason);
    assert.match(out.status.reason!, /file-system cache /);
    assert.ok(out.status.reason!.includes(resolve(dir)), out.status.reason);
    assert.match(out.status.reason!, /EFBIG/);
    assert.doesNotMatch(out.status.reason!, /IndexedDB/);
  },
);

test('a commit that fails midway takes back its temporary file and the blobs it added; the error names the store, the file and the OS error', async () => {
  const dir = tempDir('ferryml-fs-store-');
  const store = createFsStore(dir);
  const blobs = new Map([1, 2, 3].map((n) => [sha(n), new Uint8Array(10).fill(n)]));
  await commitVersion(store, record('1', [sha(1)], 1), blobs, { maxVersions: 5, maxBytes: 1000 });
  // A directory where blob 3 goes: its rename fails (EISDIR) after blob 2 landed, before the record.
  await mkdir(join(dir, 'blobs', sha(3)));
  const error = await store
    .run('readwrite', async (tx) => {
      tx.put(blobKey(sha(2)), blobs.get(sha(2)));
      tx.put(blobKey(sha(3)), blobs.get(sha(3)));
      tx.put('bundle:m@2', record('2', [sha(1), sha(2), sha(3)], 2));
    })
    .then(
      () => assert.fail('the commit should fail'),
      (e: unknown) => e as Error,
    );
  await rm(join(dir, 'blobs', sha(3)), { recursive: true });
  assert.deepEqual(await readdir(join(dir, 'tmp')), [], 'no temporary file is left');
  assert.deepEqual(await readdir(join(dir, 'blobs')), [sha(1)], 'the blob the failed commit added is removed; the one m@1 names stays');
  assert.deepEqual(await listRecords(store), [record('1', [sha(1)], 1)]);
  assert.match(error.message, new RegExp(`^file-system cache .*: writing blobs/${sha(3)} \\(EISDIR`));
  assert.ok(error.message.includes(resolve(dir)), error.message);
  assert.equal((error as { code?: string }).code, 'EISDIR');
});

test('what a killed process leaves is cleaned up: a blob no record names by the next commit, a stale temporary file every 10 minutes', async () => {
  const dir = tempDir('ferryml-fs-store-');
  const store = createFsStore(dir);
  const blobs = new Map([1, 2].map((n) => [sha(n), new Uint8Array(10).fill(n)]));
  const limits = { maxVersions: 5, maxBytes: 1000 };
  await commitVersion(store, record('1', [sha(1)], 1), blobs, limits);
  await writeFile(join(dir, 'blobs', sha(9)), 'orphan');
  await writeFile(join(dir, 'tmp', 'killed.tmp'), 'partial');
  const old = new Date(Date.now() - 60 * 60 * 1000);
  await utimes(join(dir, 'tmp', 'killed.tmp'), old, old);
  await commitVersion(store, record('2', [sha(2)], 2), blobs, limits);
  assert.deepEqual((await readdir(join(dir, 'blobs'))).sort(), [sha(1), sha(2)], 'the orphan blob is collected');
  assert.deepEqual(await readdir(join(dir, 'tmp')), ['killed.tmp'], 'not swept on every transaction');
  const now = Date.now;
  Date.now = () => now() + 11 * 60 * 1000;
  try {
    await store.run('readonly', (tx) => tx.has('meta:probe'));
  } finally {
    Date.now = now;
  }
  assert.deepEqual(await readdir(join(dir, 'tmp')), [], 'a long-running process sweeps tmp/ again');
});

test('fileCache: handles on one directory with different quotas share one queue — their transactions never interleave', async () => {
  const dir = tempDir('ferryml-fs-store-');
  const plain = fileCache(dir);
  const quoted = fileCache(dir, { quota: 1234 });
  assert.notEqual(plain, quoted);
  assert.equal(quoted.name, plain.name);
  assert.equal((await quoted.storage!.estimate()).quota, 1234, 'the quota is the handle’s own');
  assert.notEqual((await plain.storage!.estimate()).quota, 1234);
  const order: string[] = [];
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  // Without one queue, the second handle's collection would run while the first is between its blob and its record.
  const first = plain.run('readwrite', async (tx) => {
    order.push('first starts');
    await gate;
    tx.put(blobKey(sha(1)), new Uint8Array([1]));
    order.push('first ends');
  });
  const second = quoted.run('readwrite', async () => {
    order.push('second starts');
  });
  await new Promise((r) => setTimeout(r, 50));
  open();
  await Promise.all([first, second]);
  assert.deepEqual(order, ['first starts', 'first ends', 'second starts']);
});

test('fileCache: a directory is named by its real path — through a symbolic link, or not made yet', async () => {
  const dir = tempDir('ferryml-fs-store-');
  const link = join(tempDir('ferryml-fs-link-'), 'cache');
  await symlink(dir, link);
  assert.equal(fileCache(link), fileCache(dir));
  assert.equal(fileCache(join(link, 'sub')), fileCache(join(dir, 'sub')));
  assert.equal(fileCache(join(link, 'sub')).name, join(fileCache(dir).name, 'sub'));
});
