// `ferryml fit`: a fit spec + training rows → schema.json (fitted values, baselines, features).
import { writeFile } from 'node:fs/promises';
import { FerryError } from '../../errors.js';
import { fitSchema } from '../../schema/fit.js';
import type { FitSpec } from '../../schema/fit.js';
import { normalizeSpec } from '../../schema/spec.js';
import { parseCommand, requireOption } from '../args.js';
import { readJson, readRows } from '../schema-data.js';
import type { CsvKind } from '../schema-data.js';

export const usage = `Usage: ferryml fit --spec spec.json [--data rows.json|rows.jsonl|rows.csv] [--out schema.json]

Fits the preprocessing schema on training rows, as scikit-learn 1.2 would fit the transformers
the spec names (SimpleImputer, StandardScaler, MinMaxScaler, KBinsDiscretizer, OneHotEncoder,
OrdinalEncoder), with a drift baseline per column. Prints the schema, or writes it to --out.
CSV fields are typed by the spec: number columns read decimal text as numbers, category
columns read numbers when every field is numeric, an empty field is missing. Image columns
fit nothing: rows need not hold them, and a spec of image columns only needs no --data.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommand(argv, { spec: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' } }, usage);
  const specPath = requireOption(values.spec, '--spec', usage);
  const spec = (await readJson(specPath)) as FitSpec;
  let columns;
  try {
    columns = normalizeSpec(spec).columns;
  } catch (error) {
    throw new FerryError('INVALID_OPTIONS', `${specPath}: ${(error as Error).message}`, { cause: error });
  }
  const kinds: Record<string, CsvKind> = {};
  for (const c of columns) kinds[c.name] = c.type === 'number' ? 'number' : c.type === 'boolean' ? 'boolean' : c.type === 'category' ? 'infer' : 'string';
  if (spec.label !== undefined) kinds[spec.label] = 'infer';
  const imagesOnly = columns.every((c) => c.type === 'image') && spec.label === undefined;
  const rows = imagesOnly && values.data === undefined ? [] : await readRows(requireOption(values.data, '--data', usage), kinds);
  const schema = fitSchema(spec, rows);
  const text = `${JSON.stringify(schema, null, 2)}\n`;
  if (values.out) {
    await writeFile(values.out, text);
    console.error(`ferryml fit: ${rows.length} rows → ${schema.columns.length} columns, ${schema.width} features → ${values.out}`);
  } else process.stdout.write(text);
  return 0;
}
