// The file-system cache store (`fileCache` of `ferryml/node`) for Node, Bun and Deno servers, which
// have no IndexedDB (and Node and Bun no Cache API): the built SDK in each runtime, an origin that
// counts requests. A restarted server (a fresh process) loads from the directory; a flipped byte in a
// cached blob on disk is detected and that file fetched again; the registry unreachable, the cached
// version serves; two processes loading at once leave one consistent cache.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSdk, freePort, run, runtimes, startOrigin, startServer, requestCounter } from './support/edge.js';
import { tempDir } from './support/temp-dir.js';

const BUNDLE = 'models/penguins/1.0.0';
const TOLERANCE = 1e-5;
const BIN = 'group1-shard1of1.bin';
const ALL = { 'manifest.json': 1, 'model.json': 1, [BIN]: 1, 'schema.json': 1, 'golden.json': 1 };

let sdk: Awaited<ReturnType<typeof buildSdk>>;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let golden: { rows: Record<string, unknown>[]; outputs: number[][] };
let binSha: string;

before(async () => {
  [sdk, origin] = await Promise.all([buildSdk(), startOrigin('.')]);
  golden = JSON.parse(await readFile(`${BUNDLE}/golden.json`, 'utf8'));
  const manifest = JSON.parse(await readFile(`${BUNDLE}/manifest.json`, 'utf8')) as { files: { path: string; sha256: string }[] };
  binSha = manifest.files.find((f) => f.path === BIN)!.sha256;
});
after(async () => {
  await origin.close();
  await sdk.remove();
});

const close = (a: number[] | null | undefined, b: number[]) => !!a && a.length === b.length && a.every((v, i) => Math.abs(v - b[i]!) <= TOLERANCE);

/** Origin requests per file name (under `models/`) since the last call. */
const counter = () => requestCounter(origin.requests);

/** What a cache directory holds: blob names, record files, and leftovers in tmp/. */
async function listing(dir: string) {
  return { blobs: (await readdir(join(dir, 'blobs'))).sort(), records: (await readdir(join(dir, 'records'))).sort(), tmp: await readdir(join(dir, 'tmp')) };
}

// The README's server examples, as written (`ferryml/edge` and `ferryml/node` pointed at the built SDK),
// each started, stopped and started again on the same cache directory.
for (const runtime of ['node', 'bun', 'deno'] as const) {
  test(`${runtime}: the README server example caches the bundle on disk — a restarted server loads it from there, no bundle file fetched`, async () => {
    const example = await readFile(`test/edge/${runtime}-server.mjs`, 'utf8');
    const file = join(sdk.dir, `${runtime}-server.mjs`);
    await writeFile(
      file,
      example
        .replace("'ferryml/edge'", `'${pathToFileURL(resolve(sdk.dir, 'edge.js')).href}'`)
        .replace("'ferryml/node'", `'${pathToFileURL(resolve(sdk.dir, 'node.js')).href}'`),
    );
    const cacheDir = tempDir(`ferryml-${runtime}-fscache-`);
    const [cmd, ...lead] = runtimes[runtime];
    const perms = runtime === 'deno' ? ['run', '--allow-net=127.0.0.1', '--allow-env', '--allow-read', `--allow-write=${cacheDir}`, '--no-prompt'] : [];
    const env = { BUNDLE_URL: `${origin.base}/${BUNDLE}/`, CACHE_DIR: cacheDir, ...(runtime === 'deno' ? { DENO_DIR: tempDir('ferryml-deno-dir-') } : {}) };
    const fetched = counter();
    /** One server's life: its GET, the golden rows predicted, then it stops. */
    const serve = async () => {
      const port = await freePort();
      const server = await startServer(cmd!, [...lead, ...perms, file], { ...env, PORT: String(port) });
      try {
        const base = `http://127.0.0.1:${port}`;
        const info = await (await fetch(base)).json();
        const origin = fetched();
        for (const [i, row] of golden.rows.entries()) {
          const body = await (await fetch(base, { method: 'POST', body: JSON.stringify(row) })).json();
          assert.ok(close(Object.values(body.probabilities), golden.outputs[i]!), `${runtime} row ${i}: ${JSON.stringify(body)}`);
        }
        const bad = await fetch(base, { method: 'POST', body: JSON.stringify({ Island: 'Dream', 'Beak Length (mm)': 'forty' }) });
        assert.equal(bad.status, 422);
        return { info, origin };
      } finally {
        await server.stop();
      }
    };
    const first = await serve();
    assert.deepEqual(first.info, { version: '1.0.0', engine: 'js', source: 'network' });
    assert.deepEqual(first.origin, ALL, 'the first start downloads the bundle');
    const disk = await listing(cacheDir);
    assert.equal(disk.blobs.length, 4, `one blob per bundle file: ${JSON.stringify(disk)}`);
    assert.deepEqual(disk.tmp, []);

    const restarted = await serve();
    assert.deepEqual(restarted.info, { version: '1.0.0', engine: 'js', source: 'cache' });
    assert.deepEqual(restarted.origin, { 'manifest.json': 1 }, 'only the manifest (no-cache: the version at a bundle URL may change) reaches the origin');
  });
}

