// Detection boxes in the source image's pixels (`sourceBox`): a real tfjs-layers detector on an
// 8×8 gray image column whose one box is a constant (a bias), so the expected source box follows
// from the letterbox / centre-crop / resize arithmetic alone, written out here as Ultralytics'
// `scale_boxes` does it (pad offsets removed, divided by the scale, clipped). One batch mixes
// sources of four sizes; page mode and worker mode (ImageBitmaps transferred) give the same boxes.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadModel } from '../../src/load-model.js';
import { rejectionOf } from './helpers.js';
import { bundle } from './io-bundle.js';

const SIZE = 8;
type Box = [number, number, number, number];

/** An 8×8×1 input → one box (`box`, constant) and scores over [background, thing] (thing wins). */
function detector(box: Box): tfl.LayersModel {
  const x = tfl.input({ shape: [SIZE, SIZE, 1] });
  const flat = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
  const boxDense = tfl.layers.dense({ units: 4 });
  const scoreDense = tfl.layers.dense({ units: 2 });
  const boxes = tfl.layers.reshape({ targetShape: [1, 4], name: 'boxes' }).apply(boxDense.apply(flat)) as tfl.SymbolicTensor;
  const scores = tfl.layers.reshape({ targetShape: [1, 2], name: 'scores' }).apply(scoreDense.apply(flat)) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: x, outputs: [boxes, scores] });
  boxDense.setWeights([tf.zeros([SIZE * SIZE, 4]), tf.tensor1d(box)]);
  scoreDense.setWeights([tf.zeros([SIZE * SIZE, 2]), tf.tensor1d([0, 0.9])]);
  return model;
}

const imageSchema = (step: Record<string, unknown>) => ({
  formatVersion: 2,
  columns: [{ name: 'image', type: 'image', steps: [{ kind: 'image', width: SIZE, height: SIZE, channels: 1, scale: [1 / 255], offset: [0], ...step }] }],
  features: [{ column: 'image', count: SIZE * SIZE }],
  width: SIZE * SIZE,
});

async function files(box: Box, step: Record<string, unknown>, output: Record<string, unknown> = {}) {
  const model = detector(box);
  const made = await bundle(
    model,
    [],
    {
      model: { format: 'layers-model', entry: 'model.json' },
      output: {
        kind: 'detection',
        outputs: [
          { name: 'boxes', shape: [1, 4] },
          { name: 'scores', shape: [1, 2] },
        ],
        boxes: 'boxes',
        scores: 'scores',
        background: 0,
        ...output,
      },
    },
    undefined,
    imageSchema(step),
  );
  model.dispose();
  return made;
}

/** A sw × sh gray-ish picture. */
const picture = (sw: number, sh: number) =>
  new ImageData(
    Uint8ClampedArray.from({ length: sw * sh * 4 }, (_, i) => (i * 37) % 256),
    sw,
    sh,
  );
const SIZES: Array<[number, number]> = [
  [40, 20],
  [10, 30],
  [8, 8],
  [7, 3],
];

/** Python's round(): halves to even. */
const pyRound = (v: number) => (v % 1 === 0.5 && Math.floor(v) % 2 === 0 ? Math.floor(v) : Math.round(v));
const clip = (v: number, hi: number) => Math.min(hi, Math.max(0, v));

/** Ultralytics' scale_boxes for a centred letterbox: the resized size rounded, the pad split (odd pixel right/bottom), then ÷ the scale per axis, clipped. */
function letterboxed([y1, x1, y2, x2]: Box, sw: number, sh: number, unit: number): Box {
  const r = Math.min(SIZE / sw, SIZE / sh);
  const iw = pyRound(sw * r);
  const ih = pyRound(sh * r);
  const px = Math.floor((SIZE - iw) / 2);
  const py = Math.floor((SIZE - ih) / 2);
  const x = (v: number) => clip(((v * unit - px) * sw) / iw, sw);
  const y = (v: number) => clip(((v * unit - py) * sh) / ih, sh);
  return [y(y1), x(x1), y(y2), x(x2)];
}

