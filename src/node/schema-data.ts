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

/**
 * Reads rows from `.json` (array of objects), `.jsonl`/`.ndjson`, or `.csv` (header row). A file
 * that cannot be read or a row that cannot be parsed throws `DATA_INVALID` naming the file, and
 * the line and column where it can (the CLI exits 1 on it: bad data, not a bad flag).
 */
export async function readRows(path: string, kinds: Record<string, CsvKind> = {}): Promise<Array<Record<string, unknown>>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new FerryError('DATA_INVALID', `cannot read data file ${path}: ${(error as Error).message}; check the --data path`, {
      cause: error,
      details: { path },
    });
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return typeCsv(parseCsv(text, path), kinds);
  if (ext === '.jsonl' || ext === '.ndjson')
    return text
      .split('\n')
      .map((line, i) => [line.trim(), i + 1] as const)
      .filter(([line]) => line !== '')
      .map(([line, n]) => asRow(parseJson(line, `${path}:${n}`, 'DATA_INVALID', { path, line: n }), `${path}:${n}`, { path, line: n }));
  const data = parseJson(text, path, 'DATA_INVALID', { path });
  if (!Array.isArray(data)) throw new FerryError('DATA_INVALID', `${path}: expected a JSON array of row objects, got ${typeof data}`, { details: { path } });
  return data.map((r, i) => asRow(r, `${path} row ${i}`, { path, row: i }));
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

function parseJson(
  text: string,
  where: string,
  code: 'INVALID_OPTIONS' | 'DATA_INVALID' = 'INVALID_OPTIONS',
  details: Record<string, unknown> = { path: where },
): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FerryError(code, `${where}: invalid JSON (${(error as Error).message})`, { cause: error, details });
  }
}

function asRow(value: unknown, where: string, details: Record<string, unknown>): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new FerryError('DATA_INVALID', `${where}: expected a row object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`, {
      details,
    });
  return value as Record<string, unknown>;
}

/** A parsed CSV field: its text and whether it was quoted (a quoted empty field is "" not missing). */
type Field = { text: string; quoted: boolean };

/**
 * RFC 4180 CSV: comma-separated, `"` quoting with `""` escapes, LF or CRLF, first row = header.
 * A malformed row throws `DATA_INVALID` with `where`, its 1-based line (a quoted field may span
 * lines, so rows and lines differ) and column in the message and `details`.
 */
export function parseCsv(text: string, where = 'CSV'): { header: string[]; rows: Field[][] } {
  const records: Array<{ fields: Field[]; line: number }> = [];
  let record: Field[] = [];
  let field = '';
  let quoted = false;
  let inQuotes = false;
  let line = 1; // of the character at i
  let recordLine = 1; // where the record being read starts
  let quoteLine = 1; // where the open quote is
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
      else {
        field += ch;
        if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line++;
      }
    } else if (ch === '"' && field === '') {
      inQuotes = true;
      quoted = true;
      quoteLine = line;
    } else if (ch === ',') endField();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endField();
      if (!(record.length === 1 && record[0]!.text === '' && !record[0]!.quoted)) records.push({ fields: record, line: recordLine });
      record = [];
      recordLine = ++line;
    } else field += ch;
  }
  if (inQuotes) {
    const column = records[0]?.fields[record.length]?.text ?? `field ${record.length + 1}`;
    throw new FerryError(
      'DATA_INVALID',
      `${where}:${quoteLine}: column "${column}": a quoted field is never closed; close its " (a " inside a quoted field is written "")`,
      { details: { path: where, line: quoteLine, column } },
    );
  }
  if (field !== '' || quoted || record.length > 0) {
    endField();
    records.push({ fields: record, line: recordLine });
  }
  const [head, ...rows] = records;
  if (!head) throw new FerryError('DATA_INVALID', `${where}: empty CSV (a header row is required)`, { details: { path: where } });
  const header = head.fields.map((f) => f.text);
  rows.forEach(({ fields, line }, n) => {
    if (fields.length === header.length) return;
    const short = fields.length < header.length;
    const column = short ? header[fields.length]! : header[header.length - 1]!;
    const what = short ? `column "${column}" has no field` : `an extra field follows column "${column}"`;
    throw new FerryError(
      'DATA_INVALID',
      `${where}:${line}: data row ${n + 1} has ${fields.length} fields, the header has ${header.length}: ${what}; ` +
        'give every row one field per header column (an empty field is a missing value; quote a field that holds a comma)',
      { details: { path: where, line, row: n, column } },
    );
  });
  return { header, rows: rows.map((r) => r.fields) };
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
