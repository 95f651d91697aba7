/** Where a model came from: the training data's sha256 and row count, and the code version. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { FerryError } from '../../errors.js';

/** sha256 and row count of a training data file (CSV/TSV: lines after the header; JSONL: lines; JSON: array length). */
export async function dataStats(path: string, rowsOverride?: number): Promise<{ rows: number; sha256: string }> {
  const bytes = await readFile(path).catch((cause: unknown) => {
    throw new FerryError('DATA_INVALID', `--data ${path}: cannot read (${(cause as Error).message}); check the path`, { cause, details: { path } });
  });
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (rowsOverride !== undefined) return { rows: rowsOverride, sha256 };
  const ext = extname(path).toLowerCase();
  const text = bytes.toString('utf8');
  const lines = () => text.split(/\r?\n/).filter((l) => l.trim() !== '').length;
  if (ext === '.csv' || ext === '.tsv') return { rows: Math.max(0, lines() - 1), sha256 };
  if (ext === '.jsonl' || ext === '.ndjson') return { rows: lines(), sha256 };
  if (ext === '.json') {
    const json = JSON.parse(text) as unknown;
    const rows = Array.isArray(json) ? json : (json as { rows?: unknown } | null)?.rows;
    if (Array.isArray(rows)) return { rows: rows.length, sha256 };
  }
  throw new FerryError(
    'DATA_INVALID',
    `--data ${path}: cannot count rows of a ${ext || 'extension-less'} file (CSV, TSV, JSONL or a JSON array); pass --rows N`,
    { details: { path } },
  );
}

/** `git rev-parse HEAD` of the working directory, `+dirty` when there are uncommitted changes; `undefined` outside git. */
export function codeVersion(cwd = process.cwd()): string | undefined {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return undefined;
  }
}
