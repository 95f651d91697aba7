// Real-size converter-made models from npm: nsfwjs's MobileNetV2 at 224×224×3, as a layers model
// and as a graph model (files unwrapped from the package's JavaScript wrappers by the test
// server, test/server/npm-models.mjs). Loaded through loadModel with a compact image schema
// (formatVersion 2) on wasm and cpu; outputs equal raw tfjs on the same backend (1e-4). On webgpu
// (SwiftShader) they equal raw tfjs on cpu within 1e-3.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs-core';
import * as tfc from '@tensorflow/tfjs-converter';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadModel } from '../../src/load-model.js';
import { WASM, maxDiff } from './helpers.js';

const BASE = '/__npm-models/nsfwjs/';
const LABELS = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'];
const hex = async (bytes: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))].map((b) => b.toString(16).padStart(2, '0')).join('');
const bytesOf = async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer());
const utf8 = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** A bundle in memory: the unwrapped model files, a 224×224×3 image schema (÷255, as nsfwjs does) and a manifest. */
async function bundle(name: string, format: 'layers-model' | 'graph-model'): Promise<Map<string, Uint8Array>> {
  const json = JSON.parse(new TextDecoder().decode(await bytesOf(`${BASE}${name}/model.json`))) as { weightsManifest: Array<{ paths: string[] }> };
  const files = new Map<string, Uint8Array>([['model.json', utf8(json)]]);
  for (const path of json.weightsManifest.flatMap((g) => g.paths)) files.set(path, await bytesOf(`${BASE}${name}/${path}`));
  const schema = {
    formatVersion: 2,
    columns: [{ name: 'image', type: 'image', steps: [{ kind: 'image', width: 224, height: 224, channels: 3, scale: [1 / 255], offset: [0] }] }],
    features: [{ column: 'image', count: 150528 }],
    width: 150528,
  };
  files.set('schema.json', utf8(schema));
  const manifest = {
    formatVersion: 1,
    name,
    version: '4.4.0',
    createdAt: '2026-01-01T00:00:00.000Z',
    model: { format, entry: 'model.json' },
    files: await Promise.all([...files].map(async ([path, bytes]) => ({ path, bytes: bytes.byteLength, sha256: await hex(bytes) }))),
    schema: 'schema.json',
    output: { kind: 'classification', labels: LABELS },
  };
  files.set('manifest.json', utf8(manifest));
  return files;
}

/** A deterministic 224×224 picture. */
function picture(seed: number): ImageData {
  const data = new Uint8ClampedArray(224 * 224 * 4);
  for (let i = 0; i < data.length; i++) data[i] = i % 4 === 3 ? 255 : (Math.imul(i, 2654435761 + seed) >>> 24) ^ (((i >> 9) * seed) & 255);
  return new ImageData(data, 224, 224);
}

describe('runtime: MobileNetV2 224×224×3 from npm (nsfwjs), layers and graph', () => {
  before(() => setWasmPaths(WASM));

  for (const [name, format] of [
    ['mobilenet_v2', 'layers-model'],
    ['mobilenet_v2_mid', 'graph-model'],
  ] as const)
    for (const backend of ['wasm', 'cpu'] as const)
      it(`${name} (${format}) equals raw tfjs on ${backend}`, async () => {
        const files = await bundle(name, format);
        const model = await loadModel({ files, backend, wasmPaths: WASM, remember: false, golden: false });
        expect(model.info.backend).to.equal(backend);
        expect(model.info.features).to.deep.equal([{ column: 'image', count: 150528 }]);
        const images = [picture(1), picture(2)];
        const ours = await model.predictBatch(images.map((image) => ({ image })));

        await tf.setBackend(backend);
        const url = `${BASE}${name}/model.json`;
        const direct = format === 'layers-model' ? await tfl.loadLayersModel(url) : await tfc.loadGraphModel(url);
        const x = tf.tidy(() => tf.div(tf.cast(tf.stack(images.map((img) => tf.browser.fromPixels(img, 3))), 'float32'), 255));
        const y = (format === 'layers-model' ? (direct as tfl.LayersModel).predict(x) : (direct as tfc.GraphModel).execute(x)) as tf.Tensor;
        const expected = (await y.array()) as number[][];
        tf.dispose([x, y]);
        direct.dispose();
        expect(ours.issues).to.deep.equal([]);
        ours.predictions.forEach((p, i) => expect(maxDiff(p!.raw, expected[i]!), `image ${i}`).to.be.below(1e-4));
        expect(maxDiff(expected[0]!, expected[1]!), 'different pictures, different outputs').to.be.above(1e-4);
        await model.dispose();
      });

  // WebGPU (SwiftShader here) computes in its own order: against raw tfjs on cpu, within 1e-3.
  // One image: the pipelines warm-up compiled are for one row, and every new batch size compiles
  // its own (a 2-image batch took over 60 s more per model here). Measured under load: 36 s
  // (layers) and 46 s (graph) per test, most of it the warm-up's shader compilation.
  for (const [name, format] of [
    ['mobilenet_v2', 'layers-model'],
    ['mobilenet_v2_mid', 'graph-model'],
  ] as const)
    it(`${name} (${format}) on webgpu equals raw tfjs on cpu within 1e-3`, async function () {
      this.timeout(120_000);
      const model = await loadModel({ files: await bundle(name, format), backend: 'webgpu', remember: false, golden: false });
      expect(model.info.backend).to.equal('webgpu');
      expect(model.info.timings.warmupMs, 'pipelines compiled at load').to.be.above(0);
      const image = picture(1);
      const ours = await model.predict({ image });
      await model.dispose();

      await tf.setBackend('cpu');
      const url = `${BASE}${name}/model.json`;
      const direct = format === 'layers-model' ? await tfl.loadLayersModel(url) : await tfc.loadGraphModel(url);
      const x = tf.tidy(() => tf.div(tf.cast(tf.expandDims(tf.browser.fromPixels(image, 3)), 'float32'), 255));
      const y = (format === 'layers-model' ? (direct as tfl.LayersModel).predict(x) : (direct as tfc.GraphModel).execute(x)) as tf.Tensor;
      const expected = ((await y.array()) as number[][])[0]!;
      tf.dispose([x, y]);
      direct.dispose();
      expect(maxDiff(ours.raw, expected)).to.be.below(1e-3);
      expect(ours.kind === 'classification' && ours.label).to.equal(LABELS[expected.indexOf(Math.max(...expected))]);
    });
});
