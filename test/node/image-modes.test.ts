// Image preprocessing that matches a model's own tfjs code: the bilinear-* resize modes equal
// tf.image.resizeBilinear (tfjs-backend-cpu, float32) with halfPixelCenters, alignCorners and
// neither; BGR channel order, [r, g, b] gray weights and centre crop give what their definition says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { compileSchema } from '../../src/schema/compile.js';
import type { ImageStep } from '../../src/schema/types.js';

const schemaOf = (step: Omit<ImageStep, 'kind'>) =>
  compileSchema({
    formatVersion: 2,
    columns: [{ name: 'img', type: 'image', steps: [{ kind: 'image', ...step }] }],
    features: [{ column: 'img', count: step.width * step.height * step.channels }],
    width: step.width * step.height * step.channels,
  });

/** Deterministic RGBA pixels. */
function pixels(w: number, h: number) {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < data.length; i++) data[i] = i % 4 === 3 ? 255 : (i * 53 + (i >> 6) * 29) % 256;
  return { data, width: w, height: h };
}

test('bilinear-half-pixel / -align-corners / -asymmetric equal tf.image.resizeBilinear, shrinking and enlarging', async () => {
  await tf.setBackend('cpu');
  for (const [sw, sh, w, h] of [
    [64, 48, 20, 15],
    [7, 5, 16, 11],
    [33, 17, 8, 24],
  ] as const) {
    const src = pixels(sw, sh);
    const rgb = Float32Array.from({ length: sw * sh * 3 }, (_, i) => src.data[Math.floor(i / 3) * 4 + (i % 3)]!);
    for (const [resize, alignCorners, halfPixelCenters] of [
      ['bilinear-half-pixel', false, true],
      ['bilinear-align-corners', true, false],
      ['bilinear-asymmetric', false, false],
    ] as const) {
      const ours = schemaOf({ width: w, height: h, channels: 3, resize, scale: [1], offset: [0] }).parse({ img: src });
      const theirs = tf.tidy(() => tf.image.resizeBilinear(tf.tensor3d(rgb, [sh, sw, 3]), [h, w], alignCorners, halfPixelCenters).dataSync());
      let worst = 0;
      for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - theirs[i]!));
      // Same sample points and weights; tfjs lerps as a + (b − a)·t, ferryml as (1 − t)·a + t·b.
      assert.ok(worst < 1e-3, `${sw}×${sh} → ${w}×${h} ${resize}: max difference ${worst}`);
    }
  }
});

test('BGR order, gray weights, centre crop; existing schemas read the same', () => {
  const src = pixels(6, 4);
  const rgb = schemaOf({ width: 6, height: 4, channels: 3, scale: [1], offset: [0] }).parse({ img: src });
  const bgr = schemaOf({ width: 6, height: 4, channels: 3, channelOrder: 'bgr', scale: [1], offset: [0] }).parse({ img: src });
  for (let p = 0; p < 24; p++) assert.deepEqual([bgr[3 * p], bgr[3 * p + 1], bgr[3 * p + 2]], [rgb[3 * p + 2], rgb[3 * p + 1], rgb[3 * p]]);
  const gray = schemaOf({ width: 6, height: 4, channels: 1, grayscale: [0.2989, 0.587, 0.114], scale: [1], offset: [0] }).parse({ img: src });
  assert.equal(gray[5], Math.fround(0.2989 * src.data[20]! + 0.587 * src.data[21]! + 0.114 * src.data[22]!));
  const luma = schemaOf({ width: 6, height: 4, channels: 1, scale: [1], offset: [0] }).parse({ img: src });
  const lumaNamed = schemaOf({ width: 6, height: 4, channels: 1, grayscale: [0.299, 0.587, 0.114], scale: [1], offset: [0] }).parse({ img: src });
  assert.deepEqual(Array.from(luma), Array.from(lumaNamed));
  // A 6×4 source centre-cropped to a square reads columns 1..4 of all 4 rows.
  const crop = schemaOf({ width: 4, height: 4, channels: 1, grayscale: 'alpha', crop: 'center', scale: [1], offset: [0] });
  const marked = {
    data: Uint8ClampedArray.from(src.data, (v, i) => (i % 4 === 3 ? ((i >> 2) % 6 === 0 || (i >> 2) % 6 === 5 ? 0 : 200) : v)),
    width: 6,
    height: 4,
  };
  assert.deepEqual(Array.from(crop.parse({ img: marked })), new Array(16).fill(200));
  const area = schemaOf({ width: 3, height: 2, channels: 3, resize: 'area', scale: [1], offset: [0] }).parse({ img: src });
  const bilinear = schemaOf({ width: 3, height: 2, channels: 3, scale: [1], offset: [0] }).parse({ img: src });
  assert.deepEqual(Array.from(area), Array.from(bilinear));
});

