// Reading training/inference rows for the CLI: a JSON array of objects, JSON Lines, or CSV.
// CSV carries only text, so its fields are typed by the column kinds the schema or spec names
// (the way pandas.read_csv infers numbers), and every other rule stays the schema's.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { FerryError } from '../errors.js';
import { DECIMAL } from '../schema/values.js';

/**
 * How a CSV field of a column becomes a value: `number` (decimal text → number), `boolean`
 * (`true`/`false`, any case → boolean), `infer` (number when every non-empty field of the
 * column is decimal text), or `string` (kept). An empty field (quoted or not) is missing (null).
 */
export type CsvKind = 'number' | 'boolean' | 'infer' | 'string';

/** Reads rows from `.json` (array of objects), `.jsonl`/`.ndjson`, or `.csv` (header row). */
export async function readRows(path: string, kinds: Record<string, CsvKind> = {}): Promise<Array<Record<string, unknown>>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new FerryError('INVALID_OPTIONS', `cannot read data file ${path}: ${(error as Error).message}`, { cause: error, details: { path } });
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return typeCsv(parseCsv(text, path), kinds);
  if (ext === '.jsonl' || ext === '.ndjson')
    return text
      .split('\n')
      .map((line, i) => [line.trim(), i] as const)
      .filter(([line]) => line !== '')
      .map(([line, i]) => asRow(parseJson(line, `${path}:${i + 1}`), `${path}:${i + 1}`));
  const data = parseJson(text, path);
  if (!Array.isArray(data)) throw new FerryError('INVALID_OPTIONS', `${path}: expected a JSON array of row objects, got ${typeof data}`, { details: { path } });
  return data.map((r, i) => asRow(r, `${path} row ${i}`));
}

/** Reads and parses a JSON file, naming the file on failure. */
export async function readJson(path: string): Promise<unknown> {
  try {
    return parseJson(await readFile(path, 'utf8'), path);
  } catch (error) {
    if (error instanceof FerryError) throw error;
    throw new FerryError('INVALID_OPTIONS', `cannot read ${path}: ${(error as Error).message}`, { cause: error, details: { path } });
  }
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FerryError('INVALID_OPTIONS', `${where}: invalid JSON (${(error as Error).message})`, { cause: error, details: { path: where } });
  }
}

function asRow(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new FerryError('INVALID_OPTIONS', `${where}: expected a row object`, { details: { path: where } });
  return value as Record<string, unknown>;
}

/** A parsed CSV field: its text and whether it was quoted (a quoted empty field is "" not missing). */
type Field = { text: string; quoted: boolean };

/** RFC 4180 CSV: comma-separated, `"` quoting with `""` escapes, LF or CRLF, first row = header. */
export function parseCsv(text: string, where = 'CSV'): { header: string[]; rows: Field[][] } {
  const records: Field[][] = [];
  let record: Field[] = [];
  let field = '';
  let quoted = false;
  let inQuotes = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // byte-order mark
  const endField = () => {
    record.push({ text: field, quoted });
    field = '';
    quoted = false;
  };
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') inQuotes = false;
      else field += ch;
    } else if (ch === '"' && field === '') {
      inQuotes = true;
      quoted = true;
    } else if (ch === ',') endField();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endField();
      if (!(record.length === 1 && record[0]!.text === '' && !record[0]!.quoted)) records.push(record);
      record = [];
    } else field += ch;
  }
  if (inQuotes) throw new FerryError('INVALID_OPTIONS', `${where}: unterminated quoted field`, { details: { path: where } });
  if (field !== '' || quoted || record.length > 0) {
    endField();
    records.push(record);
  }
  const [head, ...rows] = records;
  if (!head) throw new FerryError('INVALID_OPTIONS', `${where}: empty CSV (a header row is required)`, { details: { path: where } });
  rows.forEach((r, n) => {
    if (r.length !== head.length)
      throw new FerryError('INVALID_OPTIONS', `${where}: data row ${n + 1} has ${r.length} fields, the header has ${head.length}`, {
        details: { path: where, row: n },
      });
  });
  return { header: head.map((f) => f.text), rows };
}

function typeCsv({ header, rows }: { header: string[]; rows: Field[][] }, kinds: Record<string, CsvKind>): Array<Record<string, unknown>> {
  const resolved = header.map((name, c) => {
    const kind = kinds[name] ?? 'string';
    if (kind !== 'infer') return kind;
    const present = rows.map((r) => r[c]!.text).filter((t) => t !== '');
    return present.length > 0 && present.every((t) => DECIMAL.test(t.trim())) ? 'number' : 'string';
  });
  return rows.map((r) => {
    const row: Record<string, unknown> = {};
    header.forEach((name, c) => {
      const f = r[c]!;
      const kind = resolved[c];
      const t = f.text.trim();
      if (f.text === '') row[name] = null;
      else if (kind === 'number' && DECIMAL.test(t)) row[name] = Number(t);
      else if (kind === 'boolean' && (t.toLowerCase() === 'true' || t.toLowerCase() === 'false')) row[name] = t.toLowerCase() === 'true';
      else row[name] = f.text;
    });
    return row;
  });
}
