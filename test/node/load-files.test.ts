// loadModel({ files }) failing fast in Node: the app's catch gets a coded FerryError naming the file,
// and nothing else rejects unhandled (Node exits on an unhandled rejection; a page logs one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isFerryError } from '../../src/errors.js';
import { loadModel } from '../../src/load-model.js';

const MLP = 'test/runtime/fixtures/models/mlp/1.0.0';

/** The unhandled rejections seen while `task` runs and for a moment after (the lazy chunk's import settles then). */
async function unhandledDuring(task: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  try {
    await task();
    await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    process.off('unhandledRejection', listener);
  }
  return seen;
}

test('loadModel({ files }) that fails before the engine code arrived: the app catches it, nothing rejects unhandled', async () => {
  const seen = await unhandledDuring(async () => {
    await assert.rejects(loadModel({ files: new Map() }), (e: unknown) => isFerryError(e) && e.code === 'MANIFEST_INVALID');
  });
  assert.deepEqual(seen, []);
});

test('a files reader that throws: a FerryError with a code and the file, the reader’s error as its cause, nothing unhandled', async () => {
  const enoent = (path: string) => Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
  const seen = await unhandledDuring(async () => {
    // No manifest.json at all.
    await assert.rejects(
      loadModel({ files: (path) => Promise.reject(enoent(path)) }),
      (e: unknown) => isFerryError(e) && e.code === 'MANIFEST_INVALID' && e.details.path === 'manifest.json' && e.message.includes('manifest.json'),
    );
    // The manifest, but not a file it lists.
    const error = await loadModel({ files: (path) => (path === 'schema.json' ? Promise.reject(enoent(path)) : readFile(join(MLP, path))) }).then(
      () => assert.fail('resolved'),
      (e: unknown) => e,
    );
    assert.ok(isFerryError(error), String(error));
    assert.equal(error.code, 'INTEGRITY_MISMATCH');
    assert.deepEqual(error.details, { path: 'schema.json', missing: true });
    assert.match(error.message, /^schema\.json: .*ENOENT/);
    assert.equal((error.cause as { code?: string }).code, 'ENOENT');
  });
  assert.deepEqual(seen, []);
});