test('letterbox: the source resized with its aspect ratio into the target, padded as YOLOv5 letterbox() does', async () => {
  await tf.setBackend('cpu');
  // [source w, h, target w, h, resized w, h, left, top] — sizes worked out by hand from
  // r = min(w / sw, h / sh), round(s · r) with halves to even (Python), padding split with the
  // odd pixel right/bottom. 8×5 → 4×4: 5 · 0.5 = 2.5 rounds to 2 (Math.round would give 3).
  const cases = [
    [64, 48, 32, 32, 32, 24, 0, 4],
    [50, 20, 16, 16, 16, 6, 0, 5],
    [7, 5, 16, 11, 15, 11, 0, 0],
    [8, 5, 4, 4, 4, 2, 0, 1],
    [20, 40, 15, 12, 6, 12, 4, 0],
    [30, 30, 20, 10, 10, 10, 5, 0],
    // Scale exactly 1 (like 640×480 into 640×640): the source as is, padded; landscape and portrait.
    [16, 12, 16, 16, 16, 12, 0, 2],
    [12, 16, 16, 16, 12, 16, 2, 0],
  ] as const;
  for (const [sw, sh, w, h, nw, nh, left, top] of cases) {
    const src = pixels(sw, sh);
    const rgb = Float32Array.from({ length: sw * sh * 3 }, (_, i) => src.data[Math.floor(i / 3) * 4 + (i % 3)]!);
    for (const align of ['center', 'top-left'] as const) {
      const [l, t] = align === 'center' ? [left, top] : [0, 0];
      for (const [resize, sample] of [
        // tfjs nearest with halfPixelCenters samples floor((o + 0.5) · scale): the same pixels, so exact.
        ['nearest', (x: tf.Tensor3D) => tf.image.resizeNearestNeighbor(x, [nh, nw], false, true)],
        ['bilinear-half-pixel', (x: tf.Tensor3D) => tf.image.resizeBilinear(x, [nh, nw], false, true)],
      ] as const) {
        const step = {
          width: w,
          height: h,
          channels: 3,
          resize,
          crop: 'letterbox',
          letterboxAlign: align,
          pad: [114, 0, 255],
          scale: [1 / 255],
          offset: [-0.5],
        } as const;
        const ours = schemaOf(step).parse({ img: src });
        const theirs = tf.tidy(() => {
          const resized = sample(tf.tensor3d(rgb, [sh, sw, 3]));
          // Each channel padded with its own value, then scaled and offset like the pixels.
          const padded = tf.concat(
            [114, 0, 255].map((value, k) =>
              tf.pad(
                tf.slice(resized, [0, 0, k], [nh, nw, 1]),
                [
                  [t, h - nh - t],
                  [l, w - nw - l],
                  [0, 0],
                ],
                value,
              ),
            ),
            2,
          );
          return padded.dataSync();
        });
        // Scaled in float64 as a pixel is (v · scale + offset), then stored as float32.
        const expected = Float32Array.from(theirs, (v) => v * (1 / 255) - 0.5);
        assert.equal(ours.length, expected.length);
        let worst = 0;
        for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - expected[i]!));
        const label = `${sw}×${sh} → ${w}×${h} ${resize} ${align}`;
        if (resize === 'nearest') assert.deepEqual(Array.from(ours), Array.from(expected), label);
        else assert.ok(worst < 1e-5, `${label}: max difference ${worst}`);
      }
    }
  }
  // Gray output pads with the one given value; the source's own aspect ratio needs no padding.
  const gray = schemaOf({ width: 4, height: 4, channels: 1, crop: 'letterbox', pad: [7], resize: 'nearest', scale: [1], offset: [0] });
  const wide = gray.parse({ img: { data: new Uint8ClampedArray(8 * 4 * 4).fill(255), width: 8, height: 4 } });
  assert.deepEqual(Array.from(wide), [7, 7, 7, 7, 255, 255, 255, 255, 255, 255, 255, 255, 7, 7, 7, 7]);
  const square = gray.parse({ img: { data: new Uint8ClampedArray(8 * 8 * 4).fill(255), width: 8, height: 8 } });
  assert.deepEqual(Array.from(square), new Array(16).fill(255));
});

test('letterbox options are checked with coded errors; pad without letterbox is refused', () => {
  const bad: Array<[Partial<ImageStep>, RegExp]> = [
    [{ crop: 'letterbox', pad: [300] }, /"pad" must hold 1 or 3 pixel values in 0\.\.255/],
    [{ crop: 'letterbox', pad: [1, 2] }, /"pad" must hold 1 or 3/],
    [{ crop: 'center', pad: [114] }, /apply only with "crop": "letterbox"/],
    [{ letterboxAlign: 'center' }, /apply only with "crop": "letterbox"/],
    [{ crop: 'letterbox', letterboxAlign: 'middle' as never }, /"letterboxAlign" must be center or top-left/],
    [{ crop: 'fit' as never }, /"crop" must be none, center or letterbox/],
  ];
  for (const [extra, message] of bad)
    assert.throws(
      () => schemaOf({ width: 4, height: 4, channels: 3, scale: [1], offset: [0], ...extra }),
      (error: Error & { code?: string }) => error.code === 'SCHEMA_INVALID' && message.test(error.message),
    );
});
