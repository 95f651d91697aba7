/**
 * The `image` step: pixels from ImageData, a canvas, an ImageBitmap/<img>/<video>/VideoFrame, or a plain array →
 * `height × width × channels` floats (HWC), resized and converted without intermediate buffers.
 * Shrinking averages each output pixel's whole source footprint, enlarging is bilinear
 * (./image-taps.ts); channels are resampled independently (ImageData is not premultiplied).
 * A centre crop reads a window of the source; a letterbox writes the resized source into a window
 * of the output and pads the rest.
 */
import { report } from './issues.js';
import { describeValue } from './values.js';
import type { IssueSink } from './issues.js';
import type { ImageStep } from './types.js';
import { cachedTaps } from './image-taps.js';
import type { AxisMode, AxisTaps } from './image-taps.js';

/** Pixel data with its size, like `ImageData` (values 0..255, 1, 3 or 4 channels interleaved). */
export interface PixelData {
  data: ArrayLike<number>;
  width: number;
  height: number;
}

/**
 * What an image column accepts: ImageData-like pixels, a canvas (HTML or Offscreen), an
 * ImageBitmap, `<img>`, `<video>` (its current frame) or `VideoFrame` (each drawn once at its
 * natural size to read its pixels), or an array already at the schema's size holding
 * `width × height × c` values for c = 1, 3 or 4.
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
  const [gr = 0, gg = 0, gb = 0] = Array.isArray(gray) ? (gray as readonly number[]) : gray === 'mean' ? [1 / 3, 1 / 3, 1 / 3] : [0.299, 0.587, 0.114];
  const invert = step.invert === true;
  const bgr = step.channelOrder === 'bgr';
  // Padding goes through scale/offset like a pixel (it is given per output channel).
  const pad = Array.from({ length: c }, (_, i) => {
    const p = step.pad ?? [0];
    return p[p.length === 1 ? 0 : i]! * scale[i]! + offset[i]!;
  });
  const MODES: Record<string, AxisMode> = {
    nearest: 'nearest',
    'bilinear-half-pixel': 'half-pixel',
    'bilinear-align-corners': 'align-corners',
    'bilinear-asymmetric': 'asymmetric',
  };
  const mode: AxisMode = MODES[step.resize ?? 'bilinear'] ?? 'smooth';
  // Resampling weights per source size, per axis: built on the first image of a size, reused after.
  const xTaps = new Map<number, AxisTaps>();
  const yTaps = new Map<number, AxisTaps>();
  // The kinds of image are listed once, in the INVALID_IMAGE hint (./issues.ts).
  const expected = `an image or ${w}×${h}×{1,3,4} values`;
  const scratch: Scratch = { canvas: undefined };

  /** Reads the pixels of a `sw × sh` drawable (canvas, bitmap, <img>, <video>, VideoFrame); undefined when it is not one. */
  function drawn(raw: object, sw: number, sh: number): PixelData | undefined {
    if (!(sw >= 1 && sh >= 1)) return undefined;
    if (typeof (raw as { getContext?: unknown }).getContext === 'function') {
      const ctx = (raw as { getContext(k: '2d'): CanvasRenderingContext2D | null }).getContext('2d');
      return ctx?.getImageData(0, 0, sw, sh) ?? undefined;
    }
    return drawPixels(raw as CanvasImageSource, sw, sh, scratch);
  }

  return (raw, out, start, sink) => {
    if (raw === null || raw === undefined) return report(sink, 'MISSING_REQUIRED', column, expected, raw);
    let d: ArrayLike<number> | undefined;
    let sw = 0;
    let sh = 0;
    try {
      if (typeof raw === 'object') {
        [sw, sh, d] = sourceSize(raw, step);
        d ??= drawn(raw, sw, sh)?.data;
      }
    } catch (error) {
      // A tainted (cross-origin) canvas throws SecurityError from getImageData.
      return report(sink, 'INVALID_IMAGE', column, expected, raw, 'error', `unreadable image (${(error as Error).name})`);
    }
    // An array's count is checked against the step's size, pixel data's against its own.
    const sc = d && Number.isInteger(sw) && Number.isInteger(sh) && sw > 0 && sh > 0 ? d.length / (sw * sh) : 0;
    if (!d || !(sc === 1 || sc === 3 || sc === 4)) return report(sink, 'INVALID_IMAGE', column, expected, raw, 'error', whyNot(raw, w * h * c));
    const [ox, oy, cw, ch, lx, ly, iw, ih] = imageGeometry(step, sw, sh);
    const xt = cachedTaps(xTaps, cw, iw, mode);
    const yt = cachedTaps(yTaps, ch, ih, mode);
    const { weights: xw, at: xat, first: xfirst } = xt;
    const { weights: yw, at: yat, first: yfirst } = yt;
    const norm = xt.norm * yt.norm;
    if (xt.identity && yt.identity && iw === w && ih === h && c === 3 && sc >= 3 && !invert) {
      // The frame is already the model's size (the common case of a 224×224 input): one source
      // pixel per output pixel, so no taps to walk. Same arithmetic as the loop below. Not for a
      // letterbox at scale 1 (640×480 into 640×640): the taps are identities but the rest is padding.
      const [k0, k1, k2] = scale as [number, number, number];
      const [f0, f1, f2] = offset as [number, number, number];
      const r = bgr ? 2 : 0;
      const b = bgr ? 0 : 2;
      let base = (oy * sw + ox) * sc;
      let o = start;
      for (let y = 0; y < h; y++, base += sw * sc) {
        for (let x = 0, p = base; x < w; x++, p += sc) {
          out[o++] = clamp(d[p + r] as number) * k0 + f0;
          out[o++] = clamp(d[p + 1] as number) * k1 + f1;
          out[o++] = clamp(d[p + b] as number) * k2 + f2;
        }
      }
      return true;
    }
    let o = start;
    for (let ty = 0; ty < h; ty++) {
      const y = ty - ly;
      if (y < 0 || y >= ih) {
        for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) out[o++] = pad[k]!;
        continue;
      }
      const ya = yat[y]!;
      const yb = yat[y + 1]!;
      const row0 = yfirst[y]! - ya;
      for (let tx = 0; tx < w; tx++) {
        const x = tx - lx;
        if (x < 0 || x >= iw) {
          for (let k = 0; k < c; k++) out[o++] = pad[k]!;
          continue;
        }
        const xa = xat[x]!;
        const xb = xat[x + 1]!;
        const col0 = xfirst[x]! - xa;
        // Channel sums in locals (no per-pixel arrays); each source value is clamped first.
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0;
        for (let j = ya; j < yb; j++) {
          const base = (oy + row0 + j) * sw + ox + col0;
          let r0 = 0,
            r1 = 0,
            r2 = 0,
            r3 = 0;
          for (let i = xa; i < xb; i++) {
            const wx = xw[i]!;
            const p = (base + i) * sc;
            r0 += wx * clamp(d[p] as number);
            if (sc === 1) continue;
            r1 += wx * clamp(d[p + 1] as number);
            r2 += wx * clamp(d[p + 2] as number);
            if (sc === 4) r3 += wx * clamp(d[p + 3] as number);
          }
          const wy = yw[j]!;
          s0 += wy * r0;
          s1 += wy * r1;
          s2 += wy * r2;
          s3 += wy * r3;
        }
        if (norm !== 1) {
          s0 /= norm;
          s1 /= norm;
          s2 /= norm;
          s3 /= norm;
        }
        for (let k = 0; k < c; k++) {
          let v: number;
          if (sc === 1) v = k === 3 ? 255 : s0;
          else if (c > 1) v = k === 0 ? (bgr ? s2 : s0) : k === 1 ? s1 : k === 2 ? (bgr ? s0 : s2) : sc === 4 ? s3 : 255;
          else if (gray === 'alpha') v = sc === 4 ? s3 : 255;
          else v = gray === 'mean' ? (s0 + s1 + s2) / 3 : gr * s0 + gg * s1 + gb * s2;
          if (invert) v = 255 - v;
          out[o++] = v * scale[k]! + offset[k]!;
        }
      }
    }
    return true;
  };
}

