/**
 * A minimal WebAssembly binary writer: just what the WebAssembly tree kernels (simd.ts,
 * wasm-walk.ts) emit — one exported function `run(i32)`, one exported memory, i32/f32/f64 loads
 * and stores, structured blocks and loops and a handful of SIMD instructions. The kernel's module is generated per model (its tree
 * shapes and table addresses are constants in the code), so it is built here in a few
 * microseconds instead of shipping a `.wasm` file. Opcodes: WebAssembly core spec §5.4 and the
 * fixed-width SIMD proposal's binary table.
 */

/** Local value types. */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;

/** Unsigned LEB128. */
function uleb(n: number, out: number[]): void {
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
}

/** Signed LEB128 (32-bit values). */
function sleb(n: number, out: number[]): void {
  n |= 0;
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

/** SIMD opcodes (prefix 0xfd). */
export const SIMD = {
  load: 0x00,
  i32x4Splat: 0x11,
  f32x4Splat: 0x13,
  i32x4ExtractLane: 0x1b,
  f32x4Ne: 0x42,
  f32x4Le: 0x45,
  and: 0x4e,
  andnot: 0x4f,
  or: 0x50,
  bitselect: 0x52,
} as const;

/** A function body under construction: each method appends one instruction. */
export class Code {
  readonly bytes: number[] = [];
  private op(...b: number[]): this {
    for (const x of b) this.bytes.push(x);
    return this;
  }
  get(local: number): this {
    this.op(0x20);
    uleb(local, this.bytes);
    return this;
  }
  set(local: number): this {
    this.op(0x21);
    uleb(local, this.bytes);
    return this;
  }
  i32(value: number): this {
    this.op(0x41);
    sleb(value, this.bytes);
    return this;
  }
  /** A load or store with a constant byte offset (`align` as log2). */
  private mem(opcode: number, align: number, offset: number): this {
    this.op(opcode, align);
    uleb(offset, this.bytes);
    return this;
  }
  i32Load(offset: number): this {
    return this.mem(0x28, 2, offset);
  }
  f32Load(offset: number): this {
    return this.mem(0x2a, 2, offset);
  }
  f64Load(offset: number): this {
    return this.mem(0x2b, 3, offset);
  }
  f32Store(offset: number): this {
    return this.mem(0x38, 2, offset);
  }
  f64Store(offset: number): this {
    return this.mem(0x39, 3, offset);
  }
  tee(local: number): this {
    this.op(0x22);
    uleb(local, this.bytes);
    return this;
  }
  i32Eqz(): this {
    return this.op(0x45);
  }
  i32And(): this {
    return this.op(0x71);
  }
  i32Or(): this {
    return this.op(0x72);
  }
  i32Xor(): this {
    return this.op(0x73);
  }
  f32Ne(): this {
    return this.op(0x5c);
  }
  f32Le(): this {
    return this.op(0x5f);
  }
  /** `block` with no result; `br_if 0` inside it (outside any inner loop) jumps past its `end`. */
  block(): this {
    return this.op(0x02, 0x40);
  }
  i32Add(): this {
    return this.op(0x6a);
  }
  i32Sub(): this {
    return this.op(0x6b);
  }
  i32Mul(): this {
    return this.op(0x6c);
  }
  i32Shl(): this {
    return this.op(0x74);
  }
  i32LtU(): this {
    return this.op(0x49);
  }
  /** `f64.add`; with `float32`, the sum rounded to float32 and back (`f32.demote_f64`, `f64.promote_f32`: `Math.fround`). */
  f64Add(float32 = false): this {
    return float32 ? this.op(0xa0, 0xb6, 0xbb) : this.op(0xa0);
  }
  /** `loop` with no result; `br_if 0` inside it jumps back to its start. */
  loop(): this {
    return this.op(0x03, 0x40);
  }
  brIf(depth: number): this {
    this.op(0x0d);
    uleb(depth, this.bytes);
    return this;
  }
  end(): this {
    return this.op(0x0b);
  }
  /** A SIMD instruction with no immediate. */
  simd(opcode: number): this {
    this.op(0xfd);
    uleb(opcode, this.bytes);
    return this;
  }
  v128Load(offset: number): this {
    this.simd(SIMD.load);
    this.op(4);
    uleb(offset, this.bytes);
    return this;
  }
  extractLane(lane: number): this {
    this.simd(SIMD.i32x4ExtractLane);
    return this.op(lane);
  }
}

function section(id: number, body: number[], out: number[]): void {
  out.push(id);
  uleb(body.length, out);
  for (const b of body) out.push(b);
}

/** `name` as a WebAssembly name (length-prefixed UTF-8; ASCII here). */
function name(s: string, out: number[]): void {
  uleb(s.length, out);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
}

/**
 * A module exporting `run(i32)` (the body `code`, whose locals after the parameter are `locals`,
 * as `[count, type]` runs) and `memory` (`pages` × 64 KiB).
 */
export function writeModule(code: Code, locals: Array<[number, number]>, pages: number): Uint8Array<ArrayBuffer> {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  section(1, [1, 0x60, 1, I32, 0], out); // one type: (i32) -> ()
  section(3, [1, 0], out); // one function, of type 0
  const memory = [1, 0];
  uleb(pages, memory);
  section(5, memory, out);
  const exports = [2];
  name('run', exports);
  exports.push(0x00, 0);
  name('memory', exports);
  exports.push(0x02, 0);
  section(7, exports, out);
  const body: number[] = [];
  uleb(locals.length, body);
  for (const [count, type] of locals) {
    uleb(count, body);
    body.push(type);
  }
  for (const b of code.bytes) body.push(b);
  body.push(0x0b);
  const fn: number[] = [];
  uleb(body.length, fn);
  for (const b of body) fn.push(b);
  const codes = [1];
  for (const b of fn) codes.push(b);
  section(10, codes, out);
  return Uint8Array.from(out);
}