describe('runtime: detection boxes in the source image pixels (sourceBox)', () => {
  // A box reaching into the letterbox padding (top) and out of the input (right): clipped.
  const BOX: Box = [0.1, 0.25, 0.75, 1.2];

  for (const worker of [false, true]) {
    it(`letterbox: each row of a batch of 4 sizes maps back through its own geometry, clipped; box as before (${worker ? 'worker' : 'page'} mode)`, async () => {
      await tf.setBackend('cpu');
      const model = await loadModel({
        files: await files(BOX, { crop: 'letterbox', pad: [114] }),
        backend: 'cpu',
        remember: false,
        ...(worker ? { worker: { url: '/src/runtime/worker.ts' } } : {}),
      });
      const rows = await Promise.all(SIZES.map(async ([w, h]) => ({ image: worker ? await createImageBitmap(picture(w, h)) : picture(w, h) })));
      const { predictions } = await model.predictBatch(rows);
      predictions.forEach((p, i) => {
        if (p?.kind !== 'detection') throw new Error(`row ${i}: ${p?.kind}`);
        const [sw, sh] = SIZES[i]!;
        expect(p.detections).to.have.length(1);
        const d = p.detections[0]!;
        expect(
          Array.from(d.box, (v) => Number(v.toFixed(6))),
          'box is the model output',
        ).to.deep.equal(BOX);
        const want = letterboxed(BOX.map(Math.fround) as Box, sw, sh, SIZE);
        d.sourceBox!.forEach((v, k) => expect(v, `row ${i} (${sw}×${sh}) value ${k}`).to.be.closeTo(want[k]!, 1e-9));
      });
      // The 40×20 row: resized to 8×4 at (0, 2): y 0.1·8 = 0.8 lies in the padding (→ 0), x 1.2·8 = 9.6 → 48 (→ 40).
      const wide = predictions[0];
      if (wide?.kind !== 'detection') throw new Error('row 0');
      wide.detections[0]!.sourceBox!.forEach((v, k) => expect(v).to.be.closeTo([0, 10, 20, 40][k]!, 1e-5));
      await model.dispose();
    });
  }

  it('centre crop and plain resize; boxUnits "pixels" reads the box in input pixels', async () => {
    await tf.setBackend('cpu');
    const px: Box = [2, 1, 6, 7];
    const cases: Array<[Record<string, unknown>, (b: Box, sw: number, sh: number) => Box]> = [
      // Centre crop of a 40×20 source to 8×8: the 20×20 window at x 10, scale 20/8.
      [
        { crop: 'center' },
        ([y1, x1, y2, x2], sw, sh) => [(y1 * 20) / 8, 10 + (x1 * 20) / 8, (y2 * 20) / 8, 10 + (x2 * 20) / 8].map((v, k) => clip(v, k % 2 ? sw : sh)) as Box,
      ],
      // Plain resize: each axis by its own ratio.
      [{}, ([y1, x1, y2, x2], sw, sh) => [(y1 * sh) / 8, (x1 * sw) / 8, (y2 * sh) / 8, (x2 * sw) / 8]],
    ];
    for (const [step, expected] of cases) {
      const model = await loadModel({ files: await files(px, step, { boxUnits: 'pixels' }), backend: 'cpu', remember: false });
      const p = await model.predict({ image: picture(40, 20) });
      if (p.kind !== 'detection') throw new Error(p.kind);
      const want = expected(px, 40, 20);
      p.detections[0]!.sourceBox!.forEach((v, k) => expect(v, `${JSON.stringify(step)} value ${k}`).to.be.closeTo(want[k]!, 1e-5));
      await model.dispose();
    }
  });

  it('refuses a boxUnits or nms value it does not know at load (MANIFEST_INVALID naming the field)', async () => {
    const bad = await rejectionOf(loadModel({ files: await files(BOX, {}, { boxUnits: 'inches', nms: 'per-box' }), backend: 'cpu', remember: false }));
    expect(bad.code).to.equal('MANIFEST_INVALID');
    expect(bad.message).to.contain('output.boxUnits must be one of ["normalized","pixels"]');
    expect(bad.message).to.contain('output.nms must be one of [true,false,"per-class"]');
  });
});