/** {@link imageGeometry}'s answer, in pixels. */
export type ImageGeometry = [ox: number, oy: number, cw: number, ch: number, lx: number, ly: number, iw: number, ih: number];

/**
 * Where a `sw × sh` source lands in the step's output: the source window `[ox, ox + cw) × [oy, oy + ch)`
 * (all of it, or the centre crop with the target's aspect ratio) is resized to `iw × ih` and written at
 * `(lx, ly)` (a letterbox: aspect ratio kept, the rest padded; else the whole output). The writer
 * runs on it, and so does the mapping of detection boxes back to the source (../runtime/source-box.ts).
 */
export function imageGeometry(step: ImageStep, sw: number, sh: number): ImageGeometry {
  const { width: w, height: h } = step;
  // Centre crop: the source window with the target's aspect ratio.
  let cw = sw;
  let ch = sh;
  if (step.crop === 'center' && sw * h !== sh * w) {
    if (sw * h > sh * w) cw = Math.max(1, Math.round((sh * w) / h));
    else ch = Math.max(1, Math.round((sw * h) / w));
  }
  // Letterbox: the source resized with its aspect ratio kept (Python's round, as letterbox code sizes it).
  let iw = w;
  let ih = h;
  if (step.crop === 'letterbox' && sw * h !== sh * w) {
    const r = Math.min(w / sw, h / sh);
    iw = Math.max(1, Math.min(w, roundHalfEven(sw * r)));
    ih = Math.max(1, Math.min(h, roundHalfEven(sh * r)));
  }
  const centred = step.letterboxAlign !== 'top-left';
  return [(sw - cw) >> 1, (sh - ch) >> 1, cw, ch, centred ? (w - iw) >> 1 : 0, centred ? (h - ih) >> 1 : 0, iw, ih];
}

