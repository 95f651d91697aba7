// Shared by the Node and Chromium SIMD tree-kernel tests: one committed tree bundle through the
// JavaScript kernel and the WebAssembly SIMD kernel (src/runtime/trees/simd.ts), their float64 raw
// scores compared bit for bit on rows that probe every split (golden-like values, each threshold
// as float32 and one ulp either side, NaN, ±Infinity, arbitrary numbers), in one batch and in
// batches that end inside a group of eight rows and across the 256-row block.
import { readTreeEnsemble, type TreeEnsemble } from '../../src/runtime/trees/format.js';
import { createTreeKernel } from '../../src/runtime/trees/kernel.js';
import { compileSimdTrees, simdRefusal } from '../../src/runtime/trees/simd.js';

/** A bundle's model.json as the tests read it. */
export interface TreeModelJson {
  modelTopology: unknown;
  weightsManifest: Array<{ weights: Array<{ name: string; shape: number[]; dtype: string }> }>;
}

export function ensembleOf(model: TreeModelJson, bin: ArrayBuffer): TreeEnsemble {
  return readTreeEnsemble({ modelTopology: model.modelTopology, weightSpecs: model.weightsManifest[0]!.weights, weightData: bin });
}

/** Probe rows: thresholds ±1 ulp (as float32), NaN, ±Infinity, random values (seeded). */
export function probeRows(e: TreeEnsemble, rows: number): Float32Array {
  let seed = 11;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const thresholds = Array.from(e.threshold).filter((_, n) => e.feature[n]! >= 0);
  const one = new Float32Array(1);
  const bits = new Int32Array(one.buffer);
  const x = new Float32Array(rows * e.features);
  for (let i = 0; i < x.length; i++) {
    const u = random();
    if (u < 0.75) {
      one[0] = thresholds[Math.floor(random() * thresholds.length)] ?? 0;
      bits[0] = bits[0]! + Math.floor(random() * 3) - 1;
      x[i] = one[0];
    } else x[i] = [NaN, Infinity, -Infinity, (random() - 0.5) * 1e3][Math.floor(random() * 4)]!;
  }
  return x;
}

/**
 * Where the WebAssembly kernel's float64 sums differ from the JavaScript kernel's (empty: bit-identical);
 * `undefined` when it refuses the ensemble. `walk`: `"walk"` forces the WebAssembly walk (wasm-walk.ts) whatever the depth.
 */
export async function simdProblems(e: TreeEnsemble, walk: 'auto' | 'walk' = 'auto'): Promise<string[] | undefined> {
  if (simdRefusal(e) !== undefined) return undefined;
  const js = createTreeKernel(e);
  const general = createTreeKernel(e, 'general');
  const simd = await compileSimdTrees(e, (x, n) => js.sums(x, n), walk);
  const K = e.outputs;
  const rows = 1200;
  const x = probeRows(e, rows);
  const want = general.sums(x, rows).slice(0, rows * K);
  const problems: string[] = [];
  const compare = (got: Float64Array, at: number, n: number, what: string) => {
    for (let i = 0; i < n * K; i++)
      if (!Object.is(got[i], want[at * K + i])) {
        problems.push(`${what}: row ${at + Math.floor(i / K)} column ${i % K}: SIMD ${got[i]}, JavaScript ${want[at * K + i]}`);
        return;
      }
  };
  compare(simd.sums(x, rows), 0, rows, 'one batch');
  // Batches of 1 … 17 rows (inside a group of eight), then batches of 250 and 300 (across blocks).
  for (let n = 1, at = 0; at + n <= 200; at += n, n = (n % 17) + 1) compare(simd.sums(x.subarray(at * e.features), n), at, n, `${n} rows at ${at}`);
  for (const n of [250, 300]) compare(simd.sums(x.subarray(100 * e.features), n), 100, n, `${n} rows at 100`);
  // The outputs (link applied) too, against the JavaScript kernel's run.
  const out = js.finish(Float64Array.from(simd.sums(x, rows).subarray(0, rows * K)), rows);
  const ref = js.run(x, rows);
  for (let i = 0; i < ref.length; i++)
    if (!Object.is(out[i], ref[i])) {
      problems.push(`outputs: index ${i}: SIMD ${out[i]}, JavaScript ${ref[i]}`);
      break;
    }
  return problems;
}

/** The committed edge-case inputs (test/trees/edges.ts) through the SIMD kernel, as float32 outputs; `undefined` when it refuses the model. */
export async function runEdgeCaseSimd(
  model: TreeModelJson,
  bin: ArrayBuffer,
  inputBits: number[],
  walk: 'auto' | 'walk' = 'auto',
): Promise<Float32Array | undefined> {
  const e = ensembleOf(model, bin);
  if (simdRefusal(e) !== undefined) return undefined;
  const js = createTreeKernel(e);
  const simd = await compileSimdTrees(e, (x, n) => js.sums(x, n), walk);
  const input = new Float32Array(new Uint32Array(inputBits).buffer);
  const rows = input.length / e.features;
  return js.finish(Float64Array.from(simd.sums(input, rows).subarray(0, rows * e.outputs)), rows);
}
