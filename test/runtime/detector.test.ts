// A real converter-made SSD detector from an npm package: handtrack (TF Object Detection API,
// shipped in @vladmandic/human, MIT): one uint8 input declared [1, -1, -1, 3] (dynamic size, batch
// fixed at 1), eight outputs, control flow and NMS inside (GraphModel.execute refuses it, so
// ferryml runs it through executeAsync). Loaded through loadModel with a `detection` output on
// wasm and cpu; its packed outputs equal raw tfjs on the same backend, and its detections equal the
// model's own post-processed boxes, scores and classes. On webgpu (SwiftShader) every output equals
// raw tfjs on cpu within 1e-3, and the detections are cpu's.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs-core';
import * as tfc from '@tensorflow/tfjs-converter';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadModel } from '../../src/load-model.js';
import { WASM, maxDiff } from './helpers.js';

const DIR = '/node_modules/@vladmandic/human/models/';
// The model takes any size; a small one keeps the cpu run short.
const SIZE = 128;
const hex = async (bytes: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))].map((b) => b.toString(16).padStart(2, '0')).join('');
const bytesOf = async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer());
const utf8 = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** A deterministic picture: a skin-toned blob on a patterned background. */
function picture(): ImageData {
  const data = new Uint8ClampedArray(SIZE * SIZE * 4);
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      const i = 4 * (y * SIZE + x);
      const inBlob = (x - 64) ** 2 / 900 + (y - 70) ** 2 / 1600 < 1;
      data[i] = inBlob ? 224 : (x * 7) % 256;
      data[i + 1] = inBlob ? 172 : (y * 5) % 256;
      data[i + 2] = inBlob ? 140 : ((x + y) * 3) % 256;
      data[i + 3] = 255;
    }
  return new ImageData(data, SIZE, SIZE);
}

/** The npm files, a SIZE×SIZE RGB schema and a manifest with a `detection` output over `outputs`: a bundle in memory. */
async function files(outputs: Array<{ name: string; shape: number[] }>): Promise<Map<string, Uint8Array>> {
  const schema = {
    formatVersion: 2,
    columns: [{ name: 'image', type: 'image', steps: [{ kind: 'image', width: SIZE, height: SIZE, channels: 3, scale: [1], offset: [0] }] }],
    features: [{ column: 'image', count: SIZE * SIZE * 3 }],
    width: SIZE * SIZE * 3,
  };
  const map = new Map<string, Uint8Array>([
    ['model.json', await bytesOf(`${DIR}handtrack.json`)],
    ['handtrack.bin', await bytesOf(`${DIR}handtrack.bin`)],
    ['schema.json', utf8(schema)],
  ]);
  const detection = {
    kind: 'detection',
    outputs,
    boxes: 'Identity_1',
    scores: 'Identity_4',
    classes: 'Identity_2',
    scoreThreshold: 0.02,
    nms: false,
    maxDetections: 100,
  };
  const manifest = {
    formatVersion: 1,
    name: 'handtrack',
    version: '1.0.0',
    createdAt: '2026-01-01T00:00:00.000Z',
    model: { format: 'graph-model', entry: 'model.json', inputs: [{ name: 'input_tensor', shape: [SIZE, SIZE, 3], dtype: 'int32' }] },
    files: await Promise.all([...map].map(async ([path, bytes]) => ({ path, bytes: bytes.byteLength, sha256: await hex(bytes) }))),
    schema: 'schema.json',
    output: detection,
  };
  map.set('manifest.json', utf8(manifest));
  return map;
}

/** The detector run by raw tfjs `executeAsync` on `backend` on a {@link picture} (returned): output names and shapes, their values, and `at(name)`. */
async function rawOutputs(backend: string) {
  await tf.setBackend(backend);
  const direct = await tfc.loadGraphModel(`${DIR}handtrack.json`);
  const img = picture();
  const x = tf.tidy(() => tf.expandDims(tf.cast(tf.browser.fromPixels(img, 3), 'int32'), 0));
  const ys = (await direct.executeAsync(x)) as tf.Tensor[];
  const names = direct.outputs.map((o) => o.name);
  const outputs = ys.map((y, i) => ({ name: names[i]!, shape: y.shape.slice(1) }));
  const expected = await Promise.all(ys.map(async (y) => Array.from(await y.data())));
  tf.dispose([x, ...ys]);
  direct.dispose();
  return { img, outputs, expected, at: (name: string) => expected[names.indexOf(name)]! };
}

