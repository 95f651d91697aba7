// Issue 18, item 4: the edge cache. Where there is no IndexedDB but the Cache API exists (Workers,
// Deno), bundle files are cached by content hash in the Cache API with the IndexedDB cache's
// verification and version rules. The origin counts requests: an isolate's second request reuses
// its model, a cold isolate (the runtime process restarted) reads the files from the cache, and a
// corrupted cache entry (one byte flipped in the runtime's own files on disk) is detected, evicted
// and fetched again. workerd's Cache API is its disk cache service (`cacheApiOutbound`); Deno's is
// its own, under DENO_DIR (`location_data/web_cache/`), pointed at a temporary directory here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSdk, buildWorker, run, runtimes, startOrigin, startWorkerd, requestCounter, type Workerd } from './support/edge.js';
import { tempDir } from './support/temp-dir.js';

const BUNDLE = 'models/penguins/1.0.0';
const TOLERANCE = 1e-5;
const BIN = 'group1-shard1of1.bin';

let sdk: Awaited<ReturnType<typeof buildSdk>>;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let golden: { rows: Record<string, unknown>[]; outputs: number[][] };
let bin: Buffer;

before(async () => {
  [sdk, origin] = await Promise.all([buildSdk(), startOrigin('.')]);
  golden = JSON.parse(await readFile(`${BUNDLE}/golden.json`, 'utf8'));
  bin = await readFile(`${BUNDLE}/${BIN}`);
});
after(async () => {
  await origin.close();
  await sdk.remove();
});

const close = (a: number[] | null | undefined, b: number[]) => !!a && a.length === b.length && a.every((v, i) => Math.abs(v - b[i]!) <= TOLERANCE);

/** Origin requests per file name (under `models/`) since the last call. */
const counter = () => requestCounter(origin.requests);

/** Flips the last byte of the one cache file whose body is the weights file (both runtimes keep the body at the end of a file). */
async function corruptWeights(dir: string): Promise<string> {
  const files: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else files.push(join(d, e.name));
    }
  };
  await walk(dir);
  const hits: string[] = [];
  for (const f of files) if ((await stat(f)).size >= bin.length && (await readFile(f)).subarray(-bin.length).equals(bin)) hits.push(f);
  assert.equal(hits.length, 1, `one cache entry holds ${BIN}: ${JSON.stringify(hits)} of ${files.length} files`);
  const bytes = await readFile(hits[0]!);
  bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
  await writeFile(hits[0]!, bytes);
  return hits[0]!;
}

test('workerd: the README Worker caches the bundle in the Cache API — reused in the isolate, read from the cache by a cold isolate, a corrupt entry evicted and refetched', async () => {
  const { code } = await buildWorker({ entry: 'test/edge/tiny-worker.mjs', sdk: sdk.dir });
  const cacheDir = tempDir('ferryml-workerd-cache-');
  const bindings = { BUNDLE_URL: `${origin.base}/${BUNDLE}/` };
  const fetched = counter();
  /** One isolate's life: `requests` GETs, the golden rows predicted, then workerd stops. */
  const isolate = async (requests: number) => {
    const worker = await startWorkerd(code, bindings, { cacheDir });
    try {
      const infos = [];
      const counts = [];
      for (let i = 0; i < requests; i++) {
        const res = await fetch(worker.base);
        const body = await res.json();
        assert.equal(res.status, 200, `${JSON.stringify(body)}\n${worker.log()}`);
        infos.push(body.info.source);
        counts.push(fetched());
      }
      for (const [i, row] of golden.rows.entries()) {
        const body = await (await fetch(worker.base, { method: 'POST', body: JSON.stringify(row) })).json();
        assert.ok(close(Object.values(body.probabilities), golden.outputs[i]!), `row ${i}: ${JSON.stringify(body)}`);
      }
      return { infos, counts };
    } finally {
      await worker.stop();
    }
  };
  const first = await isolate(2);
  assert.deepEqual(first.infos, ['network', 'network']);
  const all = { 'manifest.json': 1, 'model.json': 1, [BIN]: 1, 'schema.json': 1, 'golden.json': 1 };
  assert.deepEqual(first.counts, [all, {}], 'the first request downloads the bundle, the second reuses the loaded model');

  const cold = await isolate(1);
  assert.deepEqual(cold.infos, ['cache'], 'a cold isolate loads from the Cache API');
  assert.deepEqual(cold.counts, [{ 'manifest.json': 1 }], 'only the manifest (no-cache: the version at a bundle URL may change) reaches the origin');

  await corruptWeights(cacheDir);
  const healed = await isolate(1);
  assert.deepEqual(healed.infos, ['network']);
  assert.deepEqual(
    healed.counts,
    [{ 'manifest.json': 1, [BIN]: 1 }],
    'the corrupt weights entry fails its sha256 and is fetched again, the other files come from the cache',
  );

  const again = await isolate(1);
  assert.deepEqual(again.counts, [{ 'manifest.json': 1 }], 'the refetched weights replaced the corrupt entry');
  assert.deepEqual(again.infos, ['cache']);
});

