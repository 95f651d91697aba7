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
