/**
 * The WebAssembly tree kernel: large batches of numeric tree ensembles in a module generated for
 * the model (wasm-writer.ts; tree count, depth and table addresses are constants in its code),
 * bit for bit the JavaScript kernel's float64 sums. Two ways, by depth: every tree at most
 * {@link SIMD_MAX_DEPTH} deep (boosting) takes the SIMD every-node comparison (simd-nodes.ts);
 * deeper ones (a forest's depth 8, where comparing all 255 nodes measured ~7× slower than walking)
 * take the compiled perfect-tree walk (wasm-walk.ts). Categorical splits and trees deeper than 10
 * are refused: the JavaScript kernel runs them.
 *
 * Compiled on the first large batch (plain-kernel.ts), never at load, and checked against the
 * JavaScript kernel before it is used. This file and the two above are reached only through a
 * dynamic `import()` from the `ferryml` entry (simd-slot.ts).
 */
import { CATEGORICAL } from './format.js';
import type { Scores, TreeEnsemble } from './format.js';
import { PERFECT_MAX_DEPTH, float32AtMost, float32Below } from './perfect.js';
import { SIMD_MAX_DEPTH, maxDepth, nodesPlan } from './simd-nodes.js';
import { walkPlan, type WasmPlan } from './wasm-walk.js';

export { SIMD_MAX_DEPTH } from './simd-nodes.js';

/** Rows per block: the block's columns are 1 KiB apart, and its 256 × features float32 stay in cache while every tree reads them. */
const BLOCK = 256;

/** The SIMD kernel of one ensemble. */
export interface SimdTrees {
  /**
   * Every row's raw scores (`rows × outputs`, float64): `base` plus each tree's leaf values, tree
   * after tree. The array is the kernel's own, reused by the next call.
   */
  sums(input: Float32Array, rows: number): Float64Array;
  /** What runs, in words (for `model.info.leanReason`). */
  readonly description: string;
}

/** Why the SIMD kernel does not take `e`, or undefined when it does. */
export function simdRefusal(e: TreeEnsemble): string | undefined {
  if (e.trees === 0) return 'no trees';
  for (let t = 0; t < e.trees; t++) {
    const stack = [e.roots[t]!, 0];
    while (stack.length) {
      const d = stack.pop()!;
      const n = stack.pop()!;
      if (e.feature[n]! < 0) continue;
      if (e.flags[n]! & CATEGORICAL) return 'a categorical split (bitsets run in the JavaScript kernel)';
      if (d >= PERFECT_MAX_DEPTH) return `trees deeper than ${PERFECT_MAX_DEPTH} (their perfect layout would be too large; the general walk runs them)`;
      stack.push(e.left[n]!, d + 1, e.right[n]!, d + 1);
    }
  }
  return undefined;
}

/**
 * The module for `e` (refused ensembles: see {@link simdRefusal}): the SIMD kernel's every-node
 * comparison when every tree is at most {@link SIMD_MAX_DEPTH} deep, else the walk (wasm-walk.ts).
 * @param walk `"walk"`: the walk for any depth (tests check it on every bundle).
 * @default "auto"
 */
export function wasmPlan(e: TreeEnsemble, walk: 'auto' | 'walk' = 'auto'): WasmPlan {
  return walk === 'walk' || maxDepth(e) > SIMD_MAX_DEPTH ? walkPlan(e, BLOCK) : nodesPlan(e, BLOCK);
}

