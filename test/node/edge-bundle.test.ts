// Issue 18: `ferryml/edge` — a Worker serving penguins (a plain-JS model) bundles with esbuild and
// wrangler's defaults to ≤ 50 KB gzip with no tfjs in it, and serves golden predictions in workerd;
// a model on tfjs still runs from `ferryml/edge` once the app hands the engine in (`useTfjs`).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { buildSdk, buildWorker, startOrigin, startWorkerd } from './support/edge.js';

const BUNDLE = 'models/penguins/1.0.0';
const BUDGET = 50 * 1024;
const TOLERANCE = 1e-5;

let sdk: Awaited<ReturnType<typeof buildSdk>>;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let golden: { rows: Record<string, unknown>[]; outputs: number[][] };

before(async () => {
  [sdk, origin] = await Promise.all([buildSdk(), startOrigin('.')]);
  golden = JSON.parse(await readFile(`${BUNDLE}/golden.json`, 'utf8'));
});
after(async () => {
  await origin.close();
  await sdk.remove();
});

const close = (a: number[] | null | undefined, b: number[]) => !!a && a.length === b.length && a.every((v, i) => Math.abs(v - b[i]!) <= TOLERANCE);
const bundleFetches = () => [...origin.requests].filter(([path]) => path.startsWith(`/${BUNDLE}/`)).reduce((n, [, c]) => n + c, 0);

test('the README Worker on ferryml/edge: ≤ 50 KB gzip with wrangler defaults, no tfjs, golden predictions in workerd, model reused across requests', async () => {
  const { code, inputs } = await buildWorker({ entry: 'test/edge/tiny-worker.mjs', sdk: sdk.dir });
  const gz = gzipSync(code).length;
  assert.ok(gz <= BUDGET, `the Worker is ${(gz / 1024).toFixed(1)} KB gzip (${(code.length / 1024).toFixed(1)} KB), over the 50 KB budget`);
  assert.deepEqual(
    inputs.filter((i) => /tensorflow|\/chunks\//.test(i)),
    [],
    'nothing of tfjs (or the root build) in the edge bundle',
  );
  const before = bundleFetches();
  const worker = await startWorkerd(code, { BUNDLE_URL: `${origin.base}/${BUNDLE}/` });
  try {
    const info = await (await fetch(worker.base)).json();
    assert.deepEqual(info, { info: { version: '1.0.0', engine: 'js', source: 'network' } });
    const fetched = bundleFetches() - before;
    assert.ok(fetched >= 5, `the first request fetched the bundle (${fetched} requests)`);
    for (const [i, row] of golden.rows.entries()) {
      const res = await fetch(worker.base, { method: 'POST', body: JSON.stringify(row) });
      const body = await res.json();
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.ok(close(Object.values(body.probabilities), golden.outputs[i]!), `row ${i}: ${JSON.stringify(body)}`);
    }
    const bad = await fetch(worker.base, { method: 'POST', body: JSON.stringify({ Island: 'Dream', 'Beak Length (mm)': 'forty' }) });
    assert.equal(bad.status, 422);
    assert.equal((await bad.json()).issues[0].code, 'PARSE_ERROR');
    assert.equal(bundleFetches() - before, fetched, 'later requests reuse the isolate’s loaded model: no fetch to the origin');
  } finally {
    await worker.stop();
  }
});

test('ferryml/edge with useTfjs runs a model on tfjs (cpu) in workerd; without it the load fails with NO_BACKEND', async () => {
  const { code } = await buildWorker({ entry: 'test/edge/tfjs-worker.mjs', sdk: sdk.dir, bundleDir: BUNDLE });
  const worker = await startWorkerd(code);
  try {
    const without = await fetch(worker.base);
    const err = await without.json();
    assert.equal(without.status, 500);
    assert.equal(err.code, 'NO_BACKEND');
    assert.match(err.message, /useTfjs\(\(\) => import\('ferryml\/tfjs'\)\)/);
    const res = await fetch(`${worker.base}/?slot=1`);
    const body = await res.json();
    assert.equal(res.status, 200, `${JSON.stringify(body)}\n${worker.log()}`);
    assert.deepEqual(body.info, { engine: 'tfjs', backend: 'cpu' });
    golden.outputs.forEach((want, i) => assert.ok(close(body.golden[i], want), `golden row ${i}: ${JSON.stringify(body.golden[i])}`));
  } finally {
    await worker.stop();
  }
});

test('ferryml/edge runs a model on tfjs wasm in workerd from the precompiled module a Worker imports (wasmModule); without it NO_BACKEND', async () => {
  const { code } = await buildWorker({ entry: 'test/edge/wasm-worker.mjs', sdk: sdk.dir, bundleDir: BUNDLE });
  const simd = 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm';
  const worker = await startWorkerd(code, {}, { wasmModules: { 'tfjs-backend-wasm-simd.wasm': simd } });
  try {
    const without = await fetch(worker.base);
    const err = await without.json();
    assert.equal(without.status, 500, JSON.stringify(err));
    assert.equal(err.code, 'NO_BACKEND', 'workerd refuses to compile the fetched bytes');
    const res = await fetch(`${worker.base}/?module=1`);
    const body = await res.json();
    assert.equal(res.status, 200, `${JSON.stringify(body)}\n${worker.log()}`);
    assert.deepEqual(body.info, { engine: 'tfjs', backend: 'wasm' });
    assert.equal(body.process, 'object', 'the global process hidden during the backend setup is back');
    golden.outputs.forEach((want, i) => assert.ok(close(body.golden[i], want), `golden row ${i}: ${JSON.stringify(body.golden[i])}`));
  } finally {
    await worker.stop();
  }
});
