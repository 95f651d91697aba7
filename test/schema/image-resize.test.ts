// Image resize semantics, in Node and Chromium: area averaging when shrinking (exact values on
// hand-computable cases), bilinear when enlarging, properties (constants stay constant, the
// mean survives), a 1-px stroke surviving 280 → 28 through the shipped digits schema, and in
// Chromium the same through real canvases, OffscreenCanvas and ImageBitmap.
import { expect } from 'chai';
import fc from 'fast-check';
import { compileImage } from '../../src/schema/image.js';
import { axisTaps, cachedTaps } from '../../src/schema/image-taps.js';
import type { AxisTaps } from '../../src/schema/image-taps.js';
import { compileSchema } from '../../src/schema/compile.js';
import type { ImageStep, Schema } from '../../src/schema/types.js';
import { isNode, readJsonFile } from './io.js';

const browserOnly = isNode ? it.skip : it;

/** Resizes `data` (sw × sh × sc) with an image step (scale 1, offset 0 unless given). */
function resize(data: ArrayLike<number>, sw: number, sh: number, step: Partial<ImageStep> & Pick<ImageStep, 'width' | 'height' | 'channels'>): number[] {
  const s: ImageStep = { kind: 'image', scale: [1], offset: [0], ...step };
  const out = new Float32Array(s.width * s.height * s.channels);
  expect(compileImage('img', s)({ data, width: sw, height: sh }, out, 0, { issues: [], row: -1 })).to.equal(true);
  return Array.from(out);
}

/** A black `size`² gray image with a 1-px white column at `x` and row at `y`. */
function cross(size: number, x: number, y: number, channels: 1 | 4): Uint8ClampedArray {
  const data = new Uint8ClampedArray(size * size * channels);
  for (let i = 0; i < size * size; i++) {
    const white = i % size === x || Math.floor(i / size) === y;
    data.fill(white ? 255 : 0, i * channels, i * channels + Math.min(channels, 3));
    if (channels === 4) data[i * channels + 3] = 255;
  }
  return data;
}