/** The kernel over an instance of a {@link wasmPlan}'s module. */
function kernel(e: TreeEnsemble, plan: WasmPlan, instance: WebAssembly.Instance): SimdTrees {
  const run = instance.exports.run as (rows: number) => void;
  const memory = (instance.exports.memory as WebAssembly.Memory).buffer;
  plan.fill(memory);
  const rowsIn = new Float32Array(memory, plan.input, e.features * BLOCK);
  const block = new Float64Array(memory, plan.acc, BLOCK * e.outputs);
  const F = e.features;
  const K = e.outputs;
  const step = plan.step;
  const base = Float64Array.from(e.base);
  let acc = new Float64Array(0);
  return {
    description: plan.description,
    sums(input, rows) {
      if (acc.length < rows * K) acc = new Float64Array(rows * K);
      for (let r0 = 0; r0 < rows; r0 += BLOCK) {
        const n = Math.min(BLOCK, rows - r0);
        const padded = Math.ceil(n / step) * step;
        // The block's rows as given (the SIMD kernel transposes them itself); rows past the batch are zeros, walked and dropped.
        rowsIn.set(input.subarray(r0 * F, (r0 + n) * F));
        if (padded > n) rowsIn.fill(0, n * F, padded * F);
        for (let r = 0, o = 0; r < padded; r++) for (let k = 0; k < K; k++, o++) block[o] = base[k]!;
        run(padded);
        acc.set(block.subarray(0, n * K), r0 * K);
      }
      return acc;
    },
  };
}

/** The kernel of `e`, compiled synchronously (tests and Node; a page's main thread compiles only modules under 4 KB this way). */
export function compileSimdTreesSync(e: TreeEnsemble): SimdTrees {
  const plan = wasmPlan(e);
  return kernel(e, plan, new WebAssembly.Instance(new WebAssembly.Module(plan.bytes)));
}

/** Rows that cross every split: each threshold as float32, one ulp either side, NaN, ±Infinity and 0, spread over the features. */
function probe(e: TreeEnsemble, rows: number): Float32Array {
  const values = [NaN, Infinity, -Infinity, 0];
  const one = new Float32Array(1);
  const bits = new Int32Array(one.buffer);
  for (let n = 0; n < e.feature.length; n++) {
    if (e.feature[n]! < 0) continue;
    one[0] = float32AtMost(e.compare === '<' ? float32Below(e.threshold[n]!) : e.threshold[n]!);
    values.push(one[0]);
    bits[0] = bits[0]! + 1;
    values.push(one[0]);
    bits[0] = bits[0] - 2;
    values.push(one[0]);
  }
  const x = new Float32Array(rows * e.features);
  for (let i = 0; i < x.length; i++) x[i] = values[(i * 7919) % values.length]!;
  return x;
}

/**
 * The kernel of `e`, compiled asynchronously, and checked bit for bit against `reference` (the
 * JavaScript kernel's `sums`) on probe rows that sit on, just above and just below every threshold.
 * Rejects, saying why, for an ensemble it does not take ({@link simdRefusal}), and where there is no
 * WebAssembly, no SIMD, compiling is not allowed, or the check fails.
 */
export async function compileSimdTrees(
  e: TreeEnsemble,
  reference: (input: Float32Array, rows: number) => Scores,
  walk: 'auto' | 'walk' = 'auto',
): Promise<SimdTrees> {
  const refused = simdRefusal(e);
  if (refused !== undefined) throw new Error(`it does not take ${refused}`);
  if (typeof WebAssembly !== 'object') throw new Error('this runtime has no WebAssembly');
  const plan = wasmPlan(e, walk);
  if (!WebAssembly.validate(plan.bytes)) throw new Error("this runtime's WebAssembly has no fixed-width SIMD");
  let instance: WebAssembly.Instance;
  try {
    instance = await WebAssembly.instantiate(await WebAssembly.compile(plan.bytes));
  } catch (error) {
    throw new Error(
      `compiling WebAssembly is not allowed here (a Content-Security-Policy without 'wasm-unsafe-eval', or a runtime that forbids it, such as Cloudflare Workers): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const simd = kernel(e, plan, instance);
  const rows = 2 * BLOCK + 13; // two full blocks and a partial one
  const x = probe(e, rows);
  const want = reference(x, rows).slice(0, rows * e.outputs);
  const got = simd.sums(x, rows);
  for (let i = 0; i < want.length; i++)
    if (!Object.is(want[i], got[i]))
      throw new Error(`its sums differ from the JavaScript kernel's on probe row ${Math.floor(i / e.outputs)} (${got[i]} ≠ ${want[i]})`);
  return simd;
}
