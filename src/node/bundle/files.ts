/** Reading and writing bundle directories on disk. */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { FerryError } from '../../errors.js';

/** Every file under `dir`, keyed by its `/`-separated path relative to `dir`. */
export async function readDirFiles(dir: string): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  async function walk(d: string): Promise<void> {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else if (entry.isFile()) out.set(relative(dir, p).split(sep).join('/'), new Uint8Array(await readFile(p)));
    }
  }
  await walk(dir);
  return out;
}

/** Writes `data` to `path` through a temporary file and a rename, so readers never see half a file. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode?: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`; // unique: two writes in one process must not share it
  await writeFile(tmp, data, mode === undefined ? undefined : { mode });
  await rename(tmp, path);
}

/** Parses a JSON file; `DATA_INVALID` naming the file when it is missing or malformed. */
export async function readJsonFile<T>(path: string, what: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new FerryError('DATA_INVALID', `${what} ${path}: cannot read (${(cause as Error).message}); check the path`, { cause, details: { path } });
  }
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new FerryError('DATA_INVALID', `${what} ${path}: not valid JSON (${(cause as Error).message}); fix or regenerate the file`, {
      cause,
      details: { path },
    });
  }
}

/** JSON as written to disk: two-space indent and a final newline, so diffs stay readable. */
export const prettyJson = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
