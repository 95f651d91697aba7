// The tree kernel's perfect-tree walk (src/runtime/trees/perfect.ts: heap layout, branch-free,
// rows side by side, leftover rows apart) against its general walk, bit for bit, on every committed
// tree bundle: rows from the bundle's golden inputs, values exactly on a threshold and one float32
// ulp either side, NaN and ±Infinity; in one batch and in batches of 1…17 rows. (Both walks read
// XGBoost's `x < t` as `x <= float32 below t`; trees-edges.test.ts checks that against XGBoost.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTreeEnsemble, type TreeEnsemble } from '../../src/runtime/trees/format.js';
import { createTreeKernel } from '../../src/runtime/trees/kernel.js';
import { loneWalk } from '../../src/runtime/trees/lone.js';
import { offerLoneWalk } from '../../src/runtime/trees/simd-slot.js';
import { float32Below } from '../../src/runtime/trees/perfect.js';
import { compileSchema } from '../../src/schema/compile.js';

const EXPORT = fileURLToPath(new URL('../fixtures/export/models/', import.meta.url));
const EDGES = fileURLToPath(new URL('../fixtures/trees/', import.meta.url));

function read(dir: string): TreeEnsemble {
  const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const bin = readFileSync(join(dir, model.weightsManifest[0].paths[0]));
  return readTreeEnsemble({
    modelTopology: model.modelTopology,
    weightSpecs: model.weightsManifest[0].weights,
    weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
  });
}

const bundles = [
  ...readdirSync(EXPORT)
    .map((m) => join(EXPORT, m, '1.0.0'))
    .filter((d) => existsSync(join(d, 'model.json')) && JSON.parse(readFileSync(join(d, 'model.json'), 'utf8')).format === 'tree-ensemble'),
  ...['sklearn-tree', 'hist-gradient-boosting', 'xgboost'].map((m) => join(EDGES, m)),
];

/** Rows that probe every split: golden values, thresholds ±1 ulp, NaN, ±Infinity, arbitrary numbers. */
function probe(e: TreeEnsemble, dir: string, rows: number): Float32Array {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const golden = existsSync(join(dir, 'golden.json'))
    ? compileSchema(JSON.parse(readFileSync(join(dir, 'schema.json'), 'utf8'))).safeParseBatch(JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')).rows)
        .values
    : undefined;
  const thresholds = Array.from(e.threshold).filter((_, n) => e.feature[n]! >= 0);
  const one = new Float32Array(1);
  const bits = new Int32Array(one.buffer);
  const x = new Float32Array(rows * e.features);
  for (let i = 0; i < x.length; i++) {
    const u = random();
    if (golden && u < 0.5) x[i] = golden[Math.floor(random() * (golden.length / e.features)) * e.features + (i % e.features)]!;
    else if (u < 0.8) {
      one[0] = thresholds[Math.floor(random() * thresholds.length)] ?? 0;
      bits[0] = bits[0]! + Math.floor(random() * 3) - 1;
      x[i] = one[0];
    } else x[i] = [NaN, Infinity, -Infinity, (random() - 0.5) * 1e3][Math.floor(random() * 4)]!;
  }
  return x;
}

for (const dir of bundles) {
  test(`${dir.split('/').slice(-2).join('/')}: the perfect walk equals the general walk bit for bit`, () => {
    const e = read(dir);
    const rows = 1000;
    const x = probe(e, dir, rows);
    const reference = new Uint32Array(createTreeKernel(e, 'general').run(x, rows).buffer);
    const kernel = createTreeKernel(e);
    assert.deepEqual(new Uint32Array(kernel.run(x, rows).buffer), reference, 'one batch');
    // Batches of 1 … 17 rows: lone rows and the leftovers of a group of eight.
    const w = kernel.outputWidth;
    for (let n = 1, at = 0; at + n <= 200; at += n, n = (n % 17) + 1) {
      const got = new Uint32Array(kernel.run(x.subarray(at * e.features, (at + n) * e.features), n).buffer);
      assert.deepEqual(got, reference.subarray(at * w, (at + n) * w), `rows ${at}…${at + n}`);
    }
  });
}

// The lone-row walk (src/runtime/trees/lone.ts: four trees side by side, the child picked by
// arithmetic) against the general walk on the float64 scores
// themselves — before the averaging and the float32 output could hide a different sum — on rows
// of every kind above: called directly on every bundle it serves (numeric nodes, NaN right), and through
// the kernel's sums for calls of 1…7 rows (whichever walk the kernel picks for them).
// As the `ferryml` and `ferryml/lite` entries do (ferryml/edge does not): kernels made from here on use it.
offerLoneWalk();
for (const dir of bundles) {
  test(`${dir.split('/').slice(-2).join('/')}: the lone-row walk equals the general walk bit for bit (float64 scores)`, () => {
    const e = read(dir);
    const rows = 600;
    const x = probe(e, dir, rows);
    const K = e.outputs;
    const reference = Float64Array.from(
      createTreeKernel(e, 'general')
        .sums(x, rows)
        .subarray(0, rows * K),
    );
    const threshold = e.compare === '<' ? e.threshold.map((t, n) => (e.flags[n]! & 2 ? t : float32Below(t))) : e.threshold;
    const lone = loneWalk(e, threshold);
    assert.equal(
      lone === undefined,
      e.flags.some((g) => g !== 0),
      'the lone walk serves every ensemble whose nodes are numeric and send NaN right',
    );
    if (lone) {
      const acc = new Float64Array(rows * K);
      for (let r = 0; r < rows; r++) for (let k = 0; k < K; k++) acc[r * K + k] = e.base[k]!;
      lone(x, 0, rows, acc);
      assert.deepEqual(new BigUint64Array(acc.buffer), new BigUint64Array(reference.buffer), 'the lone walk, every row');
    }
    const kernel = createTreeKernel(e);
    for (let n = 1, at = 0; at + n <= rows; at += n, n = (n % 7) + 1) {
      const got = kernel.sums(x.subarray(at * e.features, (at + n) * e.features), n).subarray(0, n * K);
      assert.deepEqual(
        new BigUint64Array(Float64Array.from(got).buffer),
        new BigUint64Array(reference.slice(at * K, (at + n) * K).buffer),
        `rows ${at}…${at + n}`,
      );
    }
  });
}
