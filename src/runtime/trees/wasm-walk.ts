/**
 * The WebAssembly walk of the tree kernel, for the numeric trees too deep for the SIMD kernel's
 * every-node comparison (simd.ts): a forest's depth-8 trees. It is the JavaScript perfect-tree
 * walk (perfect.ts) compiled: each tree in heap order, padded to its own depth with leaves copied
 * to the bottom, a step `i = 2i + (x goes right)` with no branch, eight rows side by side over
 * the block's rows as given (row-major: a node reads its feature at the row's address plus the
 * feature's offset). Without typed-array bounds checks and number tagging it measured ~2.3×
 * faster than the JavaScript walk on the bench's forest (BENCHMARKS.md "Tree ensembles").
 *
 * Routing is the walk's, bit for bit: float32 inputs against the largest float32 ≤ each threshold
 * (XGBoost's `x < t`: below t, first), NaN right unless the node's missing values go left; leaf
 * values are added in float64, tree after tree.
 */
import { CATEGORICAL, MISSING_LEFT } from './format.js';
import type { TreeEnsemble } from './format.js';
import { float32AtMost, float32Below } from './perfect.js';
import { Code, F32, I32, writeModule } from './wasm-writer.js';

/** Rows walked side by side. */
const LANES = 8;

/** A module and how to feed it (simd.ts runs either kind the same way). */
export interface WasmPlan {
  bytes: Uint8Array<ArrayBuffer>;
  /** Byte address of the row-major input block, and of the block's float64 sums (`rows × outputs`). */
  input: number;
  acc: number;
  /** The module's rows per step: a block is padded to a multiple. */
  step: number;
  /** Writes the model's tables into a fresh instance's memory (zeroed). */
  fill(memory: ArrayBuffer): void;
  description: string;
}

/** Depth of each tree (a lone leaf is 0). */
function depths(e: TreeEnsemble): Int32Array {
  const depth = new Int32Array(e.trees);
  for (let t = 0; t < e.trees; t++) {
    const stack = [e.roots[t]!, 0];
    while (stack.length) {
      const d = stack.pop()!;
      const n = stack.pop()!;
      if (e.feature[n]! < 0) depth[t] = Math.max(depth[t]!, d);
      else stack.push(e.left[n]!, d + 1, e.right[n]!, d + 1);
    }
  }
  return depth;
}

// Locals of `run(rows)`.
const ROWS = 0;
const R = 1; // first row of the group
const TP = 2; // tree table entry
const TL = 3; // trees left
const NBASE = 4; // address of the tree's heap slot 0 (slot h at NBASE + h × NB)
const DL = 5; // levels left
const ROW = 6; // byte offset of the group's first row in the input block
const LBASE = 7; // address of the tree's leaf index 0 (leaf i, 2^D ≤ i < 2^(D+1), at LBASE + i × W × 8)
const COL = 8; // the tree's output column × 8
const AP = 9; // byte offset of the group's first row in the sums block
const REC = 10; // the current node's record
const I0 = 11; // each lane's heap index
const V = I0 + LANES; // f32: the value read (for the NaN test)

