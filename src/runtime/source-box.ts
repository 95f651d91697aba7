/**
 * Detection boxes in the source image's pixels (`Detection.sourceBox`): the model's box, in its
 * input frame, mapped back through the image step's own geometry (../schema/image.ts
 * `imageGeometry`, the function its writer runs on) and clipped to the source, as Ultralytics'
 * `scale_boxes` undoes a letterbox. In the detection decoder's chunk: ferryml/lite never loads it.
 */
import { imageGeometry, sourceSize } from '../schema/image.js';
import type { ImageStep, Schema } from '../schema/types.js';

type Box = [number, number, number, number];

/** What `see` walks: the batch's calls, each with its rows (a columnar chunk's are all undefined). */
export type BatchRows = ReadonlyArray<{ rows: ArrayLike<unknown> }>;

/**
 * The mapping for a schema with exactly one image column (undefined otherwise: with none or
 * several, which image a box refers to is not known, so no `sourceBox` is given).
 * @param pixels boxes are in input pixels (YOLO-style), not 0..1 of the input (TF OD API)
 */
export function sourceBoxes(schema: Schema, pixels: boolean) {
  const images = schema.columns.filter((c) => c.type === 'image');
  if (images.length !== 1) return undefined;
  const { name, steps } = images[0]!;
  const step = steps.find((s) => s.kind === 'image') as ImageStep;
  // Each accepted row's source size, in the batch's output order; a row's entry is read in the
  // same task as the transform that read its pixels, so no app code can resize the source between.
  let sizes: Array<[number, number] | undefined> = [];
  return {
    /** Records the batch's source sizes right after its transform (`rejected`: rows left out of the model call). */
    see: (batch: BatchRows, rejected: Uint8Array): void => {
      sizes = [];
      let r = 0;
      for (const { rows } of batch)
        for (let i = 0; i < rows.length; i++, r++) {
          if (rejected[r]) continue;
          const raw = (rows[i] as Record<string, unknown> | undefined)?.[name];
          // The size alone: holding the pixels would keep the batch's images alive until the next batch.
          sizes.push(typeof raw === 'object' && raw !== null ? (sourceSize(raw, step).slice(0, 2) as [number, number]) : undefined);
        }
    },
    /** The mapping for output row `k` of the batch last seen; undefined for a row without an image. */
    row: (k: number): ((box: Box) => Box) | undefined => {
      const size = sizes[k];
      if (!size) return undefined;
      const [sw, sh] = size;
      const [ox, oy, cw, ch, lx, ly, iw, ih] = imageGeometry(step, sw, sh);
      // Input pixels per unit of the box: the input's size for 0..1 boxes.
      const ux = pixels ? 1 : step.width;
      const uy = pixels ? 1 : step.height;
      // Undo the pad offset, then the resize (the scale the writer used per axis, iw / cw: the
      // letterbox's r up to its rounding to whole pixels), add the crop window's origin, clip.
      const x = (v: number) => Math.min(sw, Math.max(0, ox + ((v * ux - lx) * cw) / iw));
      const y = (v: number) => Math.min(sh, Math.max(0, oy + ((v * uy - ly) * ch) / ih));
      return ([y1, x1, y2, x2]) => [y(y1), x(x1), y(y2), x(x2)];
    },
  };
}
