// The preprocessing a developer writes by hand next to raw tfjs or ONNX Runtime Web: constants
// copied from the fitted schema, no validation, no error reporting, no drift counting — just
// the arithmetic. It is the baseline that ferryml's validate + transform is compared against,
// so it is deliberately lean (one closure per column, writing into a reused Float32Array).
// Only what tabular bench models use is supported; anything else throws at set-up.
import type { ColumnSchema, Schema, Step } from '../../src/schema/types.js';

type Writer = (value: unknown, out: Float32Array, at: number) => void;

const isMissing = (v: unknown, strings: readonly string[]) =>
  v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) || (typeof v === 'string' && strings.includes(v.trim()));

function columnWriter(col: ColumnSchema): { width: number; write: Writer } {
  const missing = col.missing?.strings ?? [];
  let fill: unknown = undefined;
  let indicator = false;
  let num: ((x: number) => number) | undefined;
  let last: Step | undefined;
  for (const step of col.steps) {
    if (step.kind === 'impute') {
      fill = step.value;
      indicator = step.indicator ?? false;
    } else if (step.kind === 'standardize') {
      const { mean, scale } = step;
      num = (x) => (x - mean) / scale;
    } else if (step.kind === 'minmax') {
      const { scale, offset } = step;
      num = (x) => x * scale + offset;
    } else if (step.kind === 'onehot' || step.kind === 'ordinal' || step.kind === 'passthrough') {
      last = step;
    } else {
      throw new Error(`hand-transform: step ${step.kind} of column ${col.name} is not supported by the hand-written baseline`);
    }
  }
  const extra = indicator ? 1 : 0;
  if (last?.kind === 'onehot') {
    const index = new Map(last.categories.map((c, i) => [c, i]));
    const drop = last.drop;
    const width = last.categories.length - (drop === undefined ? 0 : 1);
    return {
      width: width + extra,
      write(v, out, at) {
        const gone = isMissing(v, missing);
        const i = index.get((gone ? fill : v) as string);
        out.fill(0, at, at + width);
        if (i !== undefined && i !== drop) out[at + (drop !== undefined && i > drop ? i - 1 : i)] = 1;
        if (indicator) out[at + width] = gone ? 1 : 0;
      },
    };
  }
  if (last?.kind === 'ordinal') {
    const index = new Map(last.categories.map((c, i) => [c, i]));
    return {
      width: 1 + extra,
      write(v, out, at) {
        const gone = isMissing(v, missing);
        out[at] = index.get((gone ? fill : v) as string) ?? -1;
        if (indicator) out[at + 1] = gone ? 1 : 0;
      },
    };
  }
  return {
    width: 1 + extra,
    write(v, out, at) {
      const gone = isMissing(v, missing);
      const x = Number(gone ? fill : v);
      out[at] = num ? num(x) : x;
      if (indicator) out[at + 1] = gone ? 1 : 0;
    },
  };
}

/** A hand-written transform for `schema`: `write(row, out, offset)` fills `schema.width` floats. */
export function handTransform(schema: Schema): { width: number; write(row: Record<string, unknown>, out: Float32Array, offset?: number): void } {
  const cols = schema.columns.map((c) => ({ name: c.name, ...columnWriter(c) }));
  const width = cols.reduce((a, c) => a + c.width, 0);
  if (width !== schema.width) throw new Error(`hand-transform: columns emit ${width} features, schema says ${schema.width}`);
  return {
    width,
    write(row, out, offset = 0) {
      let at = offset;
      for (const c of cols) {
        c.write(row[c.name], out, at);
        at += c.width;
      }
    },
  };
}
