// The load path's edges (src/model/load-bundle.ts): what a failed or garbled registry answer leaves
// in the cache, and what concurrent loads share. Faults come from the test server
// (test/server/faults.mjs); IndexedDB and fetch are Chromium's own.
import { expect } from 'chai';
import { openBundle } from '../../src/entries/bundle.js';
import { loadModel } from '../../src/load-model.js';
import { createMemoryStore, type KvStore } from '../../src/cache/kv-store.js';
import {
  REGISTRY as FIXTURE_REGISTRY,
  expectFerryError,
  fault,
  rawCache,
  requestCount,
  stopWatching,
  unique,
  watchRequests,
  type SeenRequest,
} from './helpers.js';

/** The penguins bundles (models/), as the cold-path suite loads them. */
const REGISTRY = '/models/index.json';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('loadBundle: the load path', () => {
  it('a pinned version revoked while the "stored before" hint is gone (localStorage cleared) is deleted, and never served offline', async function () {
    this.timeout(60_000);
    const dbName = unique('revoke-no-hint');
    const options = { name: 'penguins', version: '1.1.0', cache: { dbName }, remember: false };
    try {
      const first = await loadModel({ registry: REGISTRY, ...options });
      while (first.info.cache.pending) await sleep(20);
      await first.dispose();
      expect((await rawCache(dbName)).records.has('penguins@1.1.0')).to.equal(true);
      // The hint (src/cache/stored-hint.ts) is lost; IndexedDB still holds the version.
      localStorage.removeItem(`ferryml.stored:${dbName}`);
      const registry = fault('on=index.json,revoke=1.1.0', REGISTRY);
      await expectFerryError(loadModel({ registry, ...options }), 'VERSION_REVOKED');
      expect((await rawCache(dbName)).records.has('penguins@1.1.0'), 'the revoked version is deleted').to.equal(false);
      await watchRequests('/__fault/*', { offline: true });
      try {
        await expectFerryError(loadModel({ registry, ...options }), 'OFFLINE_NO_CACHED_VERSION');
      } finally {
        await stopWatching();
      }
    } finally {
      indexedDB.deleteDatabase(dbName);
    }
  });

  it('a registry answer that is no registry (captive portal HTML, truncated JSON, 403, 404) serves the cached version and says why; a valid revocation still wins', async () => {
    const dbName = unique('no-answer');
    const options = { name: 'tiny', version: '1.1.0', cache: { dbName }, retries: 0 };
    const online = await openBundle({ registry: FIXTURE_REGISTRY, ...options });
    const answers: Array<[string, string]> = [
      ['on=index.json,html', 'UNEXPECTED_CONTENT'],
      ['on=index.json,truncate', 'REGISTRY_INVALID'],
      ['on=index.json,status=403', 'HTTP_ERROR'],
      ['on=index.json,status=404', 'HTTP_ERROR'],
    ];
    for (const [spec, code] of answers) {
      const bundle = await openBundle({ registry: fault(spec, FIXTURE_REGISTRY), ...options });
      expect([bundle.source, bundle.resolvedBy, bundle.id], spec).to.deep.equal(['offline', 'offline-fallback', online.id]);
      expect(bundle.fallback?.error.code, spec).to.equal(code);
    }
    // loadModel says so in model.info.
    const model = await loadModel({ registry: fault('on=index.json,html', FIXTURE_REGISTRY), ...options, remember: false });
    expect(model.info.source).to.equal('offline');
    expect(model.info.fallback?.code).to.equal('UNEXPECTED_CONTENT');
    expect(model.info.fallback?.message).to.contain('index.json');
    await model.dispose();
    // A registry that parsed and revokes the version is an answer: no fallback, and the version is gone.
    await expectFerryError(openBundle({ registry: fault('on=index.json,revoke=1.1.0', FIXTURE_REGISTRY), ...options }), 'VERSION_REVOKED');
    expect((await rawCache(dbName)).records.has('tiny@1.1.0')).to.equal(false);
    indexedDB.deleteDatabase(dbName);
  });

  it('concurrent loads share a download only with the same cache and fetch: each database is written, each custom fetch used', async function () {
    this.timeout(60_000);
    const scope = unique('share-key');
    // The weights answer late, so every load below starts while the first one's download runs.
    const registry = fault(`scope=${scope},on=group1-shard1of1.bin,delay=400`, REGISTRY);
    const pinned = { registry, name: 'penguins', version: '1.1.0', remember: false };
    const dbs = [unique('share-a'), unique('share-b')];
    const [off, ...fresh] = await Promise.all([loadModel({ ...pinned, cache: false }), ...dbs.map((dbName) => loadModel({ ...pinned, cache: { dbName } }))]);
    expect(off.info.cache).to.include({ code: 'CACHE_DISABLED' });
    for (const [i, model] of fresh.entries()) {
      while (model.info.cache.pending) await sleep(20);
      expect(model.info.cache, dbs[i]).to.include({ memoryOnly: false });
      expect((await rawCache(dbs[i]!)).records.has('penguins@1.1.0'), dbs[i]).to.equal(true);
    }
    await Promise.all([off, ...fresh].map((m) => m.dispose()));
    // openBundle into one database: a load with its own fetch (auth headers, say) gets its own download.
    const dbName = unique('share-fetch');
    const seen: string[] = [];
    const own: typeof fetch = (input, init) => {
      seen.push(String(input));
      return fetch(input, init);
    };
    const options = { registry, name: 'penguins', version: '1.1.0', cache: { dbName } };
    await Promise.all([openBundle(options), openBundle({ ...options, fetch: own })]);
    expect(seen.filter((u) => u.endsWith('/group1-shard1of1.bin'))).to.have.length(1);
    for (const db of [...dbs, dbName]) indexedDB.deleteDatabase(db);
  });

  it('aborting the load that started a shared download leaves it running for the others', async function () {
    this.timeout(60_000);
    const scope = unique('abort-shared');
    // The weights answer late: the first load is aborted while both wait on its head-start request for them.
    const registry = fault(`scope=${scope},on=group1-shard1of1.bin,delay=1000`, REGISTRY);
    const dbName = unique('abort-shared');
    const options = { registry, name: 'penguins', version: '1.1.0', cache: { dbName }, retries: 0, remember: false };
    const controller = new AbortController();
    const first = loadModel({ ...options, signal: controller.signal });
    const second = loadModel(options);
    setTimeout(() => controller.abort(new Error('the user closed the dialog')), 300);
    await expectFerryError(first, 'ABORTED');
    const model = await second;
    expect(model.info).to.include({ source: 'network', version: '1.1.0' });
    while (model.info.cache.pending) await sleep(20);
    await model.dispose();
    indexedDB.deleteDatabase(dbName);
  });
  it("a shared download keeps each caller's cache limits, and openBundle joins no load whose write is deferred", async function () {
    this.timeout(60_000);
    const scope = unique('share-limits');
    // The weights answer late, so the second load of each pair starts while the first one's download runs.
    const registry = fault(`scope=${scope},on=group1-shard1of1.bin,delay=400`, REGISTRY);
    const dbName = unique('share-limits');
    const pinned = { registry, name: 'penguins', version: '1.1.0' };
    await openBundle({ ...pinned, version: '1.0.0', cache: { dbName } });
    // Started with room for 2 versions, joined by a load that keeps 1: its limit is applied too.
    await Promise.all([openBundle({ ...pinned, cache: { dbName } }), openBundle({ ...pinned, cache: { dbName, maxVersions: 1 } })]);
    expect([...(await rawCache(dbName)).records.keys()].filter((k) => k.startsWith('penguins@'))).to.deep.equal(['penguins@1.1.0']);
    // loadModel defers its write; an openBundle beside it still answers once the version is stored.
    const other = unique('share-mode');
    await openBundle({ ...pinned, version: '1.0.0', cache: { dbName: other } });
    const [model, bundle] = await Promise.all([
      loadModel({ ...pinned, cache: { dbName: other }, remember: false }),
      openBundle({ ...pinned, cache: { dbName: other } }),
    ]);
    expect(bundle.cache.pending, 'openBundle awaited its write').to.equal(undefined);
    expect(bundle.cache.memoryOnly).to.equal(false);
    while (model.info.cache.pending) await sleep(20);
    await model.dispose();
    for (const db of [dbName, other]) indexedDB.deleteDatabase(db);
  });

  describe('a registry that does not answer in registryTimeoutMs', () => {
    it('a page: the cached version serves as offline (TIMEOUT, no second attempt), and the late registry is still read: its revocation reaches the next load', async function () {
      this.timeout(60_000);
      const dbName = unique('registry-late');
      const scope = unique('registry-late');
      const options = { name: 'penguins', version: '1.1.0', cache: { dbName }, remember: false };
      try {
        const first = await loadModel({ registry: REGISTRY, ...options });
        while (first.info.cache.pending) await sleep(20);
        await first.dispose();
        // A stalled connection: the registry answers after 1.5 s, revoking the cached version.
        // downloadTimeoutMs alone would wait 60 s (two attempts) before the cached version served.
        const registry = fault(`scope=${scope},on=index.json,delay=1500,revoke=1.1.0`, REGISTRY);
        const model = await loadModel({ registry, ...options, registryTimeoutMs: 200, downloadTimeoutMs: 60_000 });
        expect([model.info.source, model.info.resolvedBy, model.info.version]).to.deep.equal(['offline', 'offline-fallback', '1.1.0']);
        expect(model.info.fallback?.code).to.equal('TIMEOUT');
        expect(model.info.fallback?.message).to.contain('registryTimeoutMs (200 ms)').and.to.contain('penguins@1.1.0');
        expect(
          await model.predict({
            Island: 'Dream',
            'Beak Length (mm)': 39.1,
            'Beak Depth (mm)': 18.7,
            'Flipper Length (mm)': 181,
            'Body Mass (g)': 3750,
            Sex: 'MALE',
          }),
        ).to.have.property('label');
        await model.dispose();
        // The registry's late answer is read behind the answer: the revoked version leaves the cache.
        for (let i = 0; i < 200 && (await rawCache(dbName)).records.has('penguins@1.1.0'); i++) await sleep(50);
        expect((await rawCache(dbName)).records.has('penguins@1.1.0'), 'the late revocation deleted the version').to.equal(false);
        expect(await requestCount(scope, 'index.json'), 'one registry request, not retried').to.equal(1);
        await expectFerryError(loadModel({ registry, ...options, registryTimeoutMs: 200 }), 'VERSION_REVOKED');
      } finally {
        indexedDB.deleteDatabase(dbName);
      }
    });

    it('with nothing cached the registry is waited for; registryTimeoutMs: Infinity always waits; a bad value is INVALID_OPTIONS', async function () {
      this.timeout(60_000);
      const dbName = unique('registry-wait');
      const options = { name: 'tiny', version: '1.1.0', cache: { dbName } };
      try {
        const slow = fault('on=index.json,delay=600', FIXTURE_REGISTRY);
        const fresh = await openBundle({ registry: slow, ...options, registryTimeoutMs: 50 });
        expect(fresh.source).to.equal('network');
        const waited = await openBundle({ registry: slow, ...options, registryTimeoutMs: Infinity });
        expect([waited.source, waited.resolvedBy]).to.deep.equal(['cache', 'pin']);
        const bad = await expectFerryError(openBundle({ registry: slow, ...options, registryTimeoutMs: -1 }), 'INVALID_OPTIONS');
        expect(bad.message).to.contain('registryTimeoutMs');
      } finally {
        indexedDB.deleteDatabase(dbName);
      }
    });

    it('a registry that answered in time wins however long its resolution takes: its revocation is thrown, not the stand-in served', async function () {
      this.timeout(60_000);
      // A store whose writes take 800 ms (the revocation's deletes, awaited before VERSION_REVOKED)
      // while its reads (the stand-in's) are immediate: the deadline (100 ms) passes after the
      // registry's bytes are in and before its refusal is thrown.
      const inner = createMemoryStore(unique('slow-writes'));
      let slow = false;
      const store: KvStore = {
        kind: 'slow-writes',
        name: inner.name,
        run: (mode, body) => (slow && mode === 'readwrite' ? sleep(800).then(() => inner.run(mode, body)) : inner.run(mode, body)),
      };
      const options = { name: 'tiny', version: '1.1.0', cache: { store } };
      await openBundle({ registry: FIXTURE_REGISTRY, ...options });
      slow = true;
      await expectFerryError(
        openBundle({ registry: fault('on=index.json,revoke=1.1.0', FIXTURE_REGISTRY), ...options, registryTimeoutMs: 100 }),
        'VERSION_REVOKED',
      );
    });

    it("the caller's signal: already aborted is ABORTED, as without a deadline; a limit past setTimeout's range waits like Infinity", async function () {
      this.timeout(60_000);
      const dbName = unique('registry-signal');
      const options = { name: 'tiny', version: '1.1.0', cache: { dbName } };
      try {
        await openBundle({ registry: FIXTURE_REGISTRY, ...options });
        await expectFerryError(openBundle({ registry: FIXTURE_REGISTRY, ...options, signal: AbortSignal.abort() }), 'ABORTED');
        // 2^31 ms overflows setTimeout, which would fire at once and serve the stand-in.
        const slow = fault('on=index.json,delay=400', FIXTURE_REGISTRY);
        const waited = await openBundle({ registry: slow, ...options, registryTimeoutMs: 2 ** 31 });
        expect([waited.source, waited.resolvedBy]).to.deep.equal(['cache', 'pin']);
      } finally {
        indexedDB.deleteDatabase(dbName);
      }
    });

    it('openBundle (no page to outlive its answer): the cached version serves and the stalled registry request is aborted', async function () {
      this.timeout(60_000);
      const dbName = unique('registry-abort');
      const options = { name: 'tiny', version: '1.1.0', cache: { dbName } };
      try {
        const online = await openBundle({ registry: FIXTURE_REGISTRY, ...options });
        const registry = fault('on=index.json,hang', FIXTURE_REGISTRY);
        await watchRequests('/__fault/*');
        let seen: SeenRequest[];
        try {
          const bundle = await openBundle({ registry, ...options, registryTimeoutMs: 200, downloadTimeoutMs: 60_000 });
          expect([bundle.source, bundle.id, bundle.fallback?.error.code]).to.deep.equal(['offline', online.id, 'TIMEOUT']);
          await sleep(500);
        } finally {
          seen = await stopWatching();
        }
        const request = seen.find((r) => r.url.endsWith('/index.json'));
        expect(request?.error, 'the registry request was aborted').to.contain('ABORTED');
      } finally {
        indexedDB.deleteDatabase(dbName);
      }
    });
  });
});
