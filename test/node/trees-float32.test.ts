// XGBoost sums each row's score in float32, tree after tree (`"accumulate": "float32"` in the
// bundle): every path of the tree kernel — the general walk, the perfect-tree walks (eight rows side
// by side with NaN right, four with NaN-aware steps, lone rows one or two trees at a time), the
// lone-row walk, the WebAssembly SIMD kernel and WebAssembly walk — gives XGBoost's own predictions
// bit for bit (the grouped walk, float64 locals across trees, is never taken for them) on the committed bundles of
// python/tests/tree_float32.py, half of whose rows float64 sums would round to another float32. The
// tfjs GEMM and traversal strategies sum in their own order: within TENSOR_TOLERANCE (documented).
// Also: the format refuses an unknown `accumulate`, and what readTreeEnsemble refuses about the arrays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { readTreeEnsemble, type TreeArtifacts, type TreeEnsemble } from '../../src/runtime/trees/format.js';
import { createTreeKernel } from '../../src/runtime/trees/kernel.js';
import { loneWalk } from '../../src/runtime/trees/lone.js';
import { float32Below, perfectTrees } from '../../src/runtime/trees/perfect.js';
import { compileSimdTrees } from '../../src/runtime/trees/simd.js';
import { createGemmTensors } from '../../src/runtime/trees/gemm.js';
import { TENSOR_TOLERANCE, createTreeTensors } from '../../src/runtime/trees/tensor.js';
import { FerryError } from '../../src/errors.js';

const DIR = fileURLToPath(new URL('../fixtures/trees/', import.meta.url));

interface Fixture {
  artifacts: TreeArtifacts & { weightData: ArrayBuffer };
  e: TreeEnsemble;
  x: Float32Array;
  rows: number;
  /** XGBoost's predictions, float32 values, `rows × outputs`. */
  want: number[];
  float64Differs: number;
}

function fixture(name: string): Fixture {
  const model = JSON.parse(readFileSync(join(DIR, name, 'model.json'), 'utf8'));
  const bin = readFileSync(join(DIR, name, 'trees.bin'));
  const artifacts = {
    modelTopology: model.modelTopology,
    weightSpecs: model.weightsManifest[0].weights,
    weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
  };
  const p = JSON.parse(readFileSync(join(DIR, name, 'predict.json'), 'utf8')) as { rows: number[][]; predict: number[][]; float64Differs: number };
  return {
    artifacts,
    e: readTreeEnsemble(artifacts),
    x: Float32Array.from(p.rows.flat()),
    rows: p.rows.length,
    want: p.predict.flat(),
    float64Differs: p.float64Differs,
  };
}

const fixtures = ['xgboost-float32', 'xgboost-float32-2'].map((n) => [n, fixture(n)] as const);

/** The first entry of `got` that is not XGBoost's float32 value, in words; undefined when all are. */
function firstDifference(got: ArrayLike<number>, want: number[]): string | undefined {
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) return `value ${i}: ${got[i]}, XGBoost ${want[i]}`;
  return undefined;
}

/** The same trees with every NaN sent right (flags 0): the rows hold no NaN, so XGBoost's answers stand, and the NaN-free walks run. */
const nanRight = (e: TreeEnsemble): TreeEnsemble => ({ ...e, flags: new Uint8Array(e.flags.length) });

