// The image step: pixel arrays in Node and Chromium, and real ImageData, canvases and
// ImageBitmaps in Chromium (skipped under Node, which has none).
import { expect } from 'chai';
import { compileSchema } from '../../src/schema/compile.js';
import { featureNames } from '../../src/schema/features.js';
import type { ImageStep, Schema } from '../../src/schema/types.js';
import { isNode } from './io.js';

function imageSchema(step: Omit<ImageStep, 'kind'>): Schema {
  const column = { name: 'img', type: 'image' as const, steps: [{ kind: 'image' as const, ...step }] };
  const features = featureNames(column);
  return { formatVersion: 1, columns: [column, { name: 'n', type: 'number', steps: [] }], features: [...features, 'n'], width: features.length + 1 };
}

const gray2 = compileSchema(imageSchema({ width: 2, height: 2, channels: 1, scale: [1 / 255], offset: [0] }));
const values = (x: Float32Array, n = x.length - 1) => Array.from(x.slice(0, n), (v) => Math.round(v * 255 * 1000) / 1000);
const browserOnly = isNode ? it.skip : it;

describe('schema: image step', () => {
  it('takes an array already at the schema size, and scales per channel (HWC order)', () => {
    expect(values(gray2.parse({ img: [0, 51, 102, 255], n: 1 }))).to.deep.equal([0, 51, 102, 255]);
    const rgb = compileSchema(imageSchema({ width: 1, height: 2, channels: 3, scale: [1, 2, 3], offset: [0, 0, -1] }));
    expect(Array.from(rgb.parse({ img: new Uint8Array([1, 2, 3, 4, 5, 6]), n: 0 }))).to.deep.equal([1, 4, 8, 4, 10, 17, 0]);
  });

  it('converts RGBA to one channel by luma, mean or alpha, and inverts when asked', () => {
    const px = { data: new Uint8ClampedArray([255, 0, 0, 128, 0, 0, 255, 0]), width: 2, height: 1 };
    const step = { width: 2, height: 1, channels: 1 as const, scale: [1], offset: [0] };
    const luma = compileSchema(imageSchema(step)).parse({ img: px, n: 0 });
    expect(Array.from(luma.slice(0, 2))).to.deep.equal([Math.fround(0.299 * 255), Math.fround(0.114 * 255)]);
    expect(
      Array.from(
        compileSchema(imageSchema({ ...step, grayscale: 'mean' }))
          .parse({ img: px, n: 0 })
          .slice(0, 2),
      ),
    ).to.deep.equal([85, 85]);
    expect(
      Array.from(
        compileSchema(imageSchema({ ...step, grayscale: 'alpha', invert: true }))
          .parse({ img: px, n: 0 })
          .slice(0, 2),
      ),
    ).to.deep.equal([127, 255]);
  });

  it('resizes: a 2× downscale averages 2×2 blocks, nearest picks, enlarging is bilinear with half-pixel centres', () => {
    const src = { data: [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150], width: 4, height: 4 };
    expect(values(gray2.parse({ img: src, n: 0 }))).to.deep.equal([25, 45, 105, 125]);
    const nearest = compileSchema(imageSchema({ width: 2, height: 2, channels: 1, scale: [1 / 255], offset: [0], resize: 'nearest' }));
    expect(values(nearest.parse({ img: src, n: 0 }))).to.deep.equal([50, 70, 130, 150]);
    const up = compileSchema(imageSchema({ width: 4, height: 1, channels: 1, scale: [1], offset: [0] }));
    expect(Array.from(up.parse({ img: { data: [0, 100], width: 2, height: 1 }, n: 0 }).slice(0, 4))).to.deep.equal([0, 25, 75, 100]);
  });

  it('rejects what is not an image (INVALID_IMAGE) and a missing image (MISSING_REQUIRED), other columns still checked', () => {
    const codes = (img: unknown) => {
      const r = gray2.safeParse({ img, n: 'x' });
      return r.success ? [] : r.issues.map((i) => i.code);
    };
    expect(codes([1, 2, 3])).to.deep.equal(['INVALID_IMAGE', 'TYPE_MISMATCH']);
    expect(codes({ data: [1, 2], width: 0, height: 2 })).to.deep.equal(['INVALID_IMAGE', 'TYPE_MISMATCH']);
    expect(codes('img.png')).to.deep.equal(['INVALID_IMAGE', 'TYPE_MISMATCH']);
    expect(codes(null)).to.deep.equal(['MISSING_REQUIRED', 'TYPE_MISMATCH']);
  });

  it('clamps pixel values to 0..255 and never emits NaN', () => {
    expect(values(gray2.parse({ img: [NaN, -5, 300, Infinity], n: 0 }))).to.deep.equal([0, 0, 255, 255]);
  });

  browserOnly('reads a real ImageData, canvas, OffscreenCanvas and ImageBitmap', async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 2;
    canvas.height = 2;
    const ctx = canvas.getContext('2d')!;
    const colours = ['#ff0000', '#00ff00', '#0000ff', '#ffffff'];
    colours.forEach((c, i) => {
      ctx.fillStyle = c;
      ctx.fillRect(i % 2, i >> 1, 1, 1);
    });
    const rgb = compileSchema(imageSchema({ width: 2, height: 2, channels: 3, scale: [1 / 255], offset: [0] }));
    const expected = [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1];
    expect(Array.from(rgb.parse({ img: canvas, n: 0 }).slice(0, 12))).to.deep.equal(expected);
    expect(Array.from(rgb.parse({ img: ctx.getImageData(0, 0, 2, 2), n: 0 }).slice(0, 12))).to.deep.equal(expected);
    const off = new OffscreenCanvas(2, 2);
    off.getContext('2d')!.drawImage(canvas, 0, 0);
    expect(Array.from(rgb.parse({ img: off, n: 0 }).slice(0, 12))).to.deep.equal(expected);
    const bitmap = await createImageBitmap(canvas);
    expect(Array.from(rgb.parse({ img: bitmap, n: 0 }).slice(0, 12))).to.deep.equal(expected);
    // A 1-channel model fed a 4×4 canvas: resized and converted in one pass.
    const big = document.createElement('canvas');
    big.width = 4;
    big.height = 4;
    const bctx = big.getContext('2d')!;
    bctx.fillStyle = '#000000';
    bctx.fillRect(0, 0, 4, 4);
    bctx.fillStyle = '#ffffff';
    bctx.fillRect(0, 0, 2, 2);
    expect(values(gray2.parse({ img: big, n: 0 }))).to.deep.equal([255, 0, 0, 0]);
  });
});
