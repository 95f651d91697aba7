// Several named inputs (one of them int32) and several named outputs, decoded as `raw` (named
// typed arrays with shapes) and as `detection` (boxes, scores, classes after score threshold and
// NMS, equal to tfjs's own tf.image.nonMaxSuppression). Real tfjs-layers models made in the page,
// loaded through loadModel on cpu and wasm, compared with tfjs's own predict on the same backend.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadModel } from '../../src/load-model.js';
import { WASM, maxDiff, rejectionOf } from './helpers.js';
import { bundle, seed, twoByTwo } from './io-bundle.js';

/** An SSD-like head: 5 inputs → 6 boxes (yxyx in 0..1) and scores over 3 classes (class 0 background). */
function detector(): tfl.LayersModel {
  const x = tfl.input({ shape: [5] });
  const boxes = tfl.layers.reshape({ targetShape: [6, 4] }).apply(tfl.layers.dense({ units: 24, activation: 'sigmoid' }).apply(x)) as tfl.SymbolicTensor;
  const logits = tfl.layers.reshape({ targetShape: [6, 3] }).apply(tfl.layers.dense({ units: 18 }).apply(x)) as tfl.SymbolicTensor;
  const scores = tfl.layers.softmax({ axis: -1 }).apply(logits) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: x, outputs: [boxes, scores] });
  seed(model, 11);
  return model;
}

const rowsOf = (n: number) => Array.from({ length: n }, (_, r) => ({ a0: r * 0.3 - 1, a1: 0.5, a2: -r * 0.2, id0: r % 5, id1: (r * 3 + 1) % 5 }));
const COLUMNS = ['a0', 'a1', 'a2', 'id0', 'id1'];

