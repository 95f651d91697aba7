// The IndexedDB code slot (src/cache/idb-slot.ts): the SDK core starts loading it with `loadModel`
// and the bundle code awaits the same promise (BENCHMARKS.md "The warm page"), so the loader runs
// once; a failed import is not kept, and the next call imports again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadIdb, offerIdb, type IdbCode } from '../../src/cache/idb-slot.js';

const code = {} as IdbCode;

test('loadIdb: one import shared by every caller, retried after a failure', async () => {
  let calls = 0;
  let fail = true;
  const loader = () => {
    calls++;
    return fail ? Promise.reject(new Error('chunk failed to load')) : Promise.resolve(code);
  };
  offerIdb(loader);
  const [a, b] = [loadIdb(), loadIdb()];
  assert.equal(a, b, 'the same promise');
  await assert.rejects(a, /chunk failed/);
  assert.equal(calls, 1);
  fail = false;
  assert.equal(await loadIdb(), code, 'a failed import is retried');
  assert.equal(calls, 2);
  offerIdb(loader);
  assert.equal(await loadIdb(), code);
  assert.equal(calls, 2, 'each loadModel offers the loader again: the import is kept');
});