/** One load through the registry in a fresh `runtime` process (test/edge/fs-cache-load.mjs). */
async function load(runtime: 'node' | 'bun', cacheDir: string, registry = `${origin.base}/models/index.json`) {
  const [cmd, ...lead] = runtimes[runtime];
  const out = await run(cmd!, [...lead, 'test/edge/fs-cache-load.mjs', sdk.dir, registry, `${BUNDLE}/golden.json`, cacheDir], 120_000);
  const line = out.stdout.split('\n').find((l) => l.startsWith('FS-LOAD '));
  assert.ok(line, `${runtime} exited ${out.code}:\n${out.stdout}\n${out.stderr}`);
  const r = JSON.parse(line.slice('FS-LOAD '.length));
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  golden.outputs.forEach((want, i) => assert.ok(close(r.probabilities[i], want), `${runtime} golden row ${i}: ${JSON.stringify(r.probabilities[i])}`));
  return r as { source: string; resolvedBy: string; cache: Record<string, unknown>; listed: string[] };
}

for (const runtime of ['node', 'bun'] as const) {
  test(`${runtime}: a registry load from the file cache — a corrupt blob on disk is detected and refetched, offline serves the cached version`, async () => {
    const cacheDir = tempDir(`ferryml-${runtime}-fscache-`);
    const fetched = counter();
    const first = await load(runtime, cacheDir);
    assert.equal(first.source, 'network');
    assert.deepEqual(first.cache, { persisted: true, memoryOnly: false }, 'stored on disk before loadModel answered');
    assert.deepEqual(first.listed, ['penguins@1.0.0']);
    assert.deepEqual(fetched(), { 'index.json': 1, ...ALL });

    // A fresh process fetches the registry (for revocations and channels) and nothing else: the
    // manifest request loadModel starts beside the registry for a pinned version is not sent when
    // the store holds that version.
    const REGISTRY_ONLY = { 'index.json': 1 };
    const cold = await load(runtime, cacheDir);
    assert.equal(cold.source, 'cache');
    assert.deepEqual(fetched(), REGISTRY_ONLY);

    // One byte of the cached weights flipped on disk.
    const blob = join(cacheDir, 'blobs', binSha);
    const bytes = await readFile(blob);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
    await writeFile(blob, bytes);
    const healed = await load(runtime, cacheDir);
    assert.equal(healed.source, 'network', 'the corrupt blob fails its sha256');
    assert.deepEqual(fetched(), { 'index.json': 1, 'manifest.json': 1, [BIN]: 1 }, 'only the corrupt file is fetched again; the good blobs are reused');
    assert.deepEqual(await readFile(blob), await readFile(`${BUNDLE}/${BIN}`), 'the good bytes replaced the corrupt blob');

    const again = await load(runtime, cacheDir);
    assert.equal(again.source, 'cache');
    assert.deepEqual(fetched(), REGISTRY_ONLY);

    // Nothing listens on port 9 of loopback: the registry is unreachable, the cached version serves.
    const offline = await load(runtime, cacheDir, 'http://127.0.0.1:9/models/index.json');
    assert.equal(offline.source, 'offline');
    assert.equal(offline.resolvedBy, 'offline-fallback');
    assert.deepEqual(fetched(), {});
    assert.deepEqual((await listing(cacheDir)).tmp, [], 'no temporary file is left behind');
  });
}

test('node + bun: four processes loading at once into one empty directory leave one consistent cache that a fifth reads', async () => {
  const cacheDir = tempDir('ferryml-fscache-race-');
  const fetched = counter();
  const all = await Promise.all([load('node', cacheDir), load('bun', cacheDir), load('node', cacheDir), load('bun', cacheDir)]);
  // Each serves the golden rows (checked in load); those that found the version already stored read it.
  for (const r of all) assert.ok(r.source === 'network' || r.source === 'cache', r.source);
  const downloads = all.filter((r) => r.source === 'network').length;
  assert.ok(downloads >= 1);
  // A process that found some blobs already written by another (its record not yet) fetches only the rest.
  const bins = fetched()[BIN] ?? 0;
  assert.ok(bins >= 1 && bins <= downloads, `${bins} weights downloads for ${downloads} loads from the network`);
  const disk = await listing(cacheDir);
  const manifest = JSON.parse(await readFile(`${BUNDLE}/manifest.json`, 'utf8')) as { files: { sha256: string }[] };
  assert.deepEqual(disk.blobs, manifest.files.map((f) => f.sha256).sort(), 'exactly the bundle’s blobs');
  assert.deepEqual(disk.tmp, []);
  for (const sha of disk.blobs) {
    const f = manifest.files.find((m) => m.sha256 === sha) as { path: string; sha256: string };
    assert.deepEqual(await readFile(join(cacheDir, 'blobs', sha)), await readFile(`${BUNDLE}/${f.path}`), `${f.path} on disk is the verified file`);
  }
  const third = await load('node', cacheDir);
  assert.equal(third.source, 'cache');
  assert.deepEqual(third.listed, ['penguins@1.0.0']);
  assert.deepEqual(fetched(), { 'index.json': 1 });
});

test('ferryml/node stays opt-in: no other built file (root, lite, edge, their chunks) names node:fs', async () => {
  const files: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else if (e.name.endsWith('.js')) files.push(join(d, e.name));
    }
  };
  await walk(sdk.dir);
  const node = resolve(sdk.dir, 'node.js');
  assert.ok(files.includes(node) && files.includes(resolve(sdk.dir, 'edge.js')) && files.includes(resolve(sdk.dir, 'ferryml.js')));
  assert.match(await readFile(node, 'utf8'), /node:fs\/promises/);
  for (const f of files.filter((f) => f !== node)) assert.doesNotMatch(await readFile(f, 'utf8'), /node:fs|fs\/promises/, f);
});
