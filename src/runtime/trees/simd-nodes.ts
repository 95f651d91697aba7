/**
 * The SIMD kernel for shallow numeric trees (simd.ts picks it for ensembles whose trees are all at
 * most {@link SIMD_MAX_DEPTH} deep: boosting's depth-3 trees). The module first transposes its block
 * of rows to feature-major (column f at f × block), so a node's comparison for four rows is one
 * contiguous `v128.load` and one `f32x4.le` against its splatted threshold — no gathers. Every node
 * of a tree is compared (7 compares per four rows at depth 3, where a walk takes 3 dependent steps)
 * and the masks are folded with `v128.bitselect` into each lane's leaf; the leaf values are then
 * added in float64 (rounded to float32 after each tree for `"accumulate": "float32"`), tree after
 * tree, in the bundle's order — the JavaScript kernel's very sums.
 *
 * Exactness: the input is float32, so `x <= t` (t float64) is exactly `x <= t₃₂` with `t₃₂` the
 * largest float32 ≤ t (perfect.ts `float32AtMost`); XGBoost's `x < t` is first `x <=` the float32
 * below t (`float32Below`), as in the JS walk. NaN fails `le`, so it goes right, unless the node's
 * missing values go left (HistGradientBoosting, XGBoost): then `ne(x, x)` masked by the node's
 * missing-left bit joins the left mask.
 */
import { MISSING_LEFT } from './format.js';
import type { TreeEnsemble } from './format.js';
import { float32AtMost, float32Below } from './perfect.js';
import type { WasmPlan } from './wasm-walk.js';
import { Code, F64, I32, SIMD, V128, writeModule } from './wasm-writer.js';

/** Deepest tree evaluated node for node: 2^D − 1 compares per four rows (15 at depth 4); deeper ensembles take the walk. */
export const SIMD_MAX_DEPTH = 4;

/** Vectors of four rows handled side by side (8 rows): a node's threshold is loaded and splatted once for both. */
const VECTORS = 2;
const STEP = VECTORS * 4;

/** The deepest tree's depth (a lone leaf is depth 0). */
export function maxDepth(e: TreeEnsemble): number {
  let D = 0;
  for (let t = 0; t < e.trees; t++) {
    const stack = [e.roots[t]!, 0];
    while (stack.length) {
      const d = stack.pop()!;
      const n = stack.pop()!;
      if (e.feature[n]! < 0) D = Math.max(D, d);
      else stack.push(e.left[n]!, d + 1, e.right[n]!, d + 1);
    }
  }
  return D;
}

/** Byte addresses of the kernel's tables in its memory, and the shape they encode. */
interface Layout {
  D: number;
  /** Bytes per node record: column offset (i32), threshold (f32) and, with NaN going left somewhere, a missing-left mask (i32). */
  NB: number;
  missing: boolean;
  nodes: number;
  leaves: number;
  columns: number;
  x: number;
  acc: number;
  /** Rows per block (the column stride of `x`, in floats). */
  block: number;
  /** The block's rows as given (row-major), transposed into `x` by the module. */
  input: number;
  bytes: number;
}

function layout(e: TreeEnsemble, block: number): Layout {
  const D = Math.max(1, maxDepth(e));
  const missing = e.flags.some((g, n) => e.feature[n]! >= 0 && (g & MISSING_LEFT) !== 0);
  const NB = missing ? 12 : 8;
  const N = (1 << D) - 1;
  const leaves = e.trees * N * NB;
  const columns = leaves + e.trees * (1 << D) * e.leafWidth * 8;
  const x = Math.ceil((columns + e.trees * 4) / 16) * 16;
  const acc = x + e.features * block * 4;
  const input = acc + block * e.outputs * 8;
  return { D, NB, missing, nodes: 0, leaves, columns, x, acc, block, input, bytes: input + block * e.features * 4 };
}

/**
 * Fills the tables: each tree as a perfect tree of depth D in heap order (a leaf above the bottom
 * is copied into every leaf slot under it; the nodes under it keep the zeroed records of a fresh
 * memory and compare anything, as both of their sides hold the same leaf), node `h` at record `h − 1`.
 */
