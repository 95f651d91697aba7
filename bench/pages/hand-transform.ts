// The preprocessing a developer writes by hand next to raw tfjs or ONNX Runtime Web: constants
// copied from the fitted schema, no validation, no error reporting, no drift counting — just
// the arithmetic. It is the baseline that ferryml's validate + transform is compared against,
// so it is deliberately lean (one closure per column, writing into the caller's Float32Array).
// Feature positions follow the schema's `features` list (names per the documented rules:
// `<col>`, `<col>_<category>`, `<col>__missing`), resolved once at set-up.
// Only what tabular bench models use is supported; anything else throws at set-up.
import type { ColumnSchema, Schema } from '../../src/index.js';

type Writer = (value: unknown, out: Float32Array, offset: number) => void;

const isMissing = (v: unknown, strings: readonly string[]) =>
  v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) || (typeof v === 'string' && strings.includes(v.trim()));

function columnWriter(col: ColumnSchema, pos: (feature: string) => number): { features: number; write: Writer } {
  const missing = col.missing?.strings ?? [];
  let fill: unknown = undefined;
  let indicator = -1;
  let num: ((x: number) => number) | undefined;
  let encode: { kind: 'onehot' | 'ordinal'; categories: readonly unknown[]; drop?: number | undefined } | undefined;
  for (const step of col.steps) {
    if (step.kind === 'impute') {
      fill = step.value;
      if (step.indicator) indicator = pos(`${col.name}__missing`);
    } else if (step.kind === 'standardize') {
      const { mean, scale } = step;
      num = (x) => (x - mean) / scale;
    } else if (step.kind === 'minmax') {
      const { scale, offset, clip } = step;
      num = clip ? (x) => Math.min(clip.max, Math.max(clip.min, x * scale + offset)) : (x) => x * scale + offset;
    } else if (step.kind === 'onehot' || step.kind === 'ordinal') {
      encode = { kind: step.kind, categories: step.categories, drop: step.kind === 'onehot' ? step.drop : undefined };
    } else if (step.kind !== 'passthrough') {
      throw new Error(`hand-transform: step ${step.kind} of column ${col.name} is not supported by the hand-written baseline`);
    }
  }
  const flag = (gone: boolean, out: Float32Array, offset: number) => {
    if (indicator >= 0) out[offset + indicator] = gone ? 1 : 0;
  };
  const extra = indicator >= 0 ? 1 : 0;
  if (encode?.kind === 'onehot') {
    const { drop } = encode;
    // category → output position (-1 for the dropped one); all positions to clear per row
    const at = new Map(encode.categories.map((c, i) => [c, i === drop ? -1 : pos(`${col.name}_${String(c)}`)]));
    const slots = [...at.values()].filter((p) => p >= 0);
    return {
      features: slots.length + extra,
      write(v, out, offset) {
        const gone = isMissing(v, missing);
        for (const p of slots) out[offset + p] = 0;
        const p = at.get(gone ? fill : v);
        if (p !== undefined && p >= 0) out[offset + p] = 1;
        flag(gone, out, offset);
      },
    };
  }
  const self = pos(col.name);
  if (encode?.kind === 'ordinal') {
    const code = new Map(encode.categories.map((c, i) => [c, i]));
    return {
      features: 1 + extra,
      write(v, out, offset) {
        const gone = isMissing(v, missing);
        out[offset + self] = code.get(gone ? fill : v) ?? -1;
        flag(gone, out, offset);
      },
    };
  }
  return {
    features: 1 + extra,
    write(v, out, offset) {
      const gone = isMissing(v, missing);
      const x = Number(gone ? fill : v);
      out[offset + self] = num ? num(x) : x;
      flag(gone, out, offset);
    },
  };
}

/** A hand-written transform for `schema`: `write(row, out, offset)` fills `schema.width` floats. */
export function handTransform(schema: Schema): { width: number; write(row: Record<string, unknown>, out: Float32Array, offset?: number): void } {
  const index = new Map(schema.features.map((f, i) => [f, i]));
  const pos = (feature: string) => {
    const i = index.get(feature);
    if (i === undefined) throw new Error(`hand-transform: feature ${feature} is not in the schema's features list`);
    return i;
  };
  const cols = schema.columns.map((c) => ({ name: c.name, ...columnWriter(c, pos) }));
  const total = cols.reduce((a, c) => a + c.features, 0);
  if (total !== schema.width) throw new Error(`hand-transform: columns emit ${total} features, schema says ${schema.width}`);
  return {
    width: schema.width,
    write(row, out, offset = 0) {
      for (const c of cols) c.write(row[c.name], out, offset);
    },
  };
}
