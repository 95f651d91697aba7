// model.predictColumns: raw columns in, one typed array out — equal to predictBatch row by row
// (schema, missing values, unseen categories and rejections included), with coded input errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModel } from '../../src/load-model.js';
import { compileColumns } from '../../src/runtime/columns.js';
import { compileSchema } from '../../src/schema/compile.js';
import type { ValueObserver } from '../../src/schema/capture.js';
import type { Schema } from '../../src/schema/types.js';

const DIR = 'models/penguins/2.0.0';

test('predictColumns equals predictBatch on every row, rejected rows NaN with their issues, in chunks across maxBatch', async () => {
  const model = await loadModel({ files: (p) => readFile(join(DIR, p)), maxBatch: 4 });
  try {
    const golden = JSON.parse(await readFile(join(DIR, 'golden.json'), 'utf8')) as { rows: Array<Record<string, unknown>> };
    const rows: Array<Record<string, unknown>> = [
      ...golden.rows,
      { ...golden.rows[1], Island: 'Atlantis' },
      { ...golden.rows[1], 'Beak Length (mm)': 'long' },
      { ...golden.rows[1], 'Body Mass (g)': NaN },
    ];
    const names = model.schema.columns.map((c) => c.name);
    const columns = Object.fromEntries(names.map((n) => [n, rows.map((r) => r[n])]));
    const typed = await model.predictColumns(columns);
    const batch = await model.predictBatch(rows);
    assert.equal(typed.rows, rows.length);
    assert.equal(typed.outputs.length, rows.length * typed.outputWidth);
    let rejected = 0;
    batch.predictions.forEach((p, i) => {
      const row = typed.outputs.subarray(i * typed.outputWidth, (i + 1) * typed.outputWidth);
      if (p === null) {
        rejected++;
        assert.equal(typed.valid[i], 0, `row ${i} valid`);
        assert.ok(
          row.every((v) => Number.isNaN(v)),
          `row ${i} NaN`,
        );
      } else {
        assert.equal(typed.valid[i], 1, `row ${i} valid`);
        assert.deepEqual(Array.from(row), Array.from(p.raw), `row ${i}`);
      }
    });
    assert.ok(rejected >= 1, 'the unparsable row is rejected');
    assert.deepEqual(
      typed.issues.map((i) => [i.row, i.column, i.code, i.severity]),
      batch.issues.map((i) => [i.row, i.column, i.code, i.severity]),
    );
    // Typed arrays for numeric columns give the same values.
    const numeric = Object.fromEntries(
      names.map((n) => [
        n,
        model.schema.columns.find((c) => c.name === n)!.type === 'number'
          ? Float64Array.from(columns[n]!, (v) => (typeof v === 'number' ? v : NaN))
          : columns[n],
      ]),
    );
    const again = await model.predictColumns({ ...numeric, 'Beak Length (mm)': columns['Beak Length (mm)']! });
    assert.deepEqual(Array.from(again.outputs), Array.from(typed.outputs));
  } finally {
    await model.dispose();
  }
});

test('predictColumns refuses malformed input with INVALID_OPTIONS naming the column', async () => {
  const model = await loadModel({ files: (p) => readFile(join(DIR, p)) });
  try {
    const names = model.schema.columns.map((c) => c.name);
    const full = Object.fromEntries(names.map((n) => [n, [null, null]]));
    const refuses = async (input: unknown, pattern: RegExp) =>
      assert.rejects(
        model.predictColumns(input as Record<string, unknown[]>),
        (e: { code?: string; message?: string }) => e.code === 'INVALID_OPTIONS' && pattern.test(e.message ?? ''),
      );
    await refuses([], /object of columns/);
    await refuses(null, /object of columns/);
    const { Island: _island, ...noIsland } = full;
    await refuses(noIsland, /"Island" missing/);
    await refuses({ ...full, Sex: 'MALE' }, /"Sex" must be an array/);
    await refuses({ ...full, Sex: [null] }, /"Sex" has 1 values/);
    const empty = await model.predictColumns(Object.fromEntries(names.map((n) => [n, []])));
    assert.equal(empty.rows, 0);
    assert.equal(empty.outputs.length, 0);
  } finally {
    await model.dispose();
  }
});