function fill(e: TreeEnsemble, L: Layout, memory: ArrayBuffer): void {
  const view = new DataView(memory);
  const N = (1 << L.D) - 1;
  const W = e.leafWidth;
  for (let t = 0; t < e.trees; t++) {
    view.setInt32(L.columns + 4 * t, e.treeColumn[t]! * 8, true);
    const stack = [e.roots[t]!, 1, 0];
    while (stack.length) {
      const d = stack.pop()!;
      const h = stack.pop()!;
      const n = stack.pop()!;
      if (e.feature[n]! < 0) {
        const span = 1 << (L.D - d);
        for (let s = h * span - (1 << L.D), end = s + span; s < end; s++)
          for (let k = 0; k < W; k++) view.setFloat64(L.leaves + ((t << L.D) + s) * W * 8 + k * 8, e.values[e.left[n]! + k]!, true);
        continue;
      }
      const at = L.nodes + (t * N + h - 1) * L.NB;
      const threshold = e.compare === '<' ? float32Below(e.threshold[n]!) : e.threshold[n]!;
      view.setInt32(at, L.x + e.feature[n]! * L.block * 4, true);
      view.setFloat32(at + 4, float32AtMost(threshold), true);
      if (L.missing) view.setInt32(at + 8, e.flags[n]! & MISSING_LEFT ? -1 : 0, true);
      stack.push(e.left[n]!, 2 * h, d + 1, e.right[n]!, 2 * h + 1, d + 1);
    }
  }
}

// Locals of `run(rows)`: the parameter, then i32s, then v128s, then f64s.
const ROWS = 0;
const R = 1; // row of the current group
const XR = 2; // byte address of the group's first row in column 0 of the block (plus a column's offset: its value)
const NP = 3; // node records of the current tree
const LP = 4; // leaf values of the current tree
const CP = 5; // output column (× 8) of the current tree
const T = 6; // trees left
const OFF = 7; // column offset of the current node
const AP = 8; // acc address of the group's first row
const SRC = 9; // the transpose's read address (minus the input block's)
const DST = 10; // its write address (minus the column block's)
const LEFT = 11; // features left in the current row
const I32S = 11;

