// The fused conv path (src/runtime/lean-conv.ts) against LayersModel.predict on cpu and wasm:
// a MobileNet-style block graph (ZeroPadding2D into a 'valid' stride-2 conv, BatchNormalization
// folded, ReLU6 fused, a depthwise conv with a multiplier, a residual Add, pooling, Dense), a
// conv whose activation cannot be fused, a layer it has no form for (the reason names it), and
// loadModel choosing the fused way for a conv bundle and freeing its folded weights on dispose.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { readConvGraph } from '../../src/runtime/lean-conv.js';
import { loadModel } from '../../src/load-model.js';
import { bn, rnd } from '../support/conv-layers.js';
import { WASM, maxDiff } from './helpers.js';

const sym = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]) => layer.apply(x) as tfl.SymbolicTensor;

/** A MobileNetV2-style graph on an 11×11×3 input. */
function blocks(): tfl.LayersModel {
  const input = tfl.input({ shape: [11, 11, 3] });
  let x = sym(
    tfl.layers.zeroPadding2d({
      padding: [
        [0, 1],
        [1, 0],
      ],
    }),
    input,
  );
  x = sym(tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid', useBias: false, kernelInitializer: rnd(1) }), x);
  x = sym(tfl.layers.reLU({ maxValue: 6 }), sym(bn(10), x));
  const skip = x;
  let y = sym(
    tfl.layers.zeroPadding2d({
      padding: [
        [1, 1],
        [1, 1],
      ],
    }),
    x,
  );
  y = sym(tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'valid', depthMultiplier: 2, useBias: false, depthwiseInitializer: rnd(2) }), y);
  y = sym(tfl.layers.reLU({ maxValue: 6 }), sym(bn(20), y));
  y = sym(tfl.layers.conv2d({ filters: 8, kernelSize: 1, padding: 'same', kernelInitializer: rnd(3), biasInitializer: rnd(4) }), y);
  x = sym(tfl.layers.add(), [skip, sym(bn(30), y)]);
  // A BatchNormalization after a conv with its own activation stays a batchNorm op.
  x = sym(tfl.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh', kernelInitializer: rnd(5) }), x);
  x = sym(bn(40), x);
  x = sym(tfl.layers.reLU({ maxValue: 4 }), x);
  x = sym(tfl.layers.averagePooling2d({ poolSize: [3, 3], strides: [3, 3] }), x);
  x = sym(tfl.layers.flatten(), x);
  x = sym(tfl.layers.dropout({ rate: 0.5 }), x);
  return tfl.model({ inputs: input, outputs: sym(tfl.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: rnd(6) }), x) });
}

const input = () =>
  tf.tensor4d(
    Float32Array.from({ length: 3 * 11 * 11 * 3 }, (_, i) => Math.sin(i * 0.37) * 2),
    [3, 11, 11, 3],
  );

