// The fault matrix: each fault comes from the test server (test/server/faults.mjs) as a real
// HTTP response or a real broken connection. For each: the right FerryError code or the right
// fallback, and afterwards the cache holds only verified data.
import { expect } from 'chai';
import { createStore, set } from 'idb-keyval';
import { listCached, storageEstimate } from '../../src/cache/manage.js';
import { openBundle } from '../../src/entries/bundle.js';
import { type OpenBundleOptions } from '../../src/index.js';
import {
  FIXTURES,
  REGISTRY,
  control,
  expectFerryError,
  expectVerifiedCache,
  fault,
  requestCount,
  stopWatching,
  unique,
  watchRequests,
  type SeenRequest,
} from './helpers.js';

const SHARD = 'group1-shard1of1.bin';
/** Fast retries so the matrix stays quick; Retry-After is honoured regardless. */
const quick = (dbName: string): Partial<OpenBundleOptions> => ({ cache: { dbName }, retries: 2, backoffMs: 10, downloadTimeoutMs: 5000 });

describe('openBundle: fault matrix', () => {
  it('500: retries with backoff and succeeds when the server recovers', async () => {
    const scope = unique('500');
    const db = unique('500');
    const bundle = await openBundle({
      registry: fault(`scope=${scope},on=${SHARD},status=500,times=2`, REGISTRY),
      name: 'tiny',
      version: '1.0.0',
      ...quick(db),
    });
    expect(bundle.source).to.equal('network');
    expect(await requestCount(scope, SHARD)).to.equal(3);
    expect((await expectVerifiedCache(db)).versions).to.deep.equal(['tiny@1.0.0']);
  });

  it('500 that persists: HTTP_ERROR with the status and attempts, and nothing cached', async () => {
    const db = unique('500p');
    const e = await expectFerryError(
      openBundle({ registry: fault(`on=${SHARD},status=500`, REGISTRY), name: 'tiny', version: '1.0.0', ...quick(db) }),
      'HTTP_ERROR',
    );
    expect(e.details).to.include({ status: 500, attempts: 3 });
    expect(e.message).to.contain(SHARD);
    expect(await expectVerifiedCache(db)).to.deep.equal({ versions: [], blobs: 0 });
  });

  it('404 is not retried', async () => {
    const scope = unique('404');
    const e = await expectFerryError(
      openBundle({ registry: fault(`scope=${scope},on=${SHARD},status=404`, REGISTRY), name: 'tiny', version: '1.0.0', ...quick(unique('404')) }),
      'HTTP_ERROR',
    );
    expect(e.details).to.include({ status: 404, attempts: 1 });
    expect(await requestCount(scope, SHARD)).to.equal(1);
  });

  it('429 with Retry-After: waits as long as the server asks, then succeeds', async () => {
    const scope = unique('429');
    const started = performance.now();
    // backoffMs 0: any wait comes from the Retry-After header alone.
    const bundle = await openBundle({
      registry: fault(`scope=${scope},on=${SHARD},status=429,retry-after=1,times=1`, REGISTRY),
      name: 'tiny',
      version: '1.0.0',
      cache: false,
      backoffMs: 0,
    });
    expect(performance.now() - started).to.be.at.least(950);
    expect(bundle.manifest.version).to.equal('1.0.0');
    expect(await requestCount(scope, SHARD)).to.equal(2);
  });

  it('a hang: TIMEOUT after downloadTimeoutMs per attempt, and nothing cached', async () => {
    const db = unique('hang');
    const e = await expectFerryError(
      openBundle({
        registry: fault(`on=${SHARD},hang`, REGISTRY),
        name: 'tiny',
        version: '1.0.0',
        cache: { dbName: db },
        downloadTimeoutMs: 300,
        retries: 1,
        backoffMs: 10,
      }),
      'TIMEOUT',
    );
    expect(e.details).to.include({ timeoutMs: 300, attempts: 2 });
    expect(await expectVerifiedCache(db)).to.deep.equal({ versions: [], blobs: 0 });
  });

  it('a truncated shard (short body): SIZE_MISMATCH, nothing cached', async () => {
    const db = unique('trunc');
    const e = await expectFerryError(
      openBundle({ registry: fault(`on=${SHARD},truncate`, REGISTRY), name: 'tiny', version: '1.0.0', ...quick(db) }),
      'SIZE_MISMATCH',
    );
    expect(e.details).to.include({ expectedBytes: 124, gotBytes: 62 });
    expect(await expectVerifiedCache(db)).to.deep.equal({ versions: [], blobs: 0 });
  });

  it('a connection cut mid-shard: retried as a network error, then succeeds', async () => {
    const scope = unique('cut');
    const db = unique('cut');
    const bundle = await openBundle({ registry: fault(`scope=${scope},on=${SHARD},cut,times=1`, REGISTRY), name: 'tiny', version: '1.0.0', ...quick(db) });
    expect(bundle.source).to.equal('network');
    expect(await requestCount(scope, SHARD)).to.equal(2);
    expect((await expectVerifiedCache(db)).versions).to.deep.equal(['tiny@1.0.0']);
  });

  it('a shard with flipped bytes: INTEGRITY_MISMATCH with both hashes, nothing of it cached', async () => {
    const db = unique('flip');
    const e = await expectFerryError(
      openBundle({ registry: fault(`on=${SHARD},flip`, REGISTRY), name: 'tiny', version: '1.0.0', ...quick(db) }),
      'INTEGRITY_MISMATCH',
    );
    expect(e.details.expected).to.match(/^[0-9a-f]{64}$/);
    expect(e.details.got).to.match(/^[0-9a-f]{64}$/);
    expect(e.details.got).not.to.equal(e.details.expected);
    expect(await expectVerifiedCache(db)).to.deep.equal({ versions: [], blobs: 0 });
  });

  it('an HTML 404 page served as model.json: UNEXPECTED_CONTENT (200 text/html, or mislabelled as JSON), HTTP_ERROR as a real 404', async () => {
    const db = unique('html');
    const asHtml = await expectFerryError(
      openBundle({ registry: fault('on=model.json,html', REGISTRY), name: 'tiny', version: '1.0.0', ...quick(db) }),
      'UNEXPECTED_CONTENT',
    );
    expect(asHtml.message).to.contain('model.json').and.to.contain('HTML');
    await expectFerryError(
      openBundle({ registry: fault('on=model.json,html,type=application%2Fjson', REGISTRY), name: 'tiny', version: '1.0.0', ...quick(db) }),
      'UNEXPECTED_CONTENT',
    );
    await expectFerryError(
      openBundle({ registry: fault('on=model.json,html,status=404', REGISTRY), name: 'tiny', version: '1.0.0', ...quick(db) }),
      'HTTP_ERROR',
    );
    await expectFerryError(openBundle({ registry: fault('on=index.json,html', REGISTRY), name: 'tiny', ...quick(db) }), 'UNEXPECTED_CONTENT');
    expect(await expectVerifiedCache(db)).to.deep.equal({ versions: [], blobs: 0 });
  });

  it('offline after the first load: the cached version, reported as offline; a fresh client gets OFFLINE_NO_CACHED_VERSION', async () => {
    const scope = unique('offline');
    const db = unique('offline');
    const registry = fault(`scope=${scope}`, REGISTRY);
    const clientId = 'offline-client';
    const online = await openBundle({ registry, name: 'tiny', clientId, ...quick(db) });
    await control(scope, 'offline=1');
    try {
      const offline = await openBundle({ registry, name: 'tiny', clientId, ...quick(db) });
      expect([offline.source, offline.resolvedBy]).to.deep.equal(['offline', 'offline-fallback']);
      expect(offline.id).to.equal(online.id);
      expect(offline.fallback?.error.code).to.equal('NETWORK_ERROR');
      const fresh = await expectFerryError(openBundle({ registry, name: 'tiny', clientId, ...quick(unique('fresh')) }), 'OFFLINE_NO_CACHED_VERSION');
      expect((fresh as Error).cause).to.have.property('code', 'NETWORK_ERROR');
    } finally {
      await control(scope, 'offline=0');
    }
  });

  it('connection refused with a verified version cached: one retry, then the fallback (not the whole backoff schedule); with nothing cached, every retry', async () => {
    const scope = unique('refused');
    const db = unique('refused');
    const registry = fault(`scope=${scope}`, REGISTRY);
    // Many retries: the cached client must stop after one, the fresh client must use them all.
    const options = { registry, name: 'tiny', clientId: 'refused-client', retries: 5, backoffMs: 10, downloadTimeoutMs: 5000 };
    const online = await openBundle({ ...options, cache: { dbName: db } });
    await control(scope, 'offline=1');
    await watchRequests(`/__fault/scope=${scope}/*`);
    let seen: SeenRequest[];
    let fresh: Error;
    try {
      const offline = await openBundle({ ...options, cache: { dbName: db } });
      expect([offline.source, offline.resolvedBy, offline.id]).to.deep.equal(['offline', 'offline-fallback', online.id]);
      expect(offline.fallback?.error.code).to.equal('NETWORK_ERROR');
      expect(offline.fallback?.error.details.attempts).to.equal(2);
      fresh = await expectFerryError(openBundle({ ...options, cache: { dbName: unique('refused-fresh') } }), 'OFFLINE_NO_CACHED_VERSION');
    } finally {
      seen = await stopWatching();
      await control(scope, 'offline=0');
    }
    expect(fresh.cause).to.have.nested.property('details.attempts', 6);
    // Counted by Chromium (the server would also see its silent resends on dead keep-alive sockets).
    // The SDK's own counts above are exact; Chromium's view confirms no request beyond them. Its
    // event for the very last failed request may not have arrived yet when watching stops, so
    // the view holds 2 + 6 requests, or one fewer — never more, and only the registry.
    const names = seen.map((r) => new URL(r.url).pathname.split('/').pop());
    expect(
      names.every((n) => n === 'index.json'),
      names.join(', '),
    ).to.equal(true);
    expect(names.length).to.be.within(2 + 6 - 1, 2 + 6);
    // (Chromium's failure event may trail the rejection the page saw; the ones in are all this.)
    expect(new Set(seen.map((r) => r.error ?? 'net::ERR_EMPTY_RESPONSE'))).to.deep.equal(new Set(['net::ERR_EMPTY_RESPONSE']));
  });

  it('navigator.onLine false: one request, no retries, straight to the cached version; a fresh client fails at once', async () => {
    const scope = unique('onlinefalse');
    const db = unique('onlinefalse');
    const registry = fault(`scope=${scope}`, REGISTRY);
    const options = { registry, name: 'tiny', clientId: 'offline-browser', retries: 5, backoffMs: 10, downloadTimeoutMs: 5000 };
    const online = await openBundle({ ...options, cache: { dbName: db } });
    await watchRequests(`/__fault/scope=${scope}/*`, { offline: true });
    let seen: SeenRequest[];
    let fresh: Error;
    try {
      expect(navigator.onLine).to.equal(false);
      const offline = await openBundle({ ...options, cache: { dbName: db } });
      expect([offline.source, offline.resolvedBy, offline.id]).to.deep.equal(['offline', 'offline-fallback', online.id]);
      expect(offline.fallback?.error.code).to.equal('NETWORK_ERROR');
      expect(offline.fallback?.error.details).to.include({ attempts: 1, offline: true });
      expect(offline.fallback?.error.message).to.contain('navigator.onLine is false');
      fresh = await expectFerryError(openBundle({ ...options, cache: { dbName: unique('onlinefalse-fresh') } }), 'OFFLINE_NO_CACHED_VERSION');
    } finally {
      seen = await stopWatching();
    }
    expect(fresh.cause).to.have.nested.property('details.attempts', 1);
    // One registry request per load (a server on this machine or LAN could still answer it), none retried.
    expect(seen.map((r) => r.url)).to.deep.equal(Array(2).fill(new URL(registry, location.href).href));
    expect(new Set(seen.map((r) => r.error ?? 'net::ERR_INTERNET_DISCONNECTED'))).to.deep.equal(new Set(['net::ERR_INTERNET_DISCONNECTED']));
  });

  it('the new version fails to download (503): falls back to the previous cached version and says which was wanted', async () => {
    const db = unique('prev');
    await openBundle({ registry: REGISTRY, name: 'tiny', version: '1.0.0', ...quick(db) });
    // stable is 1.1.0; its files answer 503, so the client keeps running 1.0.0.
    const bundle = await openBundle({ registry: fault('on=1.1.0%2F,status=503', REGISTRY), name: 'tiny', clientId: 'not-in-canary-7', ...quick(db) });
    expect(bundle.manifest.version).to.equal('1.0.0');
    expect(bundle.source).to.equal('offline');
    expect(bundle.fallback).to.deep.include({ wanted: '1.1.0' });
    expect(bundle.fallback?.error.code).to.equal('HTTP_ERROR');
    // A pin never falls back to another version.
    await expectFerryError(openBundle({ registry: fault('on=1.1.0%2F,status=503', REGISTRY), name: 'tiny', version: '1.1.0', ...quick(db) }), 'HTTP_ERROR');
    expect((await expectVerifiedCache(db)).versions).to.deep.equal(['tiny@1.0.0']);
  });

  it('quota: a bundle over the byte budget is used from memory and reported, nothing stored', async () => {
    const db = unique('budget');
    const bundle = await openBundle({ registry: REGISTRY, name: 'tiny', version: '1.0.0', cache: { dbName: db, maxBytes: 1000 } });
    expect(bundle.cache).to.deep.include({ memoryOnly: true, code: 'QUOTA_EXCEEDED' });
    expect(bundle.cache.reason).to.contain('maxBytes=1000');
    expect(await expectVerifiedCache(db)).to.deep.equal({ versions: [], blobs: 0 });
  });

  it('quota: a storage bucket whose real quota the estimate says is too small → memory only, nothing written', async () => {
    const bucket = { name: unique('tight').toLowerCase(), quota: 1000 };
    const bundle = await openBundle({ registry: REGISTRY, name: 'tiny', version: '1.0.0', cache: { dbName: 'ferryml', bucket } });
    expect(bundle.cache).to.deep.include({ memoryOnly: true, code: 'QUOTA_EXCEEDED' });
    expect(bundle.cache.reason).to.contain('estimate');
    expect(await listCached({ dbName: 'ferryml', bucket })).to.deep.equal([]);
  });

  it('quota: Chromium itself aborts the write with QuotaExceededError (bucket quota just above the bundle size) → memory only, previous state intact', async () => {
    // What the cache database holds just before the commit (registry snapshot included), measured
    // in a roomy bucket where a 1-byte budget stops the load right there.
    const probe = { name: unique('probe').toLowerCase(), quota: 1_000_000 };
    await openBundle({ registry: REGISTRY, name: 'tiny', version: '1.0.0', cache: { dbName: 'ferryml', bucket: probe, maxBytes: 1 } });
    const empty = (await storageEstimate({ dbName: 'ferryml', bucket: probe }))!.usage;
    // The estimate then says the bundle fits; IndexedDB's own overhead does not. The abort is Chromium's.
    const bucket = { name: unique('edge').toLowerCase(), quota: empty + 2855 + 16 };
    const bundle = await openBundle({ registry: REGISTRY, name: 'tiny', version: '1.0.0', cache: { dbName: 'ferryml', bucket } });
    expect(bundle.bytes).to.equal(2855);
    expect(bundle.cache).to.deep.include({ memoryOnly: true, code: 'QUOTA_EXCEEDED' });
    expect(bundle.cache.reason).to.contain('QuotaExceededError');
    expect(await listCached({ dbName: 'ferryml', bucket })).to.deep.equal([]);
    const ok = await openBundle({
      registry: REGISTRY,
      name: 'tiny',
      version: '1.0.0',
      cache: { dbName: 'ferryml', bucket: { name: unique('roomy').toLowerCase(), quota: 1_000_000 } },
    });
    expect(ok.cache).to.deep.include({ memoryOnly: false });
    expect(ok.cache.bucket).to.match(/^roomy-/);
  });

  it('IndexedDB unusable (the database exists without our object store): memory only, reported, and a second load is served from page memory', async () => {
    const db = unique('noidb');
    // A real broken database: created by someone else at version 1 with a different store, so
    // opening it works but every transaction on "bundles" throws NotFoundError.
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.open(db, 1);
      req.onupgradeneeded = () => req.result.createObjectStore('something-else');
      req.onsuccess = () => {
        req.result.close();
        resolve();
      };
      req.onerror = () => reject(req.error ?? new Error('indexedDB.open failed'));
    });
    const scope = unique('noidb');
    const registry = fault(`scope=${scope}`, REGISTRY);
    const first = await openBundle({ registry, name: 'tiny', version: '1.0.0', cache: { dbName: db } });
    expect(first.cache).to.deep.include({ memoryOnly: true, code: 'CACHE_UNAVAILABLE' });
    expect(first.cache.reason).to.contain('NotFoundError');
    const second = await openBundle({ registry, name: 'tiny', version: '1.0.0', cache: { dbName: db } });
    expect(second.source).to.equal('cache');
    expect(second.cache.memoryOnly).to.equal(true);
    expect(await requestCount(scope, SHARD)).to.equal(1);
  });

  it('cache: false never touches storage', async () => {
    const bundle = await openBundle({ registry: REGISTRY, name: 'tiny', version: '1.0.0', cache: false });
    expect(bundle.cache).to.deep.equal({ persisted: false, memoryOnly: true, code: 'CACHE_DISABLED', reason: 'cache: false' });
  });

  it('a corrupted cached blob is caught on read, dropped, and the version downloaded again', async () => {
    const db = unique('rot');
    const first = await openBundle({ registry: REGISTRY, name: 'tiny', version: '1.0.0', cache: { dbName: db } });
    const shard = first.manifest.files.find((f) => f.path === SHARD)!;
    // Bit rot (or a tampering extension) behind the SDK's back.
    await set(`blob:${shard.sha256}`, new Uint8Array(shard.bytes).buffer, createStore(db, 'bundles'));
    const again = await openBundle({ registry: REGISTRY, name: 'tiny', version: '1.0.0', cache: { dbName: db } });
    expect(again.source).to.equal('network');
    expect((await expectVerifiedCache(db)).versions).to.deep.equal(['tiny@1.0.0']);
  });

  it('from a bundle URL, a corrupted cached blob is fetched again and replaced in the cache', async () => {
    const db = unique('rot-url');
    const scope = unique('rot-url');
    const bundle = fault(`scope=${scope}`, `${FIXTURES}/tiny/1.0.0/`);
    const first = await openBundle({ bundle, cache: { dbName: db } });
    const shard = first.manifest.files.find((f) => f.path === SHARD)!;
    await set(`blob:${shard.sha256}`, new Uint8Array(shard.bytes).buffer, createStore(db, 'bundles'));
    const again = await openBundle({ bundle, cache: { dbName: db } });
    expect(again.source).to.equal('network');
    expect(await requestCount(scope, SHARD)).to.equal(2);
    // The commit keeps blobs already present: the bad one must have been deleted for the good bytes to land.
    const third = await openBundle({ bundle, cache: { dbName: db } });
    expect(third.source).to.equal('cache');
    expect(await requestCount(scope, SHARD)).to.equal(2);
    expect((await expectVerifiedCache(db)).versions).to.deep.equal(['tiny@1.0.0']);
  });
});