const isPixelData = (raw: object): raw is PixelData => 'data' in raw && 'width' in raw && 'height' in raw;
const isArray = (raw: unknown): raw is ArrayLike<number> => ArrayBuffer.isView(raw) || Array.isArray(raw);
const values = (raw: object) => `${raw.constructor.name} of ${(raw as ArrayLike<number>).length} values`;

/**
 * The size the writer reads a source at, with the values where the source holds them: pixel data's
 * own, a bare array at the step's size, else {@link naturalSize} (the pixels are drawn).
 */
export function sourceSize(raw: object, step: ImageStep): [sw: number, sh: number, data?: ArrayLike<number>] {
  return isPixelData(raw) ? [raw.width, raw.height, raw.data] : isArray(raw) ? [step.width, step.height, raw] : naturalSize(raw);
}

/** What an unusable image source is, for the issue's `got`: its length or size, not just "object". */
function whyNot(raw: object, n: number): string {
  // Pixel data of the wrong count: the count against its own size (an ImageData is 4 values a pixel).
  if (typeof raw === 'object' && isPixelData(raw))
    return `{data: ${values(raw.data)}, width: ${raw.width}, height: ${raw.height}}, not ${raw.width}×${raw.height}×{1,3,4}`;
  return isArray(raw)
    ? `${values(raw)}, not ${n}`
    : naturalSize(raw).includes(0)
      ? `${raw.constructor.name} of size 0 (not loaded, or closed)`
      : describeValue(raw);
}

/** Python's `round()` (halves to even), as letterbox code computes the resized size. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

/**
 * The size a source is drawn at by `drawImage(source, 0, 0)`: a `<video>`'s frame size
 * (its `width` attribute is the element's layout size, 0 unless set), a `VideoFrame`'s display
 * size (0 once closed), an `<img>`'s natural size (its `width` follows CSS), else `width`/`height`
 * (canvas, ImageBitmap: 0 once transferred or closed). NaN when the source has none.
 */
export function naturalSize(raw: object): [number, number] {
  const r = raw as Record<string, unknown>;
  const pick = (a: string, b: string): [number, number] | undefined => (typeof r[a] === 'number' && typeof r[b] === 'number' ? [r[a], r[b]] : undefined);
  return (
    pick('videoWidth', 'videoHeight') ?? pick('displayWidth', 'displayHeight') ?? pick('naturalWidth', 'naturalHeight') ?? pick('width', 'height') ?? [NaN, NaN]
  );
}

/** One reused canvas per image writer (or per worker) to draw sources on. */
export interface Scratch {
  canvas: OffscreenCanvas | undefined;
}

/**
 * Draws a source without pixels of its own (ImageBitmap, `<img>`, `<video>`, `VideoFrame`) at
 * its natural `sw × sh` on the scratch canvas and reads the pixels back; undefined without
 * OffscreenCanvas. Throws what `getImageData` throws (SecurityError for a cross-origin source).
 */
export function drawPixels(source: CanvasImageSource, sw: number, sh: number, scratch: Scratch): PixelData | undefined {
  if (typeof OffscreenCanvas === 'undefined') return undefined;
  scratch.canvas ??= new OffscreenCanvas(sw, sh);
  const canvas = scratch.canvas;
  if (canvas.width !== sw || canvas.height !== sh) {
    canvas.width = sw;
    canvas.height = sh;
  }
  // Read back on every call (video frames): a CPU-backed canvas makes getImageData cheap.
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return undefined;
  ctx.clearRect(0, 0, sw, sh);
  ctx.drawImage(source, 0, 0, sw, sh);
  return ctx.getImageData(0, 0, sw, sh);
}

/** A source value as a pixel: clamped to 0..255, NaN → 0. */
function clamp(v: number): number {
  return v > 255 ? 255 : v >= 0 ? v : 0;
}