describe('runtime: fused conv ops (lean-conv)', () => {
  before(() => setWasmPaths(WASM));

  for (const backend of ['cpu', 'wasm'] as const)
    it(`equals LayersModel.predict on ${backend} (pads, folded BatchNorm, ReLU6, depthwise, Add, pooling, Dense)`, async () => {
      await tf.setBackend(backend);
      const model = blocks();
      const graph = readConvGraph(model);
      if (!('forward' in graph)) throw new Error(graph.reason);
      expect(graph.convs).to.equal(4);
      expect(graph.folded).to.equal(3);
      const x = input();
      const before = tf.memory().numTensors;
      const want = (model.predict(x) as tf.Tensor).dataSync();
      const y = tf.tidy(() => graph.forward(x));
      expect(tf.memory().numTensors - before).to.equal(2, 'only the two outputs remain');
      expect(maxDiff(y.dataSync(), want)).to.be.below(1e-5);
      tf.dispose([x, y]);
      tf.dispose(graph.weights);
      model.dispose();
    });

  it('a Dense on a feature map (rank 4) acts on the last axis, as the layer does', async () => {
    await tf.setBackend('cpu');
    const input = tfl.input({ shape: [6, 6, 2] });
    let x = sym(tfl.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', kernelInitializer: rnd(7) }), input);
    x = sym(tfl.layers.dense({ units: 5, activation: 'relu6', kernelInitializer: rnd(8) }), x);
    x = sym(tfl.layers.globalAveragePooling2d({}), x);
    const model = tfl.model({ inputs: input, outputs: sym(tfl.layers.dense({ units: 2, kernelInitializer: rnd(9) }), x) });
    const graph = readConvGraph(model);
    if (!('forward' in graph)) throw new Error(graph.reason);
    const x4 = tf.tensor4d(
      Float32Array.from({ length: 2 * 72 }, (_, i) => Math.cos(i)),
      [2, 6, 6, 2],
    );
    const want = tf.tidy(() => (model.predict(x4) as tf.Tensor).dataSync());
    expect(
      maxDiff(
        tf.tidy(() => graph.forward(x4).dataSync()),
        want,
      ),
    ).to.be.below(1e-5);
    x4.dispose();
    model.dispose();
  });

  it('names the layer it has no fused form for', () => {
    const input = tfl.input({ shape: [8, 8, 1] });
    const x = sym(tfl.layers.conv2d({ filters: 2, kernelSize: 3 }), input);
    const model = tfl.model({ inputs: input, outputs: sym(tfl.layers.upSampling2d({ size: [2, 2], name: 'up_here' }), x) });
    const graph = readConvGraph(model);
    expect('reason' in graph && graph.reason).to.match(/layer up_here \(UpSampling2D\)/);
    model.dispose();
  });

  it('loadModel runs a conv bundle through the fused way, equal to predict, and frees its folded weights on dispose', async () => {
    await tf.setBackend('cpu');
    const model = blocks();
    const files = new Map<string, Uint8Array>();
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        files.set('group1-shard1of1.bin', new Uint8Array(a.weightData as ArrayBuffer));
        const json = { format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }] };
        files.set('model.json', new TextEncoder().encode(JSON.stringify(json)));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const schema = {
      formatVersion: 2,
      columns: [{ name: 'x', type: 'image', steps: [{ kind: 'image', width: 11, height: 11, channels: 3, scale: [1 / 64], offset: [-2] }] }],
      features: [{ column: 'x', count: 363 }],
      width: 363,
    };
    files.set('schema.json', new TextEncoder().encode(JSON.stringify(schema)));
    const hex = async (b: Uint8Array) =>
      [...new Uint8Array(await crypto.subtle.digest('SHA-256', b as Uint8Array<ArrayBuffer>))].map((v) => v.toString(16).padStart(2, '0')).join('');
    const manifest = {
      formatVersion: 1,
      name: 'blocks',
      version: '1.0.0',
      createdAt: '2026-01-01T00:00:00.000Z',
      model: { format: 'layers-model', entry: 'model.json' },
      files: await Promise.all([...files].map(async ([path, bytes]) => ({ path, bytes: bytes.byteLength, sha256: await hex(bytes) }))),
      schema: 'schema.json',
      output: { kind: 'classification', labels: ['a', 'b', 'c', 'd'] },
    };
    files.set('manifest.json', new TextEncoder().encode(JSON.stringify(manifest)));
    const before = tf.memory().numTensors;
    const ferry = await loadModel({ files, backend: 'cpu', remember: false, golden: false });
    expect(ferry.info.lean).to.equal('fused-ops');
    expect(ferry.info.leanReason).to.match(/fused conv ops: 4 convolutions, 3 BatchNormalizations folded/);
    const pixels = Array.from({ length: 363 }, (_, i) => (i * 37) % 256);
    const p = await ferry.predict({ x: pixels });
    const want = tf.tidy(() =>
      (
        model.predict(
          tf.tensor4d(
            pixels.map((v) => v / 64 - 2),
            [1, 11, 11, 3],
          ),
        ) as tf.Tensor
      ).dataSync(),
    );
    expect(maxDiff(p.raw, want)).to.be.below(1e-5);
    await ferry.dispose();
    expect(tf.memory().numTensors).to.equal(before, 'nothing of the loaded model is left');
    model.dispose();
  });
});
