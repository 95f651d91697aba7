/**
 * The `image` step: pixels from ImageData, a canvas, an ImageBitmap/<img>, or a plain array →
 * `height × width × channels` floats (HWC), resized and converted without intermediate buffers.
 */
import { report } from './issues.js';
import type { IssueSink } from './issues.js';
import type { ImageStep } from './types.js';

/** Pixel data with its size, like `ImageData` (values 0..255, 1, 3 or 4 channels interleaved). */
export interface PixelData {
  data: ArrayLike<number>;
  width: number;
  height: number;
}

/**
 * What an image column accepts: ImageData-like pixels, a canvas (HTML or Offscreen), an
 * ImageBitmap or <img> (drawn once to read its pixels), or an array already at the schema's
 * size holding `width × height × c` values for c = 1, 3 or 4.
 */
export type ImageSource = PixelData | ArrayLike<number> | { getContext(kind: '2d'): unknown; width: number; height: number } | object;

/** Writes one image into `out` at `start`; returns false (issue recorded) when it cannot. */
export type ImageWriter = (raw: unknown, out: Float32Array, start: number, sink: IssueSink) => boolean;

/** Compiles an image step into a writer. */
export function compileImage(column: string, step: ImageStep): ImageWriter {
  const { width: w, height: h, channels: c } = step;
  const scale = Array.from({ length: c }, (_, i) => step.scale[step.scale.length === 1 ? 0 : i]!);
  const offset = Array.from({ length: c }, (_, i) => step.offset[step.offset.length === 1 ? 0 : i]!);
  const gray = step.grayscale ?? 'luma';
  const invert = step.invert === true;
  const nearest = step.resize === 'nearest';
  const expected = `an image (ImageData, canvas, ImageBitmap) or ${w}×${h}×{1,3,4} values`;
  let scratch: { getContext(kind: '2d'): unknown; width: number; height: number } | undefined;

  /** Reads pixels out of a drawable (canvas, bitmap, <img>); undefined when it is not one. */
  function pixelsOf(raw: object): PixelData | undefined {
    if ('data' in raw && 'width' in raw && 'height' in raw) return raw as PixelData;
    if (ArrayBuffer.isView(raw) || Array.isArray(raw)) {
      const n = (raw as ArrayLike<number>).length;
      const sc = n / (w * h);
      return sc === 1 || sc === 3 || sc === 4 ? { data: raw as ArrayLike<number>, width: w, height: h } : undefined;
    }
    const drawable = raw as { getContext?: unknown; width?: unknown; height?: unknown };
    if (typeof drawable.width !== 'number' || typeof drawable.height !== 'number' || drawable.width < 1 || drawable.height < 1) return undefined;
    if (typeof drawable.getContext === 'function') {
      const ctx = (raw as { getContext(k: '2d'): CanvasRenderingContext2D | null }).getContext('2d');
      return ctx?.getImageData(0, 0, drawable.width, drawable.height) ?? undefined;
    }
    if (typeof OffscreenCanvas === 'undefined') return undefined;
    // An ImageBitmap / <img> has no pixels to read directly: draw it on one reused canvas.
    scratch ??= new OffscreenCanvas(drawable.width, drawable.height);
    scratch.width = drawable.width;
    scratch.height = drawable.height;
    const ctx = scratch.getContext('2d') as OffscreenCanvasRenderingContext2D | null;
    if (!ctx) return undefined;
    ctx.clearRect(0, 0, drawable.width, drawable.height);
    ctx.drawImage(raw as CanvasImageSource, 0, 0);
    return ctx.getImageData(0, 0, drawable.width, drawable.height);
  }

  return (raw, out, start, sink) => {
    if (raw === null || raw === undefined) return report(sink, 'MISSING_REQUIRED', column, expected, raw);
    let px: PixelData | undefined;
    try {
      px = typeof raw === 'object' ? pixelsOf(raw) : undefined;
    } catch (error) {
      // A tainted (cross-origin) canvas throws SecurityError from getImageData.
      return report(sink, 'INVALID_IMAGE', column, expected, raw, 'error', `unreadable image (${(error as Error).name})`);
    }
    const sw = px?.width ?? 0;
    const sh = px?.height ?? 0;
    const sc = px && Number.isInteger(sw) && Number.isInteger(sh) && sw > 0 && sh > 0 ? px.data.length / (sw * sh) : 0;
    if (!px || !(sc === 1 || sc === 3 || sc === 4)) return report(sink, 'INVALID_IMAGE', column, expected, raw);
    const d = px.data;
    const fx = sw / w;
    const fy = sh / h;
    let o = start;
    for (let y = 0; y < h; y++) {
      // Half-pixel centres, as tf.image.resizeBilinear(halfPixelCenters) and canvas scaling do.
      const syf = Math.min(Math.max((y + 0.5) * fy - 0.5, 0), sh - 1);
      const y0 = nearest ? Math.min(Math.floor((y + 0.5) * fy), sh - 1) : Math.floor(syf);
      const y1 = Math.min(y0 + 1, sh - 1);
      const wy = nearest ? 0 : syf - y0;
      for (let x = 0; x < w; x++) {
        const sxf = Math.min(Math.max((x + 0.5) * fx - 0.5, 0), sw - 1);
        const x0 = nearest ? Math.min(Math.floor((x + 0.5) * fx), sw - 1) : Math.floor(sxf);
        const x1 = Math.min(x0 + 1, sw - 1);
        const wx = nearest ? 0 : sxf - x0;
        const p00 = (y0 * sw + x0) * sc;
        const p01 = (y0 * sw + x1) * sc;
        const p10 = (y1 * sw + x0) * sc;
        const p11 = (y1 * sw + x1) * sc;
        for (let k = 0; k < c; k++) {
          let v: number;
          if (sc === 1) v = k === 3 ? 255 : tap(d, p00, p01, p10, p11, wx, wy, 0);
          else if (c > 1) v = k < 3 ? tap(d, p00, p01, p10, p11, wx, wy, k) : sc === 4 ? tap(d, p00, p01, p10, p11, wx, wy, 3) : 255;
          else if (gray === 'alpha') v = sc === 4 ? tap(d, p00, p01, p10, p11, wx, wy, 3) : 255;
          else {
            const r = tap(d, p00, p01, p10, p11, wx, wy, 0);
            const g = tap(d, p00, p01, p10, p11, wx, wy, 1);
            const b = tap(d, p00, p01, p10, p11, wx, wy, 2);
            v = gray === 'mean' ? (r + g + b) / 3 : 0.299 * r + 0.587 * g + 0.114 * b;
          }
          if (invert) v = 255 - v;
          out[o++] = v * scale[k]! + offset[k]!;
        }
      }
    }
    return true;
  };
}

/** Bilinear tap of channel `k` from four source pixels, clamped to 0..255 (NaN → 0). */
function tap(d: ArrayLike<number>, p00: number, p01: number, p10: number, p11: number, wx: number, wy: number, k: number): number {
  const top = (d[p00 + k] as number) * (1 - wx) + (d[p01 + k] as number) * wx;
  const bottom = (d[p10 + k] as number) * (1 - wx) + (d[p11 + k] as number) * wx;
  // With weight 0 the neighbour must not matter even when it is NaN or Infinity.
  const v = wx === 0 && wy === 0 ? +(d[p00 + k] as number) : wy === 0 ? top : top * (1 - wy) + bottom * wy;
  return v > 255 ? 255 : v >= 0 ? v : 0;
}
