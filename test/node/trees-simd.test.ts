// The WebAssembly tree kernel (src/runtime/trees/simd.ts: SIMD for shallow trees, wasm-walk.ts for
// deeper ones) in Node: bit for bit the JavaScript kernel's float64 sums on every committed tree
// bundle it takes (test/trees/simd-cases.ts; the walk also forced on each), the committed threshold
// edge cases' output bits, which bundles it refuses and why, the tree kernel's
// switch to it on the first large batch, and the fallback in a real runtime without WebAssembly
// (`node --jitless`), with the reason in the kernel's description.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TreeEnsemble } from '../../src/runtime/trees/format.js';
import { simdRefusal } from '../../src/runtime/trees/simd.js';
import { createTreeKernel } from '../../src/runtime/trees/kernel.js';
import { offerTreeSimd } from '../../src/runtime/trees/simd-slot.js';
import { SIMD_LOAD_ROWS, treeKernel } from '../../src/runtime/trees/plain-kernel.js';
import { outputBits, type EdgeCase } from '../trees/edges.js';
import { ensembleOf, probeRows, runEdgeCaseSimd, simdProblems } from '../trees/simd-cases.js';
import type { PlainKernel } from '../../src/runtime/plain-kernels.js';

const EXPORT = fileURLToPath(new URL('../fixtures/export/models/', import.meta.url));
const EDGES = fileURLToPath(new URL('../fixtures/trees/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const bytes = (path: string) => {
  const b = readFileSync(path);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
};
const model = (dir: string) => JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
const read = (dir: string) => ensembleOf(model(dir), bytes(join(dir, model(dir).weightsManifest[0].paths[0])));

const bundles = [
  ...readdirSync(EXPORT)
    .map((m) => join(EXPORT, m, '1.0.0'))
    .filter((d) => existsSync(join(d, 'model.json')) && model(d).format === 'tree-ensemble'),
  ...['sklearn-tree', 'hist-gradient-boosting', 'xgboost'].map((m) => join(EDGES, m)),
];

for (const dir of bundles) {
  const name = dir.split('/').slice(-2).join('/');
  test(`${name}: the WebAssembly kernel's sums (SIMD or walk, and the walk forced) equal the JavaScript kernel's bit for bit, or it says why not`, async () => {
    const e = read(dir);
    const problems = await simdProblems(e);
    if (problems === undefined) {
      assert.match(simdRefusal(e)!, /categorical|deeper than 10/);
      assert.equal(name, 'penguins-hgb/1.0.0', 'only the categorical bundle is refused');
      return;
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(await simdProblems(e, 'walk'), [], 'the walk');
  });
}

test('shallow ensembles take the SIMD every-node comparison, deeper ones the walk', async () => {
  const { compileSimdTrees } = await import('../../src/runtime/trees/simd.js');
  const describe = async (m: string) => {
    const e = read(join(EXPORT, m, '1.0.0'));
    const js = createTreeKernel(e);
    return (await compileSimdTrees(e, (x, n) => js.sums(x, n))).description;
  };
  for (const m of ['cancer-gb-zero', 'cancer-hgb', 'cancer-xgb', 'diabetes-gb', 'penguins-gb', 'penguins-xgb', 'wine-hgb'])
    assert.match(await describe(m), /SIMD tree kernel \(\d+ trees evaluated node for node at depth [1-4]/, m);
  for (const m of ['cancer-forest', 'penguins-forest', 'penguins-tree', 'wine-extratrees'])
    assert.match(await describe(m), /the WebAssembly tree walk \(\d+ trees up to depth \d+, 8 rows side by side\)/, m);
});

test('threshold edge cases: the WebAssembly kernel (SIMD and walk) gives the committed output bits', async () => {
  const { cases } = JSON.parse(readFileSync(join(EDGES, 'edges.json'), 'utf8')) as { cases: EdgeCase[] };
  for (const c of cases) {
    const m = model(join(EDGES, c.name));
    for (const walk of ['auto', 'walk'] as const) {
      const got = await runEdgeCaseSimd(m, bytes(join(EDGES, c.name, 'trees.bin')), c.inputBits, walk);
      assert.ok(got, `${c.name} is taken`);
      assert.deepEqual(outputBits(got), c.ferrymlBits, `${c.name} (${walk})`);
    }
  }
});

/** The tree kernel of a bundle as the plain-JS engine gets it. */
function plain(dir: string): PlainKernel {
  const m = model(dir);
  const kernel = treeKernel({
    artifacts: { modelTopology: m.modelTopology, weightSpecs: m.weightsManifest[0].weights, weightData: bytes(join(dir, m.weightsManifest[0].paths[0])) },
    format: 'tree-ensemble',
    width: m.modelTopology.features,
  });
  assert.ok(kernel && !('reason' in kernel));
  return kernel;
}

test('the tree kernel compiles the SIMD kernel on its first large call only, then runs it, with the same outputs', async () => {
  offerTreeSimd(() => import('../../src/runtime/trees/simd.js'));
  const dir = join(EXPORT, 'cancer-gb-zero', '1.0.0');
  const kernel = plain(dir);
  const e = read(dir);
  const x = probeRows(e, 600);
  assert.match(kernel.description, /a call of 256\+ rows \(or 4096 rows in calls of 8\+\) loads the WebAssembly SIMD kernel/);
  assert.equal(kernel.prepare?.(SIMD_LOAD_ROWS - 1), undefined, 'a small call loads nothing');
  const before = kernel.run(x, 600);
  const ready = kernel.prepare?.(SIMD_LOAD_ROWS);
  assert.ok(ready);
  await ready;
  assert.equal(kernel.prepare?.(SIMD_LOAD_ROWS), undefined, 'once');
  assert.match(kernel.description, /calls of 8\+ rows run the WebAssembly SIMD tree kernel \(25 trees evaluated node for node at depth \d/);
  assert.deepEqual(outputBits(kernel.run(x, 600)), outputBits(before));
  // Mid-sized calls (a maxBatch under 256) load it once 4,096 rows have run in calls of 8+ rows.
  const mid = plain(dir);
  for (let i = 0; i < 40; i++) assert.equal(mid.prepare?.(100), undefined, `call ${i}`);
  assert.equal(mid.prepare?.(7), undefined, 'calls under 8 rows do not count');
  await mid.prepare?.(100);
  assert.match(mid.description, /calls of 8\+ rows run the WebAssembly SIMD tree kernel/);
  // A forest runs the walk; categorical splits are refused once loaded, saying why.
  const forest = plain(join(EXPORT, 'cancer-forest', '1.0.0'));
  await forest.prepare?.(SIMD_LOAD_ROWS);
  assert.match(forest.description, /calls of 8\+ rows run the WebAssembly tree walk/);
  const categorical = plain(join(EXPORT, 'penguins-hgb', '1.0.0'));
  await categorical.prepare?.(SIMD_LOAD_ROWS);
  assert.match(categorical.description, /the WebAssembly SIMD kernel is off: it does not take a categorical split/);
});

test('without WebAssembly (node --jitless) the tree kernel stays on JavaScript and says why', () => {
  const script = `
    import { readFileSync } from 'node:fs';
    import { offerTreeSimd } from './src/runtime/trees/simd-slot.ts';
    import { treeKernel } from './src/runtime/trees/plain-kernel.ts';
    const dir = 'test/fixtures/export/models/cancer-gb-zero/1.0.0/';
    const m = JSON.parse(readFileSync(dir + 'model.json', 'utf8'));
    const b = readFileSync(dir + m.weightsManifest[0].paths[0]);
    offerTreeSimd(() => import('./src/runtime/trees/simd.ts'));
    const k = treeKernel({ artifacts: { modelTopology: m.modelTopology, weightSpecs: m.weightsManifest[0].weights,
      weightData: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) }, format: 'tree-ensemble', width: 30 });
    await k.prepare(300);
    const out = k.run(new Float32Array(300 * 30), 300);
    console.log(JSON.stringify({ wasm: typeof WebAssembly, description: k.description, rows: out.length / 2 }));
  `;
  const r = spawnSync(process.execPath, ['--jitless', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { wasm: string; description: string; rows: number };
  assert.equal(got.wasm, 'undefined', 'a runtime without WebAssembly');
  assert.match(got.description, /the WebAssembly SIMD kernel is off: this runtime has no WebAssembly/);
  assert.equal(got.rows, 300);
});

/**
 * A synthetic ensemble: tree 0 a lone leaf, tree 1 a chain of `chain` splits on feature 1 (each
 * left child a leaf), tree 2 a stump on feature 0; two features, one score column.
 */
function synthetic(chain: number): TreeEnsemble {
  const feature: number[] = [-1];
  const threshold: number[] = [0];
  const left: number[] = [0];
  const right: number[] = [0];
  const values: number[] = [0.25];
  const leaf = (v: number) => {
    feature.push(-1);
    threshold.push(0);
    left.push(values.length);
    right.push(0);
    values.push(v);
    return feature.length - 1;
  };
  const split = (f: number, t: number) => {
    feature.push(f);
    threshold.push(t);
    left.push(0);
    right.push(0);
    return feature.length - 1;
  };
  const roots = [0];
  let node = split(1, 0.5);
  roots.push(node);
  for (let d = 1; d <= chain; d++) {
    left[node] = leaf(d / 7);
    right[node] = d === chain ? leaf(-d) : split(1, 0.5 + d);
    node = right[node]!;
  }
  const stump = split(0, -1.5);
  roots.push(stump);
  left[stump] = leaf(0.125);
  right[stump] = leaf(-0.375);
  return {
    kind: 'tree-ensemble',
    library: 'scikit-learn',
    compare: '<=',
    features: 2,
    outputs: 1,
    trees: 3,
    leafWidth: 1,
    aggregate: 'sum',
    base: [0.5],
    link: 'identity',
    roots: Int32Array.from(roots),
    treeColumn: new Int32Array(3),
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    flags: new Uint8Array(feature.length),
    values: Float64Array.from(values),
    bitsets: new Uint32Array(0),
  };
}

test('a lone leaf, a stump and chains of every depth up to 10 run bit for bit in both ways; deeper is refused', async () => {
  for (const chain of [1, 3, 4, 5, 8, 10]) {
    const e = synthetic(chain);
    assert.equal(simdRefusal(e), undefined, `depth ${chain}`);
    assert.deepEqual(await simdProblems(e), [], `depth ${chain}`);
    assert.deepEqual(await simdProblems(e, 'walk'), [], `depth ${chain}, walk`);
  }
  assert.match(simdRefusal(synthetic(11))!, /trees deeper than 10/);
});
