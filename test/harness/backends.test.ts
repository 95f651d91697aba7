import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

// Proves the harness: one small model, run for real on each backend Chromium offers here.
describe('harness: one model on webgpu, wasm and cpu', () => {
  const x = [
    [0.1, -0.2, 0.3, 0.5],
    [1.5, 0.25, -0.75, 2],
    [-1, -1, 1, 1],
  ];
  let model: tfl.Sequential;
  let reference: number[];

  before(async () => {
    setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
    expect(await tf.setBackend('cpu')).to.equal(true);
    model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [4], units: 8, activation: 'relu', kernelInitializer: 'glorotUniform', biasInitializer: 'ones' }),
        tfl.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    reference = Array.from((model.predict(tf.tensor2d(x)) as tf.Tensor).dataSync());
  });

  for (const backend of ['cpu', 'wasm', 'webgpu'] as const) {
    it(`runs on ${backend} and matches cpu to 1e-5`, async () => {
      expect(await tf.setBackend(backend), `setBackend(${backend})`).to.equal(true);
      await tf.ready();
      expect(tf.getBackend()).to.equal(backend);
      const out = model.predict(tf.tensor2d(x)) as tf.Tensor;
      const got = Array.from(await out.data());
      out.dispose();
      expect(got).to.have.length(reference.length);
      got.forEach((v, i) => expect(Math.abs(v - reference[i]!), `output ${i}`).to.be.below(1e-5));
    });
  }
});
