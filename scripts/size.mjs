#!/usr/bin/env node
// Prints the min+gzip size of the SDK core (dist/ferryml.js and the chunks it imports
// statically; tfjs and idb-keyval excluded as they are peer/external) and of each lazily loaded
// chunk, and exits 1 when the core is over the budget. Run `npm run build` first (done here if
// dist/ is missing). Budget: 11.25 KB — see README "Size budget" before raising it.
// scripts/chunk-modules.mjs lists the source modules each of these chunks holds.
// Then ferryml/lite (dist/lite.js): everything it can ever load, static and dynamic, must name no
// tfjs package and no .wasm file, and fit LITE_BUDGET (README "ferryml/lite").
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { minify } from 'terser';
import { dynamicImport, staticImport } from './chunk-modules.mjs';

// 16.75 KB at 16.65 KB until issue 15 moved what the core ran only after the bundle was open into
// the plain-path chunk, which loads in parallel with the registry request: the schema compiler
// (image preprocessing, encoders, the row fast path), the schema compatibility rule, the remembered
// backend choice. 11.03 KB after it (11.07 KB once a fresh profile's database waited for the answer); the headroom is for fixes, not for features that could load lazily.
const BUDGET = 11.25 * 1024;
// 50.3 KB at 1.0 (telemetry, loaded only when asked for, is 40 % of it); raised from 54 KB at 54.3 KB by
// the edge cache (Cache API store), the early IndexedDB read, `cache.store`, the perfect-tree walk and
// the columnar fast path; raised from 56 KB at 56.56 KB by the fifth landing's fresh-profile early
// requests (manifest and files sent by the core), the bundle phase timings and the tree kernels'
// WebAssembly slot; to 57.5 KB at 57.0 KB by the lone-row walk of one-score ensembles (two trees side
// by side: GB per call 2.35× ORT, BENCHMARKS.md); to 58.25 KB at 57.84 KB (57.97 KB after the merge fix) by the sixth landing: the
// registry's file lists and the deferred fresh-profile database (issue 15), the four-tree lone walk of
// forests and the row transform's numeric fast path (issue 14: RF per call ≥ 2× ORT) (README "Size budget");
// 57.67 KB after issue 15's core work (the plain-JS engine no longer reaches the WebGPU probe), 57.97 KB
// with telemetry's latency sampling and the fresh profile's database opened after the answer; to 59.25 KB
// at 58.98 KB by the tenth pass's review fixes (revocations recorded on every path, the registry
// fallback on a garbled answer, share keys, monotonic registry trust; telemetry's hide-time outbox,
// request timeout, page-wide keepalive budget and exclusive drains), README "Size budget"; 58.90 KB once
// worker-mode image transfer, storage buckets and detection decoding moved where they are needed;
// to 60.25 KB at 59.93 KB by the eleventh pass's review fixes (cached records matched by exact name and
// version, a quota pre-check that counts what a commit adds, a missing blob a miss for that file alone,
// offline versions marked used, bucket connections closed on versionchange with an open timeout, Cache
// API key lists merged, bucket names checked; load-time schema checks; telemetry's Retry-After holding
// new batches), README "Size budget".
const LITE_BUDGET = 60.25 * 1024;
const entry = resolve('dist/ferryml.js');
if (!existsSync(entry)) spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });

async function measure(file) {
  const code = readFileSync(file, 'utf8');
  const min = (await minify(code, { module: true, compress: { passes: 2 }, mangle: true })).code ?? '';
  return { raw: code.length, min: min.length, gz: gzipSync(min, { level: 9 }).length, code };
}

const core = new Map();
const lazy = new Map();
async function walk(file, into) {
  if (core.has(file) || (into === lazy && lazy.has(file))) return;
  const m = await measure(file);
  into.set(file, m);
  for (const [, rel] of m.code.matchAll(staticImport)) await walk(resolve(dirname(file), rel), into);
  for (const [, rel] of m.code.matchAll(dynamicImport)) {
    const target = resolve(dirname(file), rel);
    if (!core.has(target)) await walk(target, lazy);
  }
}
await walk(entry, core);
for (const f of core.keys()) lazy.delete(f);

const kb = (n) => `${(n / 1024).toFixed(2)} KB`;
const sum = (m) => [...m.values()].reduce((a, b) => a + b.gz, 0);
const rows = [...core].map(([f, m]) => ['core', f, m]).concat([...lazy].map(([f, m]) => ['lazy', f, m]));
console.log('part  file                                         min        min+gz');
for (const [part, f, m] of rows)
  console.log(`${part.padEnd(5)} ${f.replace(`${resolve('dist')}/`, '').padEnd(44)} ${kb(m.min).padStart(10)} ${kb(m.gz).padStart(10)}`);
const total = sum(core);
console.log(`\nSDK core (static graph from dist/ferryml.js, tfjs excluded): ${kb(total)} min+gz (budget ${kb(BUDGET)})`);
console.log(`Lazily loaded chunks: ${kb(sum(lazy))} min+gz`);
if (process.argv.includes('--json')) console.log(JSON.stringify({ coreGzipBytes: total, lazyGzipBytes: sum(lazy), budgetBytes: BUDGET }));
let failed = false;
if (total > BUDGET) {
  console.error(`Over budget by ${kb(total - BUDGET)}: move code behind a dynamic import or raise the budget with a reason in README.`);
  failed = true;
}

// ferryml/lite: the whole graph (static and dynamic) — what an app's bundler would include.
const bare = /(?:(?:^|[;\n}])\s*(?:import|export)\s*(?:[^'"]*?from\s*)?|import\(\s*)['"]([^.'"][^'"]*)['"]/g;
const lite = new Map();
async function walkAll(file) {
  if (lite.has(file)) return;
  const m = await measure(file);
  lite.set(file, m);
  for (const [, rel] of [...m.code.matchAll(staticImport), ...m.code.matchAll(dynamicImport)]) await walkAll(resolve(dirname(file), rel));
}
const liteEntry = resolve('dist/lite.js');
if (existsSync(liteEntry)) {
  await walkAll(liteEntry);
  const packages = new Set([...lite.values()].flatMap((m) => [...m.code.matchAll(bare)].map(([, name]) => name)));
  const tfjs = [...packages].filter((p) => p.startsWith('@tensorflow/'));
  const wasm = [...lite].filter(([, m]) => /\.wasm['"`]/.test(m.code)).map(([f]) => f);
  const liteTotal = sum(lite);
  console.log(
    `\nferryml/lite (everything dist/lite.js can load, static and dynamic): ${lite.size} files, ${kb(liteTotal)} min+gz (budget ${kb(LITE_BUDGET)}); packages: ${[...packages].join(', ') || 'none'}`,
  );
  if (process.argv.includes('--json')) console.log(JSON.stringify({ liteGzipBytes: liteTotal, liteBudgetBytes: LITE_BUDGET, litePackages: [...packages] }));
  if (tfjs.length || wasm.length) {
    console.error(`ferryml/lite reaches tfjs: ${[...tfjs, ...wasm.map((f) => `${f} (names a .wasm file)`)].join(', ')}; it must never import tfjs.`);
    failed = true;
  }
  if (liteTotal > LITE_BUDGET) {
    console.error(`ferryml/lite is over budget by ${kb(liteTotal - LITE_BUDGET)}.`);
    failed = true;
  }
} else {
  console.error('dist/lite.js is missing: run npm run build');
  failed = true;
}
if (failed) process.exit(1);
