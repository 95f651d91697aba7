// `ferryml types`: schema.json → a .d.ts of its input row, for apps that load schemas at run time.
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { checkSchema } from '../../schema/check.js';
import { parseCommand } from '../args.js';
import { readJson } from '../schema-data.js';
import { schemaToDts } from '../schema-dts.js';
import { FerryError } from '../../errors.js';

export const usage = `Usage: ferryml types schema.json [--out file.d.ts] [--name Input]

Writes TypeScript declarations for a schema: the input row interface (required columns as
required keys, columns that may be missing as optional keys accepting null), the output
feature names (Features), the width (Width) and, when fitted with a label, the classes (Label).
Prints to stdout unless --out is given.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { out: { type: 'string' }, name: { type: 'string' } }, usage);
  const [path, ...extra] = positionals;
  if (!path || extra.length > 0) throw new FerryError('INVALID_OPTIONS', `expected one schema.json path\n\n${usage}`);
  const name = values.name ?? 'Input';
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new FerryError('INVALID_OPTIONS', `--name must be a TypeScript identifier, got "${name}"`);
  const schema = checkSchema(await readJson(path));
  const text = schemaToDts(schema, { name, source: basename(path) });
  if (values.out) await writeFile(values.out, text);
  else process.stdout.write(text);
  return 0;
}