for (const [name, f] of fixtures) {
  test(`${name}: every JavaScript walk gives XGBoost's float32 sums bit for bit`, () => {
    assert.equal(f.e.accumulate, 'float32');
    const K = f.e.outputs;
    for (const [variant, e] of [
      ['as exported', f.e],
      ['NaN always right', nanRight(f.e)],
    ] as const) {
      const general = createTreeKernel(e, 'general');
      const auto = createTreeKernel(e);
      assert.ok(auto.perfectTrees === e.trees, `${variant}: every tree in the perfect-tree walk`);
      const paths: Array<[string, ArrayLike<number>]> = [
        ['general walk', general.sums(f.x, f.rows)],
        [variant === 'as exported' ? 'perfect walk, NaN-aware' : 'perfect walk, eight rows side by side', auto.sums(f.x, f.rows).slice(0, f.rows * K)],
      ];
      // One row per call: the perfect walk's lone rows (rowsOne for one score, rows for two).
      const lone = new Float64Array(f.rows * K);
      for (let r = 0; r < f.rows; r++) lone.set(auto.sums(f.x.subarray(r * e.features), 1).subarray(0, K), r * K);
      paths.push(['perfect walk, lone rows', lone]);
      // The lone-row walk (lone.ts: four trees side by side), taken for deeper ensembles with NaN always right.
      const walk4 = loneWalk(e, e.threshold.map(float32Below));
      if (variant === 'NaN always right') {
        assert.ok(walk4, 'the lone-row walk takes a NaN-right ensemble');
        const acc = new Float32Array(f.rows * K).map((_, i) => e.base[i % K]!); // the kernel's float32 scores
        walk4(f.x, 0, f.rows, acc);
        paths.push(['lone-row walk', acc]);
      }
      const layout = perfectTrees(e)!;
      // The grouped walk keeps float64 locals across trees: float32 sums never take it.
      assert.equal(layout.groups, undefined, `${variant}: no grouped walk`);
      for (const [path, got] of paths) assert.equal(firstDifference(got, f.want), undefined, `${variant}, ${path}`);
    }
  });

  test(`${name}: the WebAssembly kernel (SIMD and walk) gives XGBoost's float32 sums bit for bit`, async () => {
    for (const e of [f.e, nanRight(f.e)]) {
      const js = createTreeKernel(e);
      for (const walk of ['auto', 'walk'] as const) {
        const simd = await compileSimdTrees(e, (x, n) => js.sums(x, n), walk);
        assert.match(simd.description, walk === 'walk' ? /WebAssembly tree walk/ : /SIMD tree kernel/);
        assert.equal(firstDifference(simd.sums(f.x, f.rows), f.want), undefined, simd.description);
      }
    }
  });

  test(`${name}: float64 sums would differ from XGBoost on the first ${f.float64Differs} rows (the fixture has teeth)`, () => {
    const plain = createTreeKernel({ ...f.e, accumulate: undefined } as unknown as TreeEnsemble, 'general').sums(f.x, f.rows);
    const K = f.e.outputs;
    for (let r = 0; r < f.float64Differs; r++) {
      const differs = Array.from({ length: K }, (_, k) => Math.fround(plain[r * K + k]!) !== f.want[r * K + k]).some(Boolean);
      assert.ok(differs, `row ${r}`);
    }
  });

  test(`${name}: the tfjs strategies (GEMM, traversal) stay within ${TENSOR_TOLERANCE} of XGBoost`, async () => {
    await tf.setBackend('cpu');
    for (const tensors of [createGemmTensors(f.e), createTreeTensors(f.e)]) {
      const input = tf.tensor2d(f.x, [f.rows, f.e.features]);
      const y = tensors.forward(input);
      const got = await y.data();
      tf.dispose([input, y]);
      tensors.dispose();
      got.forEach((v, i) =>
        assert.ok(Math.abs(v - f.want[i]!) <= TENSOR_TOLERANCE * Math.max(1, Math.abs(f.want[i]!)), `value ${i}: ${v}, XGBoost ${f.want[i]}`),
      );
    }
  });
}

type Artifacts = { modelTopology: Record<string, unknown>; weightSpecs: Array<Record<string, unknown>>; weightData: ArrayBuffer };

/** Artifacts of a one-tree ensemble over one feature from its node arrays (threshold 0, no flags, one value per leaf). */
function tiny(feature: number[], left: number[], right: number[], values: number[]): Artifacts {
  const arrays: Array<[string, ArrayLike<number>, typeof Int32Array | typeof Float64Array | typeof Uint8Array | typeof Uint32Array]> = [
    ['roots', [0], Int32Array],
    ['treeColumn', [0], Int32Array],
    ['feature', feature, Int32Array],
    ['threshold', feature.map(() => 0), Float64Array],
    ['left', left, Int32Array],
    ['right', right, Int32Array],
    ['flags', feature.map(() => 0), Uint8Array],
    ['values', values, Float64Array],
    ['bitsets', [], Uint32Array],
  ];
  const parts = arrays.map(([, v, T]) => new Uint8Array(T.from(v).buffer));
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (bytes.set(p, at), at + p.length), 0);
  return {
    modelTopology: {
      kind: 'tree-ensemble',
      library: 'test',
      compare: '<=',
      features: 1,
      outputs: 1,
      trees: 1,
      leafWidth: 1,
      aggregate: 'sum',
      base: [0],
      link: 'identity',
    },
    weightSpecs: arrays.map(([name, v, T]) => ({ name, shape: [v.length], dtype: T.name.slice(0, -5).toLowerCase() })),
    weightData: bytes.buffer,
  };
}

