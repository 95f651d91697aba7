// `ferryml transform`: schema.json + rows → the features the browser would compute, as JSON.
// Used for debugging and for parity checks against the training side.
import { writeFile } from 'node:fs/promises';
import { compileSchema } from '../../schema/compile.js';
import type { Schema } from '../../schema/types.js';
import { parseCommand, requireOption } from '../args.js';
import { readJson, readRows } from '../schema-data.js';
import type { CsvKind } from '../schema-data.js';

export const usage = `Usage: ferryml transform --schema schema.json --data rows.json|rows.jsonl|rows.csv [--out out.json] [--strict]

Validates and transforms rows exactly as the SDK does in the browser and prints
{ "features": [names], "rows": [[numbers] | null], "issues": [{ "row", "column", "code", "severity", "message" }] }.
A row with an error prints null and its issues; the other rows still print. Numbers are the
float32 values the model receives. Exit code 0, or 1 with --strict when any row was rejected.
CSV fields are typed by the schema's columns (decimal text in number columns → numbers).`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommand(argv, { schema: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' }, strict: { type: 'boolean' } }, usage);
  const schemaPath = requireOption(values.schema, '--schema', usage);
  const dataPath = requireOption(values.data, '--data', usage);
  const compiled = compileSchema((await readJson(schemaPath)) as Schema);
  const kinds: Record<string, CsvKind> = {};
  for (const c of compiled.schema.columns) {
    const encoder = c.steps.find((s) => s.kind === 'onehot' || s.kind === 'ordinal');
    const categories = encoder && 'categories' in encoder ? typeof encoder.categories[0] : undefined;
    kinds[c.name] = c.type === 'number' || categories === 'number' ? 'number' : c.type === 'boolean' || categories === 'boolean' ? 'boolean' : 'string';
  }
  const rows = await readRows(dataPath, kinds);
  const out = new Float32Array(rows.length * compiled.width);
  const { issues, rejected } = compiled.transformInto(rows, out);
  const result = {
    features: compiled.features,
    rows: rows.map((_, r) => (rejected[r] ? null : Array.from(out.subarray(r * compiled.width, (r + 1) * compiled.width)))),
    issues: issues.map((i) => ({ row: i.row, column: i.column, code: i.code, severity: i.severity, message: i.message })),
  };
  const text = `${JSON.stringify(result)}\n`;
  if (values.out) await writeFile(values.out, text);
  else process.stdout.write(text);
  const bad = rejected.reduce((n, r) => n + r, 0);
  if (bad > 0) console.error(`ferryml transform: ${bad} of ${rows.length} rows rejected (see "issues")`);
  return values.strict && bad > 0 ? 1 : 0;
}
