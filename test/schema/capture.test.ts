// The schema's batch capture contract (src/schema/capture.ts), independent of telemetry: what a
// transform stores for the rows a capture picks, decoded by the documented layout, is exactly
// the per-value observer stream (the same values, flags and order; only the text of an unknown
// category is not kept), the rows not picked are not observed at all, and observing never
// changes the features or the issues. Real datasets with injected errors, then fast-check rows.
import { expect } from 'chai';
import fc from 'fast-check';
import { captureCategories } from '../../src/schema/capture-categories.js';
import { CAPTURE_SKIP, CAPTURE_UNKNOWN } from '../../src/schema/capture.js';
import type { ValueCapture, ValueObserver } from '../../src/schema/capture.js';
import { compileSchema } from '../../src/schema/compile.js';
import type { CompiledSchema } from '../../src/schema/compile.js';
import { fitSchema } from '../../src/schema/fit.js';
import type { Schema } from '../../src/schema/types.js';
import { CASES, loadCase } from './data.js';

type Seen = [column: number, value: unknown, flag: string];

/** A capture with a fixed buffer that picks the rows `pick(i)` says (i: index within the batch). */
function testCapture(columns: number, rows: number, pick: (i: number) => boolean): ValueCapture & { used: number } {
  const stride = rows;
  const values = new Float64Array(columns * stride).fill(-12345);
  const picks = new Int32Array(rows + 1);
  const capture = {
    values,
    stride,
    picks,
    used: 0,
    reserve(n: number) {
      let k = 0;
      for (let i = 0; i < n; i++) if (pick(i)) picks[k++] = i;
      picks[k] = -1;
      const at = capture.used;
      capture.used += k;
      return at;
    },
  };
  return capture;
}

/** The per-value stream, with an unknown category's value blanked (a capture keeps only that it was unknown). */
function perValue(compiled: CompiledSchema, rows: unknown[]) {
  const seen: Seen[] = [];
  const out = new Float32Array(rows.length * compiled.width);
  const result = compiled.transformInto(rows as never[], out, (c, v, f) => seen.push([c, f === 'unknown' ? '?' : v, f ?? '']));
  return { seen, out, result };
}

/** The capture decoded by the layout documented in src/schema/capture.ts. */
function decode(schema: Schema, capture: ValueCapture & { used: number }): Seen[] {
  const seen: Seen[] = [];
  const decoders = schema.columns.map((c) => captureCategories(c));
  for (let r = 0; r < capture.used; r++)
    schema.columns.forEach((column, c) => {
      const x = capture.values[c * capture.stride + r]!;
      if (x === CAPTURE_SKIP || column.type === 'image') return;
      const categories = decoders[c];
      if (x !== x) seen.push([c, null, '']);
      else if (categories && x === CAPTURE_UNKNOWN) seen.push([c, '?', 'unknown']);
      else {
        expect(x, `${column.name}: a stored value`).to.not.equal(-12345);
        const value = categories ? categories[x] : x;
        const range = column.type === 'number' ? column.range : undefined;
        const outside = range !== undefined && typeof value === 'number' && (value < range.min || value > range.max);
        seen.push([c, value, outside ? 'out_of_range' : '']);
      }
    });
  return seen;
}

function captured(compiled: CompiledSchema, rows: unknown[], pick: (i: number) => boolean = () => true) {
  const capture = testCapture(compiled.columns.length, rows.length, pick);
  const out = new Float32Array(rows.length * compiled.width);
  const observe: ValueObserver = Object.assign(() => expect.fail('a capture is written, the function is not called'), { capture });
  const result = compiled.transformInto(rows as never[], out, observe);
  return { seen: decode(compiled.schema, capture), out, result, capture };
}

describe('schema: batch capture', () => {
  const cases: Array<{ name: string; compiled: CompiledSchema; rows: unknown[] }> = [];

  before(async () => {
    for (const c of CASES) {
      const { spec, train, test } = await loadCase(c, true);
      // unknownColumns "error": rows rejected after every column was read still report their values.
      const compiled = compileSchema({ ...fitSchema(spec, train), unknownColumns: 'error' });
      const rows: unknown[] = [...test, null, 7, ['x'], { ...test[0], extra: 1 }];
      rows.push(
        Object.defineProperty({ ...(test[1] as object) }, compiled.columns[2]!, {
          get: () => {
            throw new Error('getter');
          },
          enumerable: true,
        }),
      );
      cases.push({ name: c.name, compiled, rows });
    }
  });

  it('stores exactly what the per-value observer sees, on the real datasets with injected errors', () => {
    for (const { name, compiled, rows } of cases) {
      const a = perValue(compiled, rows);
      const b = captured(compiled, rows);
      expect(
        a.result.rejected.some((r) => r === 1),
        `${name}: rows are rejected`,
      ).to.equal(true);
      expect(
        a.seen.some(([, , f]) => f === 'unknown'),
        `${name}: unknown categories`,
      ).to.equal(true);
      expect(
        a.seen.some(([, v]) => v === null),
        `${name}: missing values`,
      ).to.equal(true);
      expect(b.seen, name).to.deep.equal(a.seen);
      expect(Array.from(b.out), `${name}: features unchanged`).to.deep.equal(Array.from(a.out));
      expect(b.result, `${name}: issues and rejections unchanged`).to.deep.equal(a.result);
    }
    expect(cases.some((c) => perValue(c.compiled, c.rows).seen.some(([, , f]) => f === 'out_of_range'))).to.equal(true);
  });

  it('stores only the rows the capture picks, in order; the others are transformed and not observed', () => {
    for (const { name, compiled, rows } of cases) {
      const every3 = (i: number) => i % 3 === 1;
      const b = captured(compiled, rows, every3);
      const subset = rows.filter((_, i) => every3(i));
      expect(b.capture.used).to.equal(subset.length);
      expect(b.seen, name).to.deep.equal(perValue(compiled, subset).seen);
      expect(Array.from(b.out), name).to.deep.equal(Array.from(perValue(compiled, rows).out));
      const none = captured(compiled, rows, () => false);
      expect(none.capture.used).to.equal(0);
      expect(none.seen).to.deep.equal([]);
    }
  });

  it('random rows (fast-check): capture and per-value stream agree, features and issues unchanged', () => {
    const { compiled } = cases[1]!; // penguins-b: ordinal with codes, a boolean, bucketized numbers
    const value = fc.oneof(
      fc.constantFrom(null, undefined, NaN, Infinity, '', ' .', 'Dream', 'Biscoe', 'MALE', 'x', true, false, '4,150', ' 4000 ', -0),
      fc.double({ noNaN: true, min: -1e4, max: 1e4 }),
      fc.anything(),
    );
    const row = fc.oneof(fc.dictionary(fc.constantFrom(...compiled.columns, 'extra'), value), fc.anything());
    fc.assert(
      fc.property(fc.array(row, { maxLength: 12 }), (rows) => {
        const a = perValue(compiled, rows);
        const b = captured(compiled, rows);
        expect(b.seen).to.deep.equal(a.seen);
        expect(Array.from(b.out)).to.deep.equal(Array.from(a.out));
        expect(b.result).to.deep.equal(a.result);
      }),
      { numRuns: 300 },
    );
  });
});