/** The FerryError readTreeEnsemble throws for `a`, checked to be MANIFEST_INVALID. */
function refused(a: Artifacts): FerryError {
  try {
    readTreeEnsemble(a as unknown as TreeArtifacts);
  } catch (error) {
    assert.ok(error instanceof FerryError, String(error));
    assert.equal(error.code, 'MANIFEST_INVALID');
    return error;
  }
  assert.fail('readTreeEnsemble accepted it');
}

/** `refused` for the first fixture with `change` applied to a copy of its artifacts. */
function refusal(change: (a: Artifacts) => void): FerryError {
  const base = fixtures[0]![1].artifacts;
  const a = {
    modelTopology: { ...(base.modelTopology as Record<string, unknown>) },
    weightSpecs: base.weightSpecs!.map((s): Record<string, unknown> => ({ ...s })),
    weightData: (base.weightData as ArrayBuffer).slice(0),
  };
  change(a);
  return refused(a);
}

const roots = (a: { weightSpecs: Array<Record<string, unknown>> }) => a.weightSpecs.find((s) => s.name === 'roots')!;
const formatCases: Array<[string, Parameters<typeof refusal>[0], RegExp]> = [
  ['an unknown accumulate', (a) => (a.modelTopology.accumulate = 'float16'), /accumulate is "float16", not "float32"/],
  ['a fractional shape', (a) => (roots(a).shape = [40.5]), /array "roots" has shape \[40\.5\], not \[count\]/],
  ['a negative shape', (a) => (roots(a).shape = [-40]), /array "roots" has shape \[-40\], not \[count\]/],
  ['a shape that is no list', (a) => (roots(a).shape = 40), /array "roots" has shape 40, not \[count\]/],
  [
    'an array listed twice',
    (a) => a.weightSpecs.push({ ...roots(a) }),
    /the arrays must be roots int32, treeColumn int32, .*, in this order; got roots int32, .*, bitsets uint32, roots int32;/,
  ],
  ['an unknown name (an inherited property)', (a) => (a.weightSpecs[0]!.name = 'constructor'), /in this order; got constructor int32, treeColumn int32/],
  ['a wrong dtype', (a) => (roots(a).dtype = 'float32'), /the arrays must be roots int32, .*; got roots float32,/],
  [
    'bytes left over after the arrays',
    (a) => {
      const bytes = new Uint8Array(a.weightData.byteLength + 4);
      bytes.set(new Uint8Array(a.weightData));
      a.weightData = bytes.buffer;
    },
    /the arrays take (\d+) bytes, the weight data (?!\1)\d+/,
  ],
  ['an array running past the end', (a) => (roots(a).shape = [41]), /the arrays take \d+ bytes, the weight data \d+/],
];

for (const [what, change, message] of formatCases)
  test(`the format refuses ${what}: MANIFEST_INVALID naming it`, () => {
    assert.match(refusal(change).message, message);
  });

test('a node with two parents is refused as such, not as a cycle', () => {
  assert.ok(readTreeEnsemble(tiny([0, -1, -1], [1, 0, 1], [2, 0, 0], [1, 2]) as unknown as TreeArtifacts), 'the well-formed stump loads');
  // Node 0 sends both sides to node 1, node 1 both to leaf 2: every path reaches node 2.
  const message = refused(tiny([0, 0, -1], [1, 2, 0], [1, 2, 0], [1])).message;
  assert.match(message, /tree 0 reaches a node twice/);
  assert.doesNotMatch(message, /cycle/);
});
