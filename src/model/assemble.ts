/**
 * Turns a verified manifest and its verified files into the parts of an {@link OpenedBundle}:
 * the parsed schema and golden vectors and the tfjs IOHandler. Shared by the network, cache and
 * local paths so all three hand the runtime the same shape.
 */
import { FerryError } from '../errors.js';
import type { Schema } from '../schema/types.js';
import { createIOHandler, readModelEntry } from './io-handler.js';
import type { Golden, Manifest } from './manifest.js';
import type { OpenedBundle } from './opened-bundle.js';

/** The parts of an OpenedBundle that follow from the files alone. */
export type AssembledParts = Pick<OpenedBundle, 'schema' | 'ioHandler' | 'files' | 'bytes'> & { golden?: Golden };

function parseJsonFile(files: ReadonlyMap<string, Uint8Array>, path: string, where: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(files.get(path)));
  } catch (cause) {
    throw new FerryError('MANIFEST_INVALID', `${where}${path}: not valid JSON`, { cause, details: { url: `${where}${path}` } });
  }
}

/**
 * Parses schema.json (shape only: the schema subsystem validates steps) and golden.json, and
 * builds the IOHandler. Throws `SCHEMA_INVALID` or `MANIFEST_INVALID` naming the file.
 * @param where base URL or directory of the bundle, for messages.
 */
export function assemble(manifest: Manifest, files: ReadonlyMap<string, Uint8Array>, where: string): AssembledParts {
  const parsed = parseJsonFile(files, manifest.schema, where) as { columns?: unknown; features?: unknown } | null | undefined;
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(parsed.columns) || !Array.isArray(parsed.features)) {
    throw new FerryError('SCHEMA_INVALID', `${where}${manifest.schema}: not a ferryml schema (needs columns and features arrays)`, {
      details: { url: `${where}${manifest.schema}` },
    });
  }
  const schema = parsed as unknown as Schema;
  let golden: Golden | undefined;
  if (manifest.golden !== undefined) {
    const g = parseJsonFile(files, manifest.golden, where) as { rows?: unknown; outputs?: unknown } | null | undefined;
    if (!Array.isArray(g?.rows) || !Array.isArray(g.outputs) || g.rows.length !== g.outputs.length) {
      throw new FerryError('MANIFEST_INVALID', `${where}${manifest.golden}: golden vectors need "rows" and "outputs" arrays of equal length`, {
        details: { url: `${where}${manifest.golden}` },
      });
    }
    golden = g as unknown as Golden;
  }
  const ioHandler = createIOHandler(readModelEntry(manifest, files, where), files);
  const bytes = manifest.files.reduce((n, f) => n + f.bytes, 0);
  return golden === undefined ? { schema, ioHandler, files, bytes } : { schema, golden, ioHandler, files, bytes };
}