describe('runtime: several inputs and outputs (raw and detection)', () => {
  before(() => setWasmPaths(WASM));

  for (const backend of ['cpu', 'wasm'] as const) {
    it(`two named inputs (float32, int32) and two named outputs decode as raw typed arrays equal to predict (${backend})`, async () => {
      await tf.setBackend('cpu');
      const model = twoByTwo();
      const rows = rowsOf(6);
      const reference = async () => {
        const a = tf.tensor2d(rows.map((r) => [r.a0, r.a1, r.a2]));
        const ids = tf.tensor2d(
          rows.map((r) => [r.id0, r.id1]),
          undefined,
          'int32',
        );
        const [p, g] = model.predict([a, ids]) as tf.Tensor[];
        const out = [(await p!.array()) as number[][], (await g!.array()) as number[][][]];
        tf.dispose([a, ids, p!, g!]);
        return out as [number[][], number[][][]];
      };
      const [cpuP, cpuG] = await reference();
      const golden = { rows, outputs: rows.map((_, i) => [...cpuP[i]!, ...cpuG[i]!.flat()].map((v) => Number(v.toPrecision(9)))) };
      const files = await bundle(
        model,
        COLUMNS,
        {
          model: {
            format: 'layers-model',
            entry: 'model.json',
            inputs: [
              { name: 'features', shape: [3] },
              { name: 'ids', shape: [2], dtype: 'int32' },
            ],
          },
          output: {
            kind: 'raw',
            outputs: [
              { name: 'probs', shape: [4] },
              { name: 'grid', shape: [2, 3] },
            ],
          },
        },
        golden,
      );
      const loaded = await loadModel({ files, backend, wasmPaths: WASM, remember: false });
      expect(loaded.info.backend).to.equal(backend);
      await tf.setBackend(backend);
      const [p, g] = await reference();
      const { predictions } = await loaded.predictBatch(rows);
      predictions.forEach((prediction, i) => {
        if (prediction?.kind !== 'raw') throw new Error(`row ${i}: ${prediction?.kind}`);
        expect(prediction.outputs.probs!.shape).to.deep.equal([4]);
        expect(prediction.outputs.grid!.shape).to.deep.equal([2, 3]);
        expect(prediction.outputs.probs!.data).to.be.instanceOf(Float32Array);
        expect(maxDiff(prediction.outputs.probs!.data, p[i]!)).to.be.below(1e-6);
        expect(maxDiff(prediction.outputs.grid!.data, g[i]!.flat())).to.be.below(1e-6);
      });
      // The int32 input matters: another id changes the output.
      expect(maxDiff(p[0]!, p[1]!)).to.be.above(1e-4);
      await loaded.dispose();
      model.dispose();
    });
  }

  it('detection: boxes above the score threshold after NMS equal tf.image.nonMaxSuppression on the best non-background class', async () => {
    await tf.setBackend('cpu');
    const model = detector();
    const rows = Array.from({ length: 4 }, (_, r) => Object.fromEntries(Array.from({ length: 5 }, (_, c) => [`x${c}`, Math.sin(r * 5 + c) * 3])));
    const spec = {
      kind: 'detection',
      outputs: [
        { name: 'boxes', shape: [6, 4] },
        { name: 'scores', shape: [6, 3] },
      ],
      boxes: 'boxes',
      scores: 'scores',
      labels: ['none', 'cat', 'dog'],
      background: 0,
      scoreThreshold: 0.2,
      iouThreshold: 0.3,
      maxDetections: 4,
    };
    const files = await bundle(model, ['x0', 'x1', 'x2', 'x3', 'x4'], { model: { format: 'layers-model', entry: 'model.json' }, output: spec });
    const loaded = await loadModel({ files, backend: 'cpu', remember: false });
    const { predictions } = await loaded.predictBatch(rows);
    let found = 0;
    for (let r = 0; r < rows.length; r++) {
      const x = tf.tensor2d([Object.values(rows[r]!)]);
      const [b, s] = model.predict(x) as tf.Tensor[];
      const boxes = (await b!.array()) as number[][][];
      const scores = (await s!.array()) as number[][][];
      const best = scores[0]!.map((c) => Math.max(c[1]!, c[2]!));
      const cls = scores[0]!.map((c) => (c[2]! > c[1]! ? 2 : 1));
      const kept = await tf.image.nonMaxSuppressionAsync(tf.tensor2d(boxes[0]!), tf.tensor1d(best), 4, 0.3, 0.2);
      const keptIdx = Array.from(await kept.data());
      tf.dispose([x, b!, s!, kept]);
      const p = predictions[r];
      if (p?.kind !== 'detection') throw new Error(`row ${r}: ${p?.kind}`);
      expect(
        p.detections.map((d) => d.label),
        `row ${r}`,
      ).to.deep.equal(keptIdx.map((i) => ['none', 'cat', 'dog'][cls[i]!]));
      p.detections.forEach((d, k) => {
        expect(maxDiff(d.box, boxes[0]![keptIdx[k]!]!)).to.be.below(1e-6);
        expect(Math.abs(d.score - best[keptIdx[k]!]!)).to.be.below(1e-6);
        // No image column: which image a box refers to is unknown, so no box in source pixels.
        expect(d.sourceBox).to.equal(undefined);
      });
      found += keptIdx.length;
    }
    // Not vacuous: some boxes pass the threshold and some are suppressed or dropped.
    expect(found).to.be.above(0);
    expect(found).to.be.below(rows.length * 6);
    await loaded.dispose();
    model.dispose();
  });

  it('detection with nms "per-class": equal to tf.image.nonMaxSuppression run per class, merged best first and capped at maxDetections', async () => {
    await tf.setBackend('cpu');
    const model = detector();
    const rows = Array.from({ length: 8 }, (_, r) => Object.fromEntries(Array.from({ length: 5 }, (_, c) => [`x${c}`, Math.sin(r * 7 + c) * 3])));
    const spec = (nms: boolean | 'per-class') => ({
      kind: 'detection',
      outputs: [
        { name: 'boxes', shape: [6, 4] },
        { name: 'scores', shape: [6, 3] },
      ],
      boxes: 'boxes',
      scores: 'scores',
      labels: ['none', 'cat', 'dog'],
      background: 0,
      scoreThreshold: 0.1,
      iouThreshold: 0.05,
      maxDetections: 5,
      nms,
    });
    const load = async (nms: boolean | 'per-class') =>
      loadModel({
        files: await bundle(model, ['x0', 'x1', 'x2', 'x3', 'x4'], { model: { format: 'layers-model', entry: 'model.json' }, output: spec(nms) }),
        backend: 'cpu',
        remember: false,
      });
    const [perClass, agnostic] = await Promise.all([load('per-class'), load(true)]);
    const [{ predictions }, { predictions: plain }] = await Promise.all([perClass.predictBatch(rows), agnostic.predictBatch(rows)]);
    let more = 0;
    for (let r = 0; r < rows.length; r++) {
      const x = tf.tensor2d([Object.values(rows[r]!)]);
      const [b, s] = model.predict(x) as tf.Tensor[];
      const boxes = ((await b!.array()) as number[][][])[0]!;
      const scores = ((await s!.array()) as number[][][])[0]!;
      tf.dispose([x, b!, s!]);
      const best = scores.map((c) => Math.max(c[1]!, c[2]!));
      const cls = scores.map((c) => (c[2]! > c[1]! ? 2 : 1));
      // tfjs's own NMS on each class's boxes, indices mapped back, merged by score (ties: lower index), capped.
      const merged: number[] = [];
      for (const c of [1, 2]) {
        const mine = cls.flatMap((k, i) => (k === c ? [i] : []));
        if (mine.length === 0) continue;
        const kept = await tf.image.nonMaxSuppressionAsync(tf.tensor2d(mine.map((i) => boxes[i]!)), tf.tensor1d(mine.map((i) => best[i]!)), 5, 0.05, 0.1);
        for (const k of await kept.data()) merged.push(mine[k]!);
        kept.dispose();
      }
      merged.sort((a, b) => best[b]! - best[a]! || a - b);
      const expected = merged.slice(0, 5);
      const p = predictions[r];
      if (p?.kind !== 'detection') throw new Error(`row ${r}: ${p?.kind}`);
      expect(
        p.detections.map((d) => d.label),
        `row ${r}`,
      ).to.deep.equal(expected.map((i) => ['none', 'cat', 'dog'][cls[i]!]));
      p.detections.forEach((d, k) => {
        expect(maxDiff(d.box, boxes[expected[k]!]!)).to.be.below(1e-6);
        expect(Math.abs(d.score - best[expected[k]!]!)).to.be.below(1e-6);
      });
      const q = plain[r];
      if (q?.kind !== 'detection') throw new Error(`row ${r}: ${q?.kind}`);
      more += p.detections.length - q.detections.length;
    }
    // Not vacuous: per class keeps boxes that class-agnostic NMS suppresses (a cat over a dog).
    expect(more).to.be.above(0);
    await Promise.all([perClass.dispose(), agnostic.dispose()]);
    model.dispose();
  });

  it('refuses with MANIFEST_INVALID when the manifest does not describe the model', async () => {
    await tf.setBackend('cpu');
    const model = twoByTwo();
    const noInputs = await bundle(model, COLUMNS, {
      model: { format: 'layers-model', entry: 'model.json' },
      output: {
        kind: 'raw',
        outputs: [
          { name: 'probs', shape: [4] },
          { name: 'grid', shape: [2, 3] },
        ],
      },
    });
    const e1 = await rejectionOf(loadModel({ files: noInputs, backend: 'cpu', remember: false }));
    expect(e1.code).to.equal('MANIFEST_INVALID');
    expect(e1.message).to.match(/2 inputs \(features, ids\); list them in the manifest's model.inputs/);
    const wrongOutputs = await bundle(model, COLUMNS, {
      model: {
        format: 'layers-model',
        entry: 'model.json',
        inputs: [
          { name: 'features', shape: [3] },
          { name: 'ids', shape: [2], dtype: 'int32' },
        ],
      },
      output: { kind: 'raw', outputs: [{ name: 'probs', shape: [4] }] },
    });
    const e2 = await rejectionOf(loadModel({ files: wrongOutputs, backend: 'cpu', remember: false }));
    expect(e2.code).to.equal('MANIFEST_INVALID');
    expect(e2.message).to.match(/describes 1 outputs but the model returns 2/);
    model.dispose();
  });
});
