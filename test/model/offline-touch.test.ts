// A version served by the offline fallback is the one the device runs: it is marked used (behind
// the answer), so least-recently-used eviction keeps it rather than a version stored later.
import { expect } from 'chai';
import { listCached } from '../../src/cache/manage.js';
import { writesSettled } from '../../src/cache/pending-writes.js';
import { openBundle } from '../../src/entries/bundle.js';
import { fault, REGISTRY, unique } from './helpers.js';

describe('openBundle: offline fallback and LRU', () => {
  const dbs: string[] = [];
  after(async () => {
    for (const db of dbs)
      await new Promise((resolve) => {
        const r = indexedDB.deleteDatabase(db);
        r.onsuccess = r.onerror = r.onblocked = resolve;
      });
  });

  it('the version served offline is marked used', async () => {
    const db = unique('touch');
    dbs.push(db);
    const cache = { dbName: db };
    await openBundle({ registry: REGISTRY, name: 'tiny', version: '1.0.0', cache });
    const [before] = await listCached(cache);
    await new Promise((resolve) => setTimeout(resolve, 10));
    // stable is 1.1.0; its files answer 503, so 1.0.0 serves from the cache.
    const bundle = await openBundle({
      registry: fault('on=1.1.0%2F,status=503', REGISTRY),
      name: 'tiny',
      clientId: 'not-in-canary-7',
      cache,
      retries: 0,
      backoffMs: 10,
    });
    expect([bundle.source, bundle.manifest.version]).to.deep.equal(['offline', '1.0.0']);
    await writesSettled({ kind: 'indexeddb', name: db });
    const [after] = await listCached(cache);
    expect(after!.version).to.equal('1.0.0');
    expect(after!.lastUsed).to.be.greaterThan(before!.lastUsed);
  });
});