/** The body of `run(rows)`: rows (a multiple of 8) of the block at `L.x` through every tree, sums into `L.acc`. */
function emit(e: TreeEnsemble, L: Layout): { code: Code; locals: Array<[number, number]> } {
  const c = new Code();
  const { D, NB } = L;
  const N = (1 << D) - 1;
  const K = e.outputs;
  const W = e.leafWidth;
  // One score per row: the eight sums stay in f64 locals from the first tree to the last.
  const single = K === 1 && W === 1;
  // `"accumulate": "float32"` (XGBoost): each sum rounded to float32 after every tree, as the JS kernel does.
  const f32 = e.accumulate === 'float32';
  const V0 = 1 + I32S; // v128 locals: per node h and vector g the left mask `V0 + (h − 1) × VECTORS + g`
  const THR = V0 + N * VECTORS; // the node's splatted threshold
  const MISS = THR + 1; // its splatted missing-left mask
  const X = MISS + 1; // the loaded values (for the NaN test)
  const SEL = X + VECTORS; // per level d and vector g: the row's left mask at that level
  const IDX = SEL + D * VECTORS; // per vector: leaf byte offsets
  const TMP = IDX + VECTORS; // scratch for the bitselect folds: 2^(D−1) per vector
  const V128S = TMP + (1 << (D - 1)) * VECTORS - V0;
  const S0 = V0 + V128S; // f64 sums (single)

  // The block from row-major to feature-major: row r's feature f from input + (r × F + f) × 4 to x + (f × block + r) × 4.
  c.i32(0).set(R);
  c.i32(0).set(SRC);
  c.loop();
  {
    c.get(R).i32(2).i32Shl().set(DST);
    c.i32(e.features).set(LEFT);
    c.loop();
    c.get(DST).get(SRC).f32Load(L.input).f32Store(L.x);
    c.get(SRC).i32(4).i32Add().set(SRC);
    c.get(DST)
      .i32(L.block * 4)
      .i32Add()
      .set(DST);
    c.get(LEFT).i32(1).i32Sub().set(LEFT);
    c.get(LEFT).brIf(0);
    c.end();
    c.get(R).i32(1).i32Add().set(R);
    c.get(R).get(ROWS).i32LtU().brIf(0);
  }
  c.end();
  c.i32(0).set(R);
  c.loop();
  {
    c.get(R).i32(2).i32Shl().i32(0).i32Add().set(XR);
    c.get(R)
      .i32(K * 8)
      .i32Mul()
      .set(AP);
    if (single)
      for (let j = 0; j < STEP; j++)
        c.get(AP)
          .f64Load(L.acc + 8 * j)
          .set(S0 + j);
    c.i32(L.nodes).set(NP);
    c.i32(L.leaves).set(LP);
    c.i32(L.columns).set(CP);
    c.i32(e.trees).set(T);
    c.loop();
    {
      // Every node's left mask, for each vector of four rows.
      for (let h = 1; h <= N; h++) {
        const rec = (h - 1) * NB;
        c.get(NP).i32Load(rec).set(OFF);
        c.get(NP)
          .f32Load(rec + 4)
          .simd(SIMD.f32x4Splat)
          .set(THR);
        if (L.missing)
          c.get(NP)
            .i32Load(rec + 8)
            .simd(SIMD.i32x4Splat)
            .set(MISS);
        for (let g = 0; g < VECTORS; g++) {
          c.get(XR)
            .get(OFF)
            .i32Add()
            .v128Load(16 * g);
          if (L.missing) {
            c.set(X + g)
              .get(X + g)
              .get(THR)
              .simd(SIMD.f32x4Le);
            c.get(X + g)
              .get(X + g)
              .simd(SIMD.f32x4Ne)
              .get(MISS)
              .simd(SIMD.and)
              .simd(SIMD.or);
          } else c.get(THR).simd(SIMD.f32x4Le);
          c.set(V0 + (h - 1) * VECTORS + g);
        }
      }
      // The row's left mask at each level: level d's 2^d masks folded pairwise by the decisions above.
      for (let g = 0; g < VECTORS; g++) {
        c.get(V0 + g).set(SEL + g);
        for (let d = 1; d < D; d++) {
          let count = 1 << d;
          // First fold: the level's masks, pairs chosen by level d − 1's decision.
          for (let i = 0; i < count / 2; i++) {
            const h = (1 << d) + 2 * i;
            c.get(V0 + (h - 1) * VECTORS + g)
              .get(V0 + h * VECTORS + g)
              .get(SEL + (d - 1) * VECTORS + g)
              .simd(SIMD.bitselect)
              .set(TMP + i * VECTORS + g);
          }
          count /= 2;
          for (let up = d - 2; up >= 0; up--, count /= 2)
            for (let i = 0; i < count / 2; i++)
              c.get(TMP + 2 * i * VECTORS + g)
                .get(TMP + (2 * i + 1) * VECTORS + g)
                .get(SEL + up * VECTORS + g)
                .simd(SIMD.bitselect)
                .set(TMP + i * VECTORS + g);
          c.get(TMP + g).set(SEL + d * VECTORS + g);
        }
        // Leaf byte offset: bit (D − 1 − d) set where level d went right.
        for (let d = 0; d < D; d++) {
          c.i32((8 * W) << (D - 1 - d))
            .simd(SIMD.i32x4Splat)
            .get(SEL + d * VECTORS + g)
            .simd(SIMD.andnot);
          if (d > 0) c.simd(SIMD.or);
        }
        c.set(IDX + g);
      }
      // Leaf values into the sums, in float64.
      for (let g = 0; g < VECTORS; g++)
        for (let lane = 0; lane < 4; lane++) {
          const j = 4 * g + lane;
          if (single) {
            c.get(S0 + j)
              .get(LP)
              .get(IDX + g)
              .extractLane(lane)
              .i32Add()
              .f64Load(0)
              .f64Add(f32)
              .set(S0 + j);
            continue;
          }
          c.get(LP)
            .get(IDX + g)
            .extractLane(lane)
            .i32Add()
            .set(OFF);
          for (let k = 0; k < W; k++) {
            const at = L.acc + j * K * 8 + k * 8;
            c.get(AP).get(CP).i32Load(0).i32Add();
            c.get(AP).get(CP).i32Load(0).i32Add().f64Load(at);
            c.get(OFF)
              .f64Load(k * 8)
              .f64Add(f32)
              .f64Store(at);
          }
        }
      c.get(NP)
        .i32(N * NB)
        .i32Add()
        .set(NP);
      c.get(LP)
        .i32((1 << D) * W * 8)
        .i32Add()
        .set(LP);
      c.get(CP).i32(4).i32Add().set(CP);
      c.get(T).i32(1).i32Sub().set(T);
      c.get(T).brIf(0);
    }
    c.end();
    if (single)
      for (let j = 0; j < STEP; j++)
        c.get(AP)
          .get(S0 + j)
          .f64Store(L.acc + 8 * j);
    c.get(R).i32(STEP).i32Add().set(R);
    c.get(R).get(ROWS).i32LtU().brIf(0);
  }
  c.end();
  return {
    code: c,
    locals: single
      ? [
          [I32S, I32],
          [V128S, V128],
          [STEP, F64],
        ]
      : [
          [I32S, I32],
          [V128S, V128],
        ],
  };
}

/** The SIMD kernel's module for `e` (numeric splits, every tree at most {@link SIMD_MAX_DEPTH} deep), over blocks of `block` rows. */
export function nodesPlan(e: TreeEnsemble, block: number): WasmPlan {
  const L = layout(e, block);
  const { code, locals } = emit(e, L);
  return {
    bytes: writeModule(code, locals, Math.ceil(L.bytes / 65536)),
    input: L.input,
    acc: L.acc,
    step: STEP,
    fill: (memory) => fill(e, L, memory),
    description: `the WebAssembly SIMD tree kernel (${e.trees} trees evaluated node for node at depth ${L.D}, four rows per vector)`,
  };
}