/** The walk's module for `e` (numeric splits only; any depth, each tree padded to its own), over blocks of `block` rows. */
export function walkPlan(e: TreeEnsemble, block: number): WasmPlan {
  if (e.flags.some((g, n) => e.feature[n]! >= 0 && (g & CATEGORICAL) !== 0)) throw new Error('walkPlan: categorical splits');
  const T = e.trees;
  const F = e.features;
  const K = e.outputs;
  const W = e.leafWidth;
  // `"accumulate": "float32"` (XGBoost): each sum rounded to float32 after every tree, as the JS kernel does.
  const f32 = e.accumulate === 'float32';
  const missing = e.flags.some((g, n) => e.feature[n]! >= 0 && (g & MISSING_LEFT) !== 0);
  // Node record: the feature's byte offset in a row (i32), the threshold (f32), with missing values
  // going left somewhere also 1 where they go left here (i32).
  const NB = missing ? 12 : 8;
  const depth = depths(e);
  // Memory: the tree table (16 bytes per tree), node records, leaves, the input block, the sums.
  const nodeBase = new Int32Array(T);
  const leafBase = new Int32Array(T);
  let at = T * 16;
  for (let t = 0; t < T; t++) {
    nodeBase[t] = at;
    at += (1 << depth[t]!) * NB;
  }
  at = Math.ceil(at / 8) * 8;
  for (let t = 0; t < T; t++) {
    leafBase[t] = at - (1 << depth[t]!) * W * 8;
    at += (1 << depth[t]!) * W * 8;
  }
  const input = Math.ceil(at / 16) * 16;
  const acc = input + block * F * 4;
  const bytes = acc + block * K * 8;

  const c = new Code();
  c.i32(0).set(R);
  c.loop();
  {
    c.get(R)
      .i32(F * 4)
      .i32Mul()
      .set(ROW);
    c.get(R)
      .i32(K * 8)
      .i32Mul()
      .set(AP);
    c.i32(0).set(TP);
    c.i32(T).set(TL);
    c.loop();
    {
      c.get(TP).i32Load(0).set(NBASE);
      c.get(TP).i32Load(4).set(LBASE);
      c.get(TP).i32Load(8).set(DL);
      c.get(TP).i32Load(12).set(COL);
      for (let j = 0; j < LANES; j++) c.i32(1).set(I0 + j);
      c.block();
      c.get(DL).i32Eqz().brIf(0); // a lone leaf
      c.loop();
      for (let j = 0; j < LANES; j++) {
        c.get(NBASE)
          .get(I0 + j)
          .i32(NB)
          .i32Mul()
          .i32Add()
          .set(REC);
        c.get(I0 + j)
          .i32(1)
          .i32Shl();
        c.get(ROW)
          .get(REC)
          .i32Load(0)
          .i32Add()
          .f32Load(input + j * F * 4);
        if (missing) c.tee(V);
        c.get(REC).f32Load(4).f32Le();
        if (missing) c.get(V).get(V).f32Ne().get(REC).i32Load(8).i32And().i32Or();
        c.i32(1)
          .i32Xor()
          .i32Or()
          .set(I0 + j);
      }
      c.get(DL).i32(1).i32Sub().set(DL);
      c.get(DL).brIf(0);
      c.end();
      c.end();
      for (let j = 0; j < LANES; j++) {
        c.get(LBASE)
          .get(I0 + j)
          .i32(W * 8)
          .i32Mul()
          .i32Add()
          .set(REC);
        for (let k = 0; k < W; k++) {
          const to = acc + j * K * 8 + k * 8;
          c.get(AP).get(COL).i32Add();
          c.get(AP).get(COL).i32Add().f64Load(to);
          c.get(REC)
            .f64Load(k * 8)
            .f64Add(f32)
            .f64Store(to);
        }
      }
      c.get(TP).i32(16).i32Add().set(TP);
      c.get(TL).i32(1).i32Sub().set(TL);
      c.get(TL).brIf(0);
    }
    c.end();
    c.get(R).i32(LANES).i32Add().set(R);
    c.get(R).get(ROWS).i32LtU().brIf(0);
  }
  c.end();

  const fill = (memory: ArrayBuffer) => {
    const view = new DataView(memory);
    for (let t = 0; t < T; t++) {
      const D = depth[t]!;
      view.setInt32(t * 16, nodeBase[t]!, true);
      view.setInt32(t * 16 + 4, leafBase[t]!, true);
      view.setInt32(t * 16 + 8, D, true);
      view.setInt32(t * 16 + 12, e.treeColumn[t]! * 8, true);
      // Heap order; a leaf above the bottom is copied into every bottom slot under it (the slots under it keep zeroed records: both sides end there).
      const stack = [e.roots[t]!, 1, 0];
      while (stack.length) {
        const d = stack.pop()!;
        const h = stack.pop()!;
        const n = stack.pop()!;
        if (e.feature[n]! < 0) {
          const span = 1 << (D - d);
          for (let s = h * span, end = s + span; s < end; s++)
            for (let k = 0; k < W; k++) view.setFloat64(leafBase[t]! + (s * W + k) * 8, e.values[e.left[n]! + k]!, true);
          continue;
        }
        const rec = nodeBase[t]! + h * NB;
        view.setInt32(rec, e.feature[n]! * 4, true);
        view.setFloat32(rec + 4, float32AtMost(e.compare === '<' ? float32Below(e.threshold[n]!) : e.threshold[n]!), true);
        if (missing) view.setInt32(rec + 8, e.flags[n]! & MISSING_LEFT ? 1 : 0, true);
        stack.push(e.left[n]!, 2 * h, d + 1, e.right[n]!, 2 * h + 1, d + 1);
      }
    }
  };
  const locals: Array<[number, number]> = missing
    ? [
        [I0 + LANES - 1, I32],
        [1, F32],
      ]
    : [[I0 + LANES - 1, I32]];
  return {
    bytes: writeModule(c, locals, Math.ceil(bytes / 65536)),
    input,
    acc,
    step: LANES,
    fill,
    description: `the WebAssembly tree walk (${T} trees up to depth ${depth.reduce((a, b) => Math.max(a, b), 0)}, ${LANES} rows side by side)`,
  };
}
