/**
 * Where each column's features sit in a transformed row, read from a schema's `features` list in
 * O(columns + named features): an image column's values are one range, never one name per value.
 * Reads formatVersion 2 (ranges as `{ column, count }`) and formatVersion 1 (every value named
 * `<column>_<i>`; the run of an image column's names is folded into its range as it is read).
 */
import { fail, isObject } from './check-steps.js';
import { columnFeatures } from './features.js';
import type { ColumnSchema } from './types.js';

/** Positions in a row: named features, and the start and length of each image column's values. */
export interface FeatureLayout {
  names: Map<string, number>;
  ranges: Map<string, { start: number; count: number }>;
  width: number;
}

/**
 * Reads `features` against the columns (already checked one by one) and throws `SCHEMA_INVALID`
 * unless it holds exactly the features the columns emit, each once, with the right widths.
 */
export function layoutFeatures(features: unknown, formatVersion: 1 | 2, columns: readonly ColumnSchema[]): FeatureLayout {
  const emitted = new Set<string>();
  const images = new Map<string, number>();
  for (const column of columns)
    for (const entry of columnFeatures(column)) {
      if (typeof entry !== 'string') images.set(entry.column, entry.count);
      else if (emitted.has(entry)) fail({}, `two columns emit the feature "${entry}"; rename a column`);
      else emitted.add(entry);
    }
  // A named feature like "img_3" would be a second name for a value of image column "img".
  for (const name of emitted) {
    const cut = name.lastIndexOf('_');
    const count = cut > 0 ? images.get(name.slice(0, cut)) : undefined;
    const index = cut > 0 ? name.slice(cut + 1) : '';
    if (count !== undefined && /^\d+$/.test(index) && Number(index) < count)
      fail({}, `the feature "${name}" is also a value of image column "${name.slice(0, cut)}"; rename a column`);
  }
  if (!Array.isArray(features)) fail({}, '"features" must be an array');
  const names = new Map<string, number>();
  const ranges = new Map<string, { start: number; count: number }>();
  let at = 0;
  const list = features as unknown[];
  for (let i = 0; i < list.length; i++) {
    const entry = list[i];
    if (typeof entry === 'string') {
      const count = formatVersion === 1 && entry.endsWith('_0') ? images.get(entry.slice(0, -2)) : undefined;
      if (count !== undefined && !ranges.has(entry.slice(0, -2))) {
        const column = entry.slice(0, -2);
        // formatVersion 1: the image's values must be named in order, one run (as compile required).
        for (let k = 1; k < count; k++)
          if (list[i + k] !== `${column}_${k}`)
            fail({ column }, `image features must be contiguous in "features": expected "${column}_${k}" at ${i + k}, got ${JSON.stringify(list[i + k])}`);
        ranges.set(column, { start: at, count });
        at += count;
        i += count - 1;
        continue;
      }
      if (names.has(entry)) fail({}, `"features" names "${entry}" twice`);
      names.set(entry, at++);
    } else if (formatVersion === 2 && isObject(entry) && typeof entry.column === 'string' && Number.isInteger(entry.count) && (entry.count as number) > 0) {
      const { column, count } = entry as { column: string; count: number };
      const expected = images.get(column);
      if (expected === undefined) fail({}, `"features" has a range for "${column}", which is not an image column`);
      if (ranges.has(column)) fail({ column }, '"features" has two ranges for this column');
      if (count !== expected) fail({ column }, `the features range counts ${count} values, the image step emits ${expected}`);
      ranges.set(column, { start: at, count });
      at += count;
    } else fail({}, `"features"[${i}] must be a feature name${formatVersion === 2 ? ' or { column, count }' : ''}, got ${JSON.stringify(entry)?.slice(0, 80)}`);
  }
  for (const name of emitted) if (!names.has(name)) fail({}, `"features" lacks "${name}", which a column emits`);
  for (const name of names.keys()) if (!emitted.has(name)) fail({}, `"features" names "${name}", which no column emits`);
  for (const [column, count] of images)
    if (!ranges.has(column))
      fail({ column }, `"features" lacks this image column's ${count} values${formatVersion === 2 ? ` ({ "column": "${column}", "count": ${count} })` : ''}`);
  return { names, ranges, width: at };
}