test('workerd: one isolate’s Cache API store serves load after load, requests at once included; modelCache.list() reads it', async () => {
  const { code } = await buildWorker({ entry: 'test/edge/cache-worker.mjs', sdk: sdk.dir });
  const worker = await startWorkerd(code, { BUNDLE_URL: `${origin.base}/${BUNDLE}/` }, { cacheDir: tempDir('ferryml-workerd-cache-') });
  const fetched = counter();
  const get = async (row?: Record<string, unknown>) => {
    const res = await fetch(`${worker.base}/${row ? `?row=${encodeURIComponent(JSON.stringify(row))}` : ''}`);
    const body = await res.json();
    assert.equal(res.status, 200, `${JSON.stringify(body)}\n${worker.log()}`);
    return body;
  };
  try {
    const first = await get();
    assert.equal(first.source, 'network');
    assert.deepEqual(first.cache, { persisted: false, memoryOnly: false }, 'stored in the Cache API before loadModel answered');
    assert.deepEqual(first.listed, ['penguins@1.0.0']);
    fetched();
    const later = await Promise.all(golden.rows.map((row) => get(row)));
    for (const [i, r] of later.entries()) {
      assert.equal(r.source, 'cache', `request ${i}`);
      assert.ok(close(r.probabilities, golden.outputs[i]!), `row ${i}: ${JSON.stringify(r.probabilities)}`);
    }
    // Loads at once share one manifest request (the SDK joins concurrent downloads of a URL).
    assert.deepEqual(Object.keys(fetched()), ['manifest.json'], 'only manifests reach the origin');
    const again = await get(golden.rows[0]);
    assert.equal(again.source, 'cache');
    assert.deepEqual(fetched(), { 'manifest.json': 1 });
  } finally {
    await worker.stop();
  }
});