test('the columnar transform writes the same features, issues and drift capture as compileSchema on row objects', async () => {
  const schema = JSON.parse(await readFile(join(DIR, 'schema.json'), 'utf8')) as Schema;
  const golden = JSON.parse(await readFile(join(DIR, 'golden.json'), 'utf8')) as { rows: Array<Record<string, unknown>> };
  const rows = [
    ...golden.rows,
    { ...golden.rows[1], Island: 'Atlantis' },
    { ...golden.rows[1], 'Beak Length (mm)': 'long' },
    { ...golden.rows[2], 'Body Mass (g)': 1e9 },
  ];
  const names = schema.columns.map((c) => c.name);
  // A capture that picks every other row, as telemetry does at high volume.
  const capture = () => {
    const picks = Int32Array.from([...rows.keys()].filter((r) => r % 2 === 0).concat(-1));
    const c = { values: new Float64Array(names.length * rows.length).fill(-7), stride: rows.length, picks, reserve: () => 0 };
    return Object.assign(() => undefined, { capture: c });
  };
  const a = capture();
  const b = capture();
  const width = schema.width;
  const byRows = new Float32Array(rows.length * width);
  const fromRows = compileSchema(schema).transformInto(rows, byRows, a);
  const columnar = compileColumns(schema);
  const { columns } = columnar.check(Object.fromEntries(names.map((n) => [n, rows.map((r) => r[n])])));
  const byColumns = new Float32Array(rows.length * width);
  const fromColumns = columnar.run(columns, 0, rows.length, byColumns, 0, b);
  assert.deepEqual(Array.from(byColumns), Array.from(byRows));
  assert.deepEqual(Array.from(fromColumns.rejected), Array.from(fromRows.rejected));
  assert.deepEqual(fromColumns.issues, fromRows.issues);
  assert.deepEqual(Array.from(b.capture.values), Array.from(a.capture.values));
  // Not vacuous: values were captured, rows rejected, warnings raised.
  assert.ok(b.capture.values.some((v) => v !== -7 && Number.isFinite(v)));
  assert.ok(fromColumns.rejected.includes(1));
  assert.ok(fromColumns.issues.some((i) => i.severity === 'warning'));
});

