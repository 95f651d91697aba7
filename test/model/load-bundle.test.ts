// The load path's edges (src/model/load-bundle.ts): what a failed or garbled registry answer leaves
// in the cache, and what concurrent loads share. Faults come from the test server
// (test/server/faults.mjs); IndexedDB and fetch are Chromium's own.
import { expect } from 'chai';
import { loadModel } from '../../src/load-model.js';
import { expectFerryError, fault, rawCache, stopWatching, unique, watchRequests } from './helpers.js';

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
      const registry = fault('revoke=1.1.0', REGISTRY);
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
});