test('workerd: no cache write outlives its request — a cold isolate’s cache hit answers once its LRU touch and registry snapshot are written, and the next request lists and loads', async () => {
  // workerd ends a request's I/O once it has responded: a write left running behind the answer never
  // settles, and the next request that waits on it (the SDK's pending writes, the store's queue)
  // failed with an uncoded "promise was created by a request that has since ended". The Worker's
  // puts wait `putDelayMs` first, so the first request's writes are surely unfinished when its
  // answer is sent unless loadModel awaited them.
  const { code } = await buildWorker({ entry: 'test/edge/request-scope-worker.mjs', sdk: sdk.dir });
  const cacheDir = tempDir('ferryml-workerd-cache-');
  const bindings = { REGISTRY: `${origin.base}/models/index.json` };
  const get = async (worker: Workerd, query: string) => {
    const res = await fetch(`${worker.base}/?${query}`);
    const body = await res.json();
    assert.equal(res.status, 200, `${JSON.stringify(body)}\n${worker.log()}`);
    return body;
  };
  const filling = await startWorkerd(code, bindings, { cacheDir });
  try {
    assert.equal((await get(filling, 'name=penguins&version=1.0.0')).source, 'network');
  } finally {
    await filling.stop();
  }
  const worker = await startWorkerd(code, bindings, { cacheDir });
  try {
    const a = await get(worker, 'name=penguins&version=1.0.0&putDelayMs=500');
    assert.equal(a.source, 'cache', 'request A is a cache hit (so it touches the record)');
    const b = await get(worker, 'list&name=penguins&version=2.0.0');
    assert.deepEqual(b.listed, ['penguins@1.0.0'], 'request B lists the cache');
    assert.equal(b.source, 'network', 'and loads a second model');
    assert.deepEqual((await get(worker, 'list&name=penguins&version=1.0.0')).listed.sort(), ['penguins@1.0.0', 'penguins@2.0.0']);
    assert.doesNotMatch(worker.log(), /can never settle/);
  } finally {
    await worker.stop();
  }
});

test('deno: a registry load caches in the Cache API under DENO_DIR — a cold process reads it, a corrupt entry is evicted and refetched, offline serves the cached version', async () => {
  const denoDir = tempDir('ferryml-deno-dir-');
  const edge = pathToFileURL(resolve(sdk.dir, 'edge.js')).href;
  const fetched = counter();
  const load = async (registry = `${origin.base}/models/index.json`) => {
    const out = await run(
      runtimes.deno[0]!,
      ['run', '--allow-read', '--allow-net=127.0.0.1', '--no-prompt', 'test/edge/cache-load.mjs', edge, registry, `${BUNDLE}/golden.json`],
      120_000,
      {
        DENO_DIR: denoDir,
      },
    );
    const line = out.stdout.split('\n').find((l) => l.startsWith('CACHE-LOAD '));
    assert.ok(line, `deno exited ${out.code}:\n${out.stdout}\n${out.stderr}`);
    const r = JSON.parse(line.slice('CACHE-LOAD '.length));
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    golden.outputs.forEach((want, i) => assert.ok(close(r.probabilities[i], want), `golden row ${i}: ${JSON.stringify(r.probabilities[i])}`));
    return { ...r, fetched: fetched() };
  };
  const first = await load();
  assert.equal(first.source, 'network');
  assert.deepEqual(first.cache, { persisted: false, memoryOnly: false }, 'stored in the Cache API, not memory only');
  assert.deepEqual(first.fetched, { 'index.json': 1, 'manifest.json': 1, 'model.json': 1, [BIN]: 1, 'schema.json': 1, 'golden.json': 1 });
  const cacheRoot = join(denoDir, 'location_data', 'web_cache');
  assert.ok((await readdir(cacheRoot)).length > 0, 'Deno keeps its Cache API under DENO_DIR/location_data/web_cache');

  const cold = await load();
  assert.equal(cold.source, 'cache');
  assert.deepEqual(cold.fetched, { 'index.json': 1 }, 'a cold process fetches only the registry (for revocations and channels)');

  await corruptWeights(cacheRoot);
  const healed = await load();
  assert.equal(healed.source, 'network', 'the corrupt entry fails its sha256');
  assert.deepEqual(healed.fetched, { 'index.json': 1, 'manifest.json': 1, [BIN]: 1 }, 'only the corrupt file is fetched again; the good entries are reused');

  const again = await load();
  assert.equal(again.source, 'cache');
  assert.deepEqual(again.fetched, { 'index.json': 1 });

  // Nothing listens on port 9 of loopback: the registry is unreachable, the cached version serves.
  const offline = await load('http://127.0.0.1:9/models/index.json');
  assert.equal(offline.source, 'offline');
  assert.equal(offline.resolvedBy, 'offline-fallback');
  assert.deepEqual(offline.fetched, {});
});