test("numeric columns' fast path gives the column kernel's features, issues, rejections and capture, value for value", () => {
  // Every step the fast path takes, and every value it must leave to the kernel: missing (null,
  // NaN), strings, ±Infinity, out of the training range, and a finite value that overflows
  // float32 after scaling — in plain arrays and typed arrays of three kinds.
  const schema: Schema = {
    formatVersion: 1,
    columns: [
      {
        name: 'a',
        type: 'number',
        required: false,
        steps: [
          { kind: 'impute', value: 2.5 },
          { kind: 'standardize', mean: 1.25, scale: 0.3 },
        ],
        range: { min: -10, max: 10 },
      },
      { name: 'b', type: 'number', steps: [{ kind: 'minmax', scale: 0.5, offset: -1, clip: { min: 0, max: 1 } }] },
      { name: 'c', type: 'number', required: false, steps: [{ kind: 'impute', value: 7, indicator: true }] },
      {
        name: 'd',
        type: 'number',
        required: false,
        steps: [
          { kind: 'standardize', mean: 0, scale: 1e-300 },
          { kind: 'passthrough', missing: 'nan' },
        ],
      },
      { name: 'e', type: 'number', steps: [] },
      // Impute alone inside a finite range: the fast path's shortest loop.
      { name: 'f', type: 'number', required: false, steps: [{ kind: 'impute', value: 1 }], range: { min: -10, max: 10 } },
    ],
    features: ['a', 'b', 'c', 'c__missing', 'd', 'e', 'f'],
    width: 7,
  } as unknown as Schema;
  // Rows across three of the transform's 1,024-row blocks (src/runtime/columns.ts).
  const n = 2600;
  const special = [null, NaN, Infinity, -Infinity, 'x', 1e300, -11, 11, 3.4e38, 3.5e38, -0, 1e-310];
  const pick = (r: number, c: number) => (r % 7 === c ? special[(r * 5 + c) % special.length] : ((r * 7919 + c * 104729) % 2001) / 100 - 10);
  const plain = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map((k, c) => [k, Array.from({ length: n }, (_, r) => pick(r, c))]));
  const numbers = (k: string) => plain[k]!.map((v) => (typeof v === 'number' ? v : NaN));
  const inputs = [
    plain,
    {
      a: Float64Array.from(numbers('a')),
      b: Float32Array.from(numbers('b')),
      c: Int32Array.from(numbers('c')),
      d: Float64Array.from(numbers('d')),
      e: numbers('e'),
      f: Float64Array.from(numbers('f')),
    },
  ];
  for (const input of inputs) {
    const names = schema.columns.map((c) => c.name);
    const rows = Array.from({ length: n }, (_, r) => Object.fromEntries(names.map((k) => [k, input[k as keyof typeof input][r]])));
    for (const observer of ['capture', 'each', 'none'] as const) {
      const make = (): (ValueObserver & { seen: unknown[] }) | undefined => {
        if (observer === 'none') return undefined;
        const seen: unknown[] = [];
        const each = Object.assign((column: number, value: unknown, flag?: string) => void seen.push([column, value, flag]), { seen });
        if (observer === 'each') return each;
        const picks = Int32Array.from([...rows.keys()].filter((r) => r % 3 === 0).concat(-1));
        return Object.assign(each, { capture: { values: new Float64Array(names.length * n).fill(-7), stride: n, picks, reserve: () => 0 } });
      };
      const a = make();
      const b = make();
      const byRows = new Float32Array(n * schema.width);
      const fromRows = compileSchema(schema).transformInto(rows, byRows, a);
      const columnar = compileColumns(schema);
      const byColumns = new Float32Array(n * schema.width).fill(5);
      const fromColumns = columnar.run(columnar.check(input).columns, 0, n, byColumns, 0, b);
      const bits = (f: Float32Array) => Array.from(new Uint32Array(f.buffer));
      assert.deepEqual(bits(byColumns), bits(byRows), `${observer}: features`);
      assert.deepEqual(Array.from(fromColumns.rejected), Array.from(fromRows.rejected), `${observer}: rejected`);
      assert.deepEqual(fromColumns.issues, fromRows.issues, `${observer}: issues`);
      if (a?.capture) assert.deepEqual(Array.from(b!.capture!.values), Array.from(a.capture.values), 'capture');
      if (observer === 'each') assert.equal(b!.seen.length, a!.seen.length, 'observed values');
      // Not vacuous: some rows rejected, some warned about, most taken whole.
      assert.ok(fromColumns.rejected.includes(1) && fromColumns.rejected.includes(0));
      assert.ok(fromColumns.issues.some((i) => i.code === 'OUT_OF_RANGE'));
    }
  }
});

test('a tree model’s bulk call without a WebGPU adapter (Node) is not measured against tfjs, and tfjs never comes up', async () => {
  const model = await loadModel({ files: (p) => readFile(join(DIR, p)) });
  try {
    const golden = JSON.parse(await readFile(join(DIR, 'golden.json'), 'utf8')) as { rows: Array<Record<string, unknown>> };
    const rows = Array.from({ length: 4200 }, (_, i) => golden.rows[i % golden.rows.length]!);
    const names = model.schema.columns.map((c) => c.name);
    await model.predictColumns(Object.fromEntries(names.map((n) => [n, rows.map((r) => r[n])])));
    // The background step runs once the model has been idle for 50 ms.
    const deadline = Date.now() + 5000;
    while (!/not measured against tfjs/.test(model.info.engineReason) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    assert.match(
      model.info.engineReason,
      /stays for every batch, not measured against tfjs \(its tensor strategies need a GPU to win, and there is no WebGPU here/,
    );
    assert.equal((await model.memory()).tfjs, false);
  } finally {
    await model.dispose();
  }
});
