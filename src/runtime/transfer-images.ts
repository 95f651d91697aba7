/**
 * Worker mode's image sources: an ImageBitmap or VideoFrame in an image column is transferred to
 * the worker (not copied), drawn and read there, and closed; the page transforms the RGBA pixels
 * that come back (their buffer transferred too), so results equal page mode's bit for bit.
 */
import type { PixelData } from '../schema/image.js';
import type { Schema } from '../schema/types.js';

/** Reads a source's pixels where the engine runs, taking ownership of it (`Engine.readPixels`). */
export type ReadPixels = (source: ImageBitmap | VideoFrame) => Promise<PixelData | undefined>;

/** What the image writer rejects as `INVALID_IMAGE`: the stand-in for a source the worker could not read. */
const UNREADABLE: PixelData = { data: new Uint8ClampedArray(0), width: 0, height: 0 };

const isTransferable = (v: unknown): v is ImageBitmap | VideoFrame =>
  (typeof ImageBitmap !== 'undefined' && v instanceof ImageBitmap) || (typeof VideoFrame !== 'undefined' && v instanceof VideoFrame);

/**
 * Returns `(rows) => rows` with every ImageBitmap/VideoFrame of the schema's image columns
 * replaced by its pixels (a shallow copy of each such row; the caller's row objects are not
 * changed, other rows are passed as they are), or undefined when the schema has no image column.
 */
export function transferImages(schema: Schema, read: ReadPixels): ((rows: readonly unknown[]) => Promise<readonly unknown[]> | undefined) | undefined {
  const columns = schema.columns.filter((c) => c.type === 'image').map((c) => c.name);
  if (columns.length === 0) return undefined;
  const has = (row: unknown) => typeof row === 'object' && row !== null && columns.some((c) => isTransferable((row as Record<string, unknown>)[c]));
  return (rows) => {
    if (!rows.some(has)) return undefined;
    // A source given twice (in two rows or columns) is transferred once; its pixels are shared.
    const reads = new Map<ImageBitmap | VideoFrame, Promise<PixelData | undefined>>();
    const readOnce = (source: ImageBitmap | VideoFrame) => {
      let pixels = reads.get(source);
      if (!pixels) reads.set(source, (pixels = read(source)));
      return pixels;
    };
    return Promise.all(
      rows.map(async (row) => {
        if (!has(row)) return row;
        const copy: Record<string, unknown> = { ...(row as Record<string, unknown>) };
        await Promise.all(
          columns.map(async (c) => {
            const v = copy[c];
            if (isTransferable(v)) copy[c] = (await readOnce(v)) ?? UNREADABLE;
          }),
        );
        return copy;
      }),
    );
  };
}
