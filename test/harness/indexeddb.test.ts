import { expect } from 'chai';
import { createStore, get, set, del } from 'idb-keyval';

describe('harness: real IndexedDB', () => {
  it('round-trips a 10 MiB random ArrayBuffer through idb-keyval', async () => {
    const store = createStore(`harness-${Date.now()}`, 'blobs');
    const bytes = new Uint8Array(10 * 1024 * 1024);
    for (let off = 0; off < bytes.length; off += 65536) crypto.getRandomValues(bytes.subarray(off, off + 65536));
    await set('blob', bytes.buffer, store);
    const back = await get<ArrayBuffer>('blob', store);
    expect(back).to.be.instanceOf(ArrayBuffer);
    const view = new Uint8Array(back!);
    expect(view.length).to.equal(bytes.length);
    expect(view.every((b, i) => b === bytes[i])).to.equal(true);
    await del('blob', store);
    expect(await get('blob', store)).to.equal(undefined);
  });
});
