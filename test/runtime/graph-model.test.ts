import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs-core';
import * as tfc from '@tensorflow/tfjs-converter';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadModel } from '../../src/load-model.js';
import { WASM, maxDiff } from './helpers.js';

// A converter-made graph model shipped in a public npm package: the liveness classifier in
// @vladmandic/human (MIT), model.json ("format": "graph-model") + one weight shard.
const DIR = '/node_modules/@vladmandic/human/models/';

const hex = async (bytes: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))].map((b) => b.toString(16).padStart(2, '0')).join('');
const bytesOf = async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer());

/** The npm package's files plus a schema (32×32 RGB pixels scaled to 0..1) and a manifest: a bundle in memory. */
async function bundleFiles(): Promise<Map<string, Uint8Array>> {
  const schema = {
    formatVersion: 1,
    columns: [{ name: 'face', type: 'image', steps: [{ kind: 'image', width: 32, height: 32, channels: 3, scale: [1 / 255], offset: [0] }] }],
    features: Array.from({ length: 32 * 32 * 3 }, (_, i) => `face_${i}`),
    width: 32 * 32 * 3,
  };
  const files = new Map<string, Uint8Array>([
    ['liveness.json', await bytesOf(`${DIR}liveness.json`)],
    ['liveness.bin', await bytesOf(`${DIR}liveness.bin`)],
    ['schema.json', new TextEncoder().encode(JSON.stringify(schema))],
  ]);
  const manifest = {
    formatVersion: 1,
    name: 'liveness',
    version: '3.3.6',
    createdAt: '2026-01-01T00:00:00.000Z',
    model: { format: 'graph-model', entry: 'liveness.json' },
    files: await Promise.all([...files].map(async ([path, bytes]) => ({ path, bytes: bytes.byteLength, sha256: await hex(bytes) }))),
    schema: 'schema.json',
    output: { kind: 'classification', labels: ['fake', 'real'] },
  };
  files.set('manifest.json', new TextEncoder().encode(JSON.stringify(manifest)));
  return files;
}

/** Deterministic 32×32 RGBA pixels. */
function image(seed: number): ImageData {
  const data = new Uint8ClampedArray(32 * 32 * 4);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + seed * 97 + (i >> 7) * 13) % 256;
  return new ImageData(data, 32, 32);
}

/** The liveness model's outputs for `images` from raw tfjs loading on `backend` (pixels ÷ 255). */
async function direct(backend: string, images: ImageData[]): Promise<number[][]> {
  await tf.setBackend(backend);
  const graph = await tfc.loadGraphModel(`${DIR}liveness.json`);
  const x = tf.tidy(() => tf.div(tf.cast(tf.stack(images.map((img) => tf.browser.fromPixels(img, 3))), 'float32'), 255));
  const y = graph.execute(x) as tf.Tensor;
  const expected = (await y.array()) as number[][];
  tf.dispose([x, y]);
  graph.dispose();
  return expected;
}

describe('runtime: a converter-made graph model from an npm package', () => {
  before(() => setWasmPaths(WASM));

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`loads through the SDK's loader and equals direct tfjs loading (${backend})`, async () => {
      const model = await loadModel({ files: await bundleFiles(), backend, wasmPaths: WASM, remember: false });
      expect(model.info).to.include({ backend, source: 'local', lean: false });
      const images = [image(1), image(2), image(3)];
      const ours = await model.predictBatch(images.map((face) => ({ face })));

      const expected = await direct(backend, images);

      expect(ours.issues).to.deep.equal([]);
      ours.predictions.forEach((p, i) => expect(maxDiff(p!.raw, expected[i]!), `image ${i}`).to.be.below(1e-5));
      // Different inputs, different outputs: the comparison is not vacuous.
      expect(maxDiff(expected[0]!, expected[1]!)).to.be.greaterThan(1e-4);
      await model.dispose();
    });
  }

  // On webgpu (SwiftShader here): the load warms the pipelines up, and the outputs equal raw tfjs
  // on cpu within 1e-3 (webgpu sums in its own order).
  it('on webgpu equals direct tfjs on cpu within 1e-3', async () => {
    const model = await loadModel({ files: await bundleFiles(), backend: 'webgpu', remember: false });
    expect(model.info.backend).to.equal('webgpu');
    expect(model.info.timings.warmupMs, 'pipelines compiled at load').to.be.above(0);
    const images = [image(1), image(2), image(3)];
    const ours = await model.predictBatch(images.map((face) => ({ face })));
    const memory = await model.memory();
    await model.dispose();

    const expected = await direct('cpu', images);
    expect(ours.issues).to.deep.equal([]);
    ours.predictions.forEach((p, i) => expect(maxDiff(p!.raw, expected[i]!), `image ${i}`).to.be.below(1e-3));
    expect(maxDiff(expected[0]!, expected[1]!)).to.be.greaterThan(1e-3);
    expect(memory.gpuBytes, 'the weights lived on the GPU').to.be.above(0);
  });
});