describe('schema: image resize', () => {
  it('4×4 → 2×2 averages each 2×2 block; 3 channels average independently', () => {
    const ramp = Array.from({ length: 16 }, (_, i) => i * 10);
    expect(resize(ramp, 4, 4, { width: 2, height: 2, channels: 1 })).to.deep.equal([25, 45, 105, 125]);
    // 2×2 RGB → 1×1: the mean of each channel.
    const rgb = [10, 20, 30, 50, 60, 70, 90, 100, 110, 130, 140, 150];
    expect(resize(rgb, 2, 2, { width: 1, height: 1, channels: 3 })).to.deep.equal([70, 80, 90]);
  });

  it('5 → 2 weighs the pixel cut by the footprint edge by its covered half: 0.4, 0.4, 0.2 | 0.2, 0.4, 0.4', () => {
    expect(resize([0, 10, 20, 30, 40], 5, 1, { width: 2, height: 1, channels: 1 })).to.deep.equal([8, 32]);
    // 5×5 → 2×2: pixel (2,2) lies in all four footprints with 0.2·0.2; (0,0) in one with 0.4·0.4;
    // (row 4, col 1) in the bottom-left one with 0.4·0.4.
    const img = new Array<number>(25).fill(0);
    img[0] = 250;
    img[12] = 250;
    img[21] = 100;
    expect(resize(img, 5, 5, { width: 2, height: 2, channels: 1 })).to.deep.equal([50, 10, 26, 10]);
  });

  it('RGBA → one channel: averages first, then luma, mean or alpha; RGBA → RGBA keeps the averaged alpha', () => {
    const redBlue = [255, 0, 0, 255, 0, 0, 255, 0]; // opaque red, transparent blue
    const one = (grayscale: NonNullable<ImageStep['grayscale']>) => resize(redBlue, 2, 1, { width: 1, height: 1, channels: 1, grayscale })[0]!;
    expect(one('luma')).to.equal(Math.fround(0.299 * 127.5 + 0.114 * 127.5));
    expect(one('mean')).to.equal(85);
    expect(one('alpha')).to.equal(127.5);
    expect(resize(redBlue, 2, 1, { width: 1, height: 1, channels: 4 })).to.deep.equal([127.5, 0, 127.5, 127.5]);
  });

  it('per axis: area where the source is larger, bilinear (half-pixel centres) where it is smaller', () => {
    // 4×2 → 2×4: x halves (block means 5, 25 | 105, 125), y doubles (rows r0, ¾r0+¼r1, ¼r0+¾r1, r1).
    const src = [0, 10, 20, 30, 100, 110, 120, 130];
    expect(resize(src, 4, 2, { width: 2, height: 4, channels: 1 })).to.deep.equal([5, 25, 30, 50, 80, 100, 105, 125]);
    expect(resize([0, 100], 2, 1, { width: 4, height: 1, channels: 1 })).to.deep.equal([0, 25, 75, 100]);
  });

  it('clamps each source value to 0..255 before averaging (NaN → 0)', () => {
    expect(resize([300, -5, NaN, Infinity], 4, 1, { width: 1, height: 1, channels: 1 })).to.deep.equal([(255 + 0 + 0 + 255) / 4]);
  });

  it("builds each axis's taps once per source size (integer overlaps in 1/dst units) and keeps at most 4 sizes", () => {
    const t = axisTaps(5, 2, 'smooth');
    expect([Array.from(t.first), Array.from(t.at), Array.from(t.weights), t.norm]).to.deep.equal([[0, 2], [0, 3, 6], [2, 2, 1, 1, 2, 2], 5]);
    expect(Array.from(axisTaps(2, 4, 'smooth').weights)).to.deep.equal([1, 0.75, 0.25, 0.25, 0.75, 1]);
    expect(Array.from(axisTaps(280, 28, 'nearest').first.slice(0, 3))).to.deep.equal([5, 15, 25]);
    const cache = new Map<number, AxisTaps>();
    const first = cachedTaps(cache, 280, 28, 'smooth');
    expect(cachedTaps(cache, 280, 28, 'smooth')).to.equal(first);
    for (const size of [100, 200, 300, 400]) cachedTaps(cache, size, 28, 'smooth');
    expect([...cache.keys()]).to.deep.equal([100, 200, 300, 400].map((size) => size * 8192 + 28));
  });

  it('property: a constant image stays that constant at any size, in every channel', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 20 }),
        fc.constantFrom(1 as const, 3 as const, 4 as const),
        fc.integer({ min: 0, max: 255 }),
        (sw, sh, w, h, c, v) => {
          const out = resize(new Uint8ClampedArray(sw * sh * c).fill(v), sw, sh, { width: w, height: h, channels: c });
          expect(out.every((x) => x === v)).to.equal(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('property: shrinking keeps the mean intensity (every source pixel counts once in total)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer(),
        (w, h, dx, dy, seed) => {
          const [sw, sh] = [w + dx, h + dy];
          const data = Array.from({ length: sw * sh }, (_, i) => (Math.imul(i + 1, 2654435761) ^ seed) >>> 24);
          const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
          // Each output is rounded to float32 once: at most 2^-24 · 255 off.
          expect(Math.abs(mean(resize(data, sw, sh, { width: w, height: h, channels: 1 })) - mean(data))).to.be.at.most(255 * 2 ** -24);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a 1-px line on a 280×280 drawing survives 28×28 through the shipped digits schema at 1/10 intensity', async () => {
    // The digits model's own schema (28×28, luma, scale 1/255), as shipped.
    const schema = await readJsonFile<Schema>('models/digits/1.0.0/schema.json');
    const digits = compileSchema(schema);
    const out = digits.parse({ image: { data: cross(280, 143, 57, 4), width: 280, height: 280 } });
    const inked: Array<[number, number, number]> = [];
    out.forEach((v, i) => v !== 0 && inked.push([Math.floor(i / 28), i % 28, v]));
    // Column 14 and row 5 hold the lines: 10 of 100 pixels each → 0.1; their crossing 19 of 100.
    expect(inked.length).to.equal(28 + 28 - 1);
    for (const [y, x, v] of inked) {
      expect(y === 5 || x === 14, `ink at (${y}, ${x})`).to.equal(true);
      expect(v).to.be.closeTo(y === 5 && x === 14 ? 0.19 : 0.1, 1e-6);
    }
    // Point sampling is what lost it: nearest reads source columns 5, 15, …, 145 and never 143.
    const nearest = compileImage('image', { ...(schema.columns[0]!.steps[0] as ImageStep), resize: 'nearest' });
    const sampled = new Float32Array(784);
    nearest({ data: cross(280, 143, 57, 4), width: 280, height: 280 }, sampled, 0, { issues: [], row: -1 });
    expect(sampled.filter((v) => v !== 0).length).to.equal(0);
  });

  it('the shipped digits golden images are 28×28 already: they pass through unchanged', async () => {
    const schema = await readJsonFile<Schema>('models/digits/1.0.0/schema.json');
    const { rows } = await readJsonFile<{ rows: Array<{ image: { data: number[]; width: number; height: number } }> }>('models/digits/1.0.0/golden.json');
    const digits = compileSchema(schema);
    for (const row of rows) {
      expect([row.image.width, row.image.height]).to.deep.equal([28, 28]);
      expect(Array.from(digits.parse(row))).to.deep.equal(row.image.data.map((v) => Math.fround(v * (1 / 255))));
    }
  });

  browserOnly('Chromium canvases: a 1-px line survives 280 → 28 from a canvas, an OffscreenCanvas and an ImageBitmap', async () => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 280;
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, 280, 280);
    ctx.fillStyle = '#fff';
    ctx.fillRect(143, 0, 1, 280);
    ctx.fillRect(0, 57, 280, 1);
    const off = new OffscreenCanvas(280, 280);
    off.getContext('2d')!.drawImage(canvas, 0, 0);
    const digits = compileSchema(await readJsonFile<Schema>('models/digits/1.0.0/schema.json'));
    const expected = digits.parse({ image: { data: cross(280, 143, 57, 4), width: 280, height: 280 } });
    for (const image of [canvas, off, await createImageBitmap(canvas)]) expect(Array.from(digits.parse({ image }))).to.deep.equal(Array.from(expected));
  });

  browserOnly('Chromium canvas: an anti-aliased pen stroke stays unbroken at 28×28 and keeps its ink', async () => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 280;
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, 280, 280);
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    ctx.moveTo(31, 20);
    ctx.lineTo(247, 262);
    ctx.stroke();
    const px = ctx.getImageData(0, 0, 280, 280);
    const digits = compileSchema(await readJsonFile<Schema>('models/digits/1.0.0/schema.json'));
    const out = digits.parse({ image: canvas });
    // The canvas path reads the same pixels the ImageData path does.
    expect(Array.from(out)).to.deep.equal(Array.from(digits.parse({ image: px })));
    // Every output row the stroke fully crosses (source rows 20..259 → 2..25) has ink: nothing
    // breaks (2.5 px wide across 10 source rows inks ≈ 33 px, split over at most two outputs: ≥ 0.16).
    for (let y = 2; y <= 25; y++) expect(Math.max(...out.slice(y * 28, y * 28 + 28)), `row ${y}`).to.be.above(0.1);
    // The total ink is the source's, 100 source pixels per output pixel.
    let ink = 0;
    for (let i = 0; i < px.data.length; i += 4) ink += 0.299 * px.data[i]! + 0.587 * px.data[i + 1]! + 0.114 * px.data[i + 2]!;
    expect(out.reduce((a, b) => a + b, 0) * 255 * 100).to.be.closeTo(ink, ink * 1e-5);
  });

  it('an RGB(A) source already at the target size (every resize mode, centre crop, bgr) is each pixel clamped × scale + offset', () => {
    const modes = ['bilinear', 'area', 'nearest', 'bilinear-half-pixel', 'bilinear-align-corners', 'bilinear-asymmetric'] as const;
    const value = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.double({ min: -50, max: 400, noNaN: false }));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom(3, 4),
        fc.constantFrom(...modes),
        fc.boolean(),
        fc.array(value, { minLength: 8 * 8 * 4, maxLength: 8 * 8 * 4 }),
        (w, h, extra, sc, resize, bgr, pool) => {
          // A source `extra` pixels wider than the target, centre-cropped back to it (no crop when 0).
          const sw = w + extra;
          const data = pool.slice(0, sw * h * sc);
          const scale = [0.5, 1 / 255, 2];
          const offset = [-1, 0, 3];
          const got = resize3(data, sw, h, {
            width: w,
            height: h,
            channels: 3,
            resize,
            crop: extra ? 'center' : 'none',
            channelOrder: bgr ? 'bgr' : 'rgb',
            scale,
            offset,
          });
          const ox = extra >> 1;
          const want: number[] = [];
          const clampPx = (v: number) => (v > 255 ? 255 : v >= 0 ? v : 0);
          for (let y = 0; y < h; y++)
            for (let x = 0; x < w; x++) {
              const p = (y * sw + ox + x) * sc;
              const rgb = [data[p]!, data[p + 1]!, data[p + 2]!].map(clampPx);
              if (bgr) rgb.reverse();
              rgb.forEach((v, k) => want.push(Math.fround(v * scale[k]! + offset[k]!)));
            }
          expect(got).to.deep.equal(want);
        },
      ),
    );
  });
});

/** Like {@link resize}, with the step's own scale and offset. */
function resize3(data: ArrayLike<number>, sw: number, sh: number, step: Omit<ImageStep, 'kind'>): number[] {
  const out = new Float32Array(step.width * step.height * step.channels);
  expect(compileImage('img', { kind: 'image', ...step })({ data, width: sw, height: sh }, out, 0, { issues: [], row: -1 })).to.equal(true);
  return Array.from(out);
}