describe('runtime: an SSD detector from npm (handtrack: uint8 dynamic-shape input, 8 outputs, control flow)', () => {
  before(() => setWasmPaths(WASM));

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`equals raw tfjs executeAsync, and its detections equal the model's own post-processing (${backend})`, async () => {
      const { img, outputs, expected, at } = await rawOutputs(backend);

      const model = await loadModel({ files: await files(outputs), backend, wasmPaths: WASM, remember: false });
      expect(model.info.backend).to.equal(backend);
      expect(model.info.leanReason).to.match(/executeAsync/);
      const p = await model.predict({ image: img });
      if (p.kind !== 'detection') throw new Error(p.kind);
      // Every output, packed per row, equals raw tfjs on the same backend.
      expect(maxDiff(p.raw, expected.flat())).to.be.below(1e-4);
      // The model's own decoding: its post-NMS boxes, scores and classes above the threshold, best first.
      const scores = at('Identity_4');
      const own = scores.map((s, i) => ({ s, i })).filter(({ s }) => s > 0.02);
      // tfjs's wasm backend finds no boxes in this model's own post-processing (num_detections 0,
      // raw tfjs and ferryml alike; its raw anchors and scores agree with cpu): there the detection
      // list is empty on both sides, and only cpu proves the decoding on real boxes.
      if (backend === 'cpu') expect(own.length, 'some boxes pass the threshold, not all').to.be.within(1, 99);
      else expect(at('Identity_5')[0]).to.equal(0);
      expect(p.detections).to.have.length(own.length);
      p.detections.forEach((d, k) => {
        const i = own[k]!.i;
        expect(d.score).to.be.closeTo(scores[i]!, 1e-6);
        // Class ids arrive as floats (1.988… seen on cpu): rounded to the nearest index.
        expect(d.class).to.equal(Math.round(at('Identity_2')[i]!));
        expect(maxDiff(d.box, at('Identity_1').slice(4 * i, 4 * i + 4))).to.be.below(1e-6);
      });
      // Two calls at once are batched into one engine call and still run one row per model call.
      const [a, b] = await Promise.all([model.predict({ image: img }), model.predict({ image: img })]);
      expect(maxDiff(a.raw, p.raw)).to.equal(0);
      expect(maxDiff(b.raw, p.raw)).to.equal(0);
      await model.dispose();
    });
  }

  // WebGPU (SwiftShader here) against raw tfjs on cpu: 1e-3, and the same detections. Measured
  // under load: ~2 s for the cpu reference, ~28 s to load (the warm-up compiling its pipelines),
  // ~16 s for the first call (executeAsync's data-dependent shapes compile more).
  it('on webgpu: every output equals raw tfjs on cpu within 1e-3, and so do the detections', async function () {
    this.timeout(120_000);
    const { img, outputs, expected, at } = await rawOutputs('cpu');

    const model = await loadModel({ files: await files(outputs), backend: 'webgpu', remember: false });
    expect(model.info.backend).to.equal('webgpu');
    expect(model.info.timings.warmupMs, 'pipelines compiled at load').to.be.above(0);
    const p = await model.predict({ image: img });
    await model.dispose();
    if (p.kind !== 'detection') throw new Error(p.kind);
    expect(maxDiff(p.raw, expected.flat())).to.be.below(1e-3);
    // cpu's post-processed boxes (see the cpu test): the same ones, in the same order.
    const scores = at('Identity_4');
    const own = scores.map((s, i) => ({ s, i })).filter(({ s }) => s > 0.02);
    expect(own.length, 'some boxes pass the threshold, not all').to.be.within(1, 99);
    expect(p.detections).to.have.length(own.length);
    p.detections.forEach((d, k) => {
      const i = own[k]!.i;
      expect(d.score).to.be.closeTo(scores[i]!, 1e-3);
      expect(d.class).to.equal(Math.round(at('Identity_2')[i]!));
      expect(maxDiff(d.box, at('Identity_1').slice(4 * i, 4 * i + 4))).to.be.below(1e-3);
    });
  });
});
