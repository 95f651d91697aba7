import { expect } from 'chai';
import { createBatcher } from '../../src/telemetry/batcher.js';

describe('telemetry/batcher', () => {
  it('cuts batches by count and bytes, always at least one record', () => {
    const b = createBatcher({ maxRecords: 3, maxBytes: 10, maxQueue: 100 });
    for (const r of ['aaaa', 'bbbb', 'cc', 'dddddddddddd', 'e', 'f', 'g', 'h']) b.push(r);
    expect(b.due).to.equal(true);
    expect(b.take()!.records).to.deep.equal(['aaaa', 'bbbb', 'cc']);
    expect(b.take()!.records).to.deep.equal(['dddddddddddd']);
    expect(b.take()).to.deep.include({ records: ['e', 'f', 'g'], bytes: 3 });
    expect(b.take()!.records).to.deep.equal(['h']);
    expect(b.take()).to.equal(undefined);
    expect(b.bytes).to.equal(0);
  });

  it('bounds event records but keeps window records', () => {
    const b = createBatcher({ maxRecords: 100, maxBytes: 1 << 20, maxQueue: 2 });
    expect([b.push('1'), b.push('2'), b.push('3')]).to.deep.equal([true, true, false]);
    expect(b.push('window', undefined, false)).to.equal(true);
    expect(b.length).to.equal(3);
  });
});
