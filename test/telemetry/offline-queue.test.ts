import { expect } from 'chai';
import type { Batch } from '../../src/telemetry/batcher.js';
import { createOfflineQueue } from '../../src/telemetry/offline-queue.js';

const batch = (id: string, bytes: number, records = 1): Batch => ({ id, resource: '{}', records: Array(records).fill('{}'), bytes, split: false });
const db = () => `ferryml-oq-${Math.random().toString(36).slice(2)}`;
const options = (dbName: string, maxBatches = 30, maxBytes = 1 << 20) => ({ dbName, maxBatches, maxBytes, minDelayMs: 0, maxDelayMs: 0 });

describe('telemetry/offline-queue (real IndexedDB)', () => {
  it('is FIFO per endpoint URL', async () => {
    const q = createOfflineQueue(options(db()));
    await q.put([batch('a', 10)], 'http://one/v1/logs');
    await q.put([batch('b', 10)], 'http://two/v1/logs');
    await q.put([batch('c', 10)], 'http://one/v1/logs');
    expect(await q.count('http://one/v1/logs')).to.equal(2);
    const first = await q.oldest('http://one/v1/logs');
    expect(first!.batch.id).to.equal('a');
    await q.remove(first!.key);
    expect((await q.oldest('http://one/v1/logs'))!.batch.id).to.equal('c');
    expect((await q.oldest('http://two/v1/logs'))!.batch.id).to.equal('b');
  });

  it('evicts the oldest past the batch and byte bounds, and counts the records', async () => {
    const q = createOfflineQueue(options(db(), 3, 1000));
    let r = await q.put([batch('a', 100, 2), batch('b', 100, 3), batch('c', 100, 4), batch('d', 100, 5)], 'u');
    expect(r).to.include({ evictedRecords: 2, batches: 3 });
    expect(r.keys, 'one key per batch put (the evicted one included)').to.have.length(4);
    r = await q.put([batch('e', 850, 7)], 'u');
    // 100 + 100 + 100 + 850 > 1000: b and c go (3 + 4 records); d and e stay.
    expect(r).to.include({ evictedRecords: 7, batches: 2 });
    expect((await q.oldest('u'))!.batch.id).to.equal('d');
    r = await q.put([batch('huge', 5000, 9)], 'u');
    expect(r.evictedRecords, 'a batch over maxBytes alone is refused').to.equal(9);
    expect(await q.count('u')).to.equal(2);
  });

  it('put returns the keys to remove the new batches with (the page-hide outbox)', async () => {
    const q = createOfflineQueue(options(db()));
    await q.put([batch('a', 10)], 'u');
    const { keys } = await q.put([batch('b', 10)], 'u');
    await q.remove(keys[0]!);
    expect(await q.count('u')).to.equal(1);
    expect((await q.oldest('u'))!.batch.id).to.equal('a');
  });
});
