// planEviction and the memory store, driven directly.
import { expect } from 'chai';
import { planEviction, uniqueBytes } from '../../src/cache/eviction.js';
import { createMemoryStore } from '../../src/cache/kv-store.js';

const file = (sha: string, bytes: number) => ({ path: sha, sha256: sha, bytes });
const rec = (name: string, version: string, lastUsed: number, files = [file(`${name}${version}`, 100)]) => ({
  key: `bundle:${name}@${version}`,
  name,
  lastUsed,
  files,
});

describe('cache: planEviction', () => {
  it('keeps maxVersions per model by recency, and never drops kept keys', () => {
    const records = [rec('a', '1', 1), rec('a', '2', 3), rec('a', '3', 2), rec('b', '1', 0)];
    expect(planEviction(records, { maxVersions: 2, maxBytes: Infinity })).to.deep.equal(['bundle:a@1']);
    expect(planEviction(records, { maxVersions: 1, maxBytes: Infinity, keep: ['bundle:a@1'] })).to.deep.equal(['bundle:a@3', 'bundle:a@2']);
  });

  it('drops least recently used versions until shared blobs counted once fit maxBytes', () => {
    const shared = file('shared', 1000);
    const records = [rec('a', '1', 1, [shared, file('x', 10)]), rec('a', '2', 2, [shared, file('y', 10)]), rec('b', '1', 3, [file('z', 500)])];
    expect(uniqueBytes(records)).to.equal(1520);
    expect(planEviction(records, { maxVersions: 5, maxBytes: 1520 })).to.deep.equal([]);
    expect(planEviction(records, { maxVersions: 5, maxBytes: 1515 })).to.deep.equal(['bundle:a@1']);
    expect(planEviction(records, { maxVersions: 5, maxBytes: 600 })).to.deep.equal(['bundle:a@1', 'bundle:a@2']);
    expect(planEviction(records, { maxVersions: 5, maxBytes: 0, keep: ['bundle:a@1'] })).to.deep.equal(['bundle:a@2', 'bundle:b@1']);
  });
});

describe('cache: memory store (the fallback when IndexedDB is unavailable)', () => {
  it('applies a transaction whole or not at all', async () => {
    const store = createMemoryStore('m');
    await store.run('readwrite', async (tx) => {
      tx.put('a:1', 1);
      tx.put('a:2', 2);
    });
    try {
      await store.run('readwrite', async (tx) => {
        tx.del('a:1');
        tx.put('a:3', 3);
        expect(await tx.keys('a:')).to.deep.equal(['a:2', 'a:3']);
        throw new Error('crash mid-commit');
      });
    } catch {
      // expected
    }
    expect(await store.run('readonly', (tx) => tx.entries('a:'))).to.deep.equal([
      ['a:1', 1],
      ['a:2', 2],
    ]);
    try {
      await store.run('readonly', async (tx) => tx.put('a:9', 9));
      expect.fail('readonly put');
    } catch (e) {
      expect((e as Error).name).to.equal('ReadOnlyError');
    }
  });
});
