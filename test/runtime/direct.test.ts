import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadModel } from '../../src/load-model.js';
import { DIRECT_ACTIVATIONS, DIRECT_MAX_MULTIPLY_ADDS, createDirect } from '../../src/runtime/direct.js';
import type { DirectKernel } from '../../src/runtime/direct.js';
import { readDenseChain, toDenseSteps } from '../../src/runtime/lean.js';
import { denseBundle, denseModel, rowsOf, values } from './dense-bundle.js';
import type { DenseSpec } from './dense-bundle.js';
import { WASM, maxDiff } from './helpers.js';

const ACTIVATIONS = ['relu', 'linear', 'sigmoid', 'tanh', 'softmax', 'elu', 'softplus', 'relu6', 'selu'];

/** Largest `|a − b| / max(1, |b|)`. */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).to.equal(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return m;
}

function kernelOf(model: tfl.LayersModel, width: number): DirectKernel {
  const chain = readDenseChain(model);
  if (!('steps' in chain)) throw new Error(chain.reason);
  const kernel = createDirect(toDenseSteps(chain.steps), width);
  if (!('run' in kernel)) throw new Error(kernel.reason);
  return kernel;
}

async function predicted(model: tfl.LayersModel, x: Float32Array, rows: number, width: number): Promise<Float32Array> {
  const y = tf.tidy(() => model.predict(tf.tensor2d(x, [rows, width])) as tf.Tensor);
  const data = (await y.data()) as Float32Array;
  y.dispose();
  return data;
}

const PENGUIN_ROWS = [
  { Island: 'Dream', 'Beak Length (mm)': '39.1', 'Beak Depth (mm)': 18.7, 'Flipper Length (mm)': 181, 'Body Mass (g)': 3750, Sex: 'MALE' },
  { Island: 'Biscoe', 'Beak Length (mm)': 46.5, 'Beak Depth (mm)': null, 'Flipper Length (mm)': 210, 'Body Mass (g)': 4500, Sex: '.' },
  { Island: 'Torgersen', 'Beak Length (mm)': 59, 'Beak Depth (mm)': 13, 'Flipper Length (mm)': 230, 'Body Mass (g)': 6000, Sex: 'FEMALE' },
];

describe('runtime: the direct kernel', () => {
  before(() => setWasmPaths(WASM));

  it('covers the activations the lean path supports', () => {
    expect([...DIRECT_ACTIVATIONS].sort()).to.deep.equal([...ACTIVATIONS].sort());
  });

  for (const backend of ['cpu', 'wasm', 'webgpu'] as const) {
    it(`equals tfjs predict on ${backend} for every activation, a softmax head and a regression head${backend === 'cpu' ? ' (bit for bit)' : ' (1e-5)'}`, async () => {
      expect(await tf.setBackend(backend)).to.equal(true);
      const width = 60; // over 48: tfjs cpu's matMul sums in blocks of 48, the kernel must too
      const rows = 33;
      const x = values(width * rows, 11, 3);
      const cases: Array<[string, DenseSpec[]]> = [
        ...ACTIVATIONS.map((a): [string, DenseSpec[]] => [
          a,
          [
            [24, a],
            [5, a],
          ],
        ]),
        [
          'softmax head',
          [
            [16, 'relu'],
            [3, 'softmax'],
          ],
        ],
        [
          'regression head',
          [
            [8, 'tanh'],
            [2, 'linear'],
          ],
        ],
      ];
      for (const [name, layers] of cases) {
        const model = denseModel(width, layers, 3);
        const ours = kernelOf(model, width).run(x, rows);
        const theirs = await predicted(model, x, rows, width);
        if (backend === 'cpu') expect(Array.from(ours), name).to.deep.equal(Array.from(theirs));
        else expect(relDiff(ours, theirs), name).to.be.at.most(1e-5);
        model.dispose();
      }
    });
  }

  it('runs Activation and identity layers in the chain, and never writes into its input', async () => {
    await tf.setBackend('cpu');
    const model = tfl.sequential({
      layers: [
        tfl.layers.activation({ activation: 'tanh', inputShape: [6] }),
        tfl.layers.dense({ units: 10, activation: 'linear' }),
        tfl.layers.dropout({ rate: 0.5 }),
        tfl.layers.activation({ activation: 'elu' }),
        tfl.layers.dense({ units: 3 }),
        tfl.layers.activation({ activation: 'softmax' }),
      ],
    });
    const x = values(6 * 4, 5, 2);
    const copy = Float32Array.from(x);
    const ours = kernelOf(model, 6).run(x, 4);
    expect(Array.from(x)).to.deep.equal(Array.from(copy));
    expect(Array.from(ours)).to.deep.equal(Array.from(await predicted(model, x, 4, 6)));
    model.dispose();
  });

  it('loadModel on cpu runs it and says so; wasm and webgpu run fused ops; all equal on the shipped penguins bundles', async () => {
    for (const version of ['1.0.0', '1.1.0']) {
      const dir = `/models/penguins/${version}/`;
      const { rows } = (await (await fetch(`${dir}golden.json`)).json()) as { rows: Array<Record<string, unknown>> };
      const all = [...rows, ...PENGUIN_ROWS];
      const outputs: Record<string, number[]> = {};
      for (const backend of version === '1.1.0' ? (['cpu', 'wasm', 'webgpu'] as const) : (['cpu', 'wasm'] as const)) {
        const model = await loadModel({ bundle: dir, backend, cache: false, remember: false, wasmPaths: WASM });
        if (backend === 'cpu') {
          expect(model.info.lean).to.equal('direct');
          expect(model.info.leanReason).to.match(/^direct kernel: 2 Dense layers, \d+ multiply-adds per row, plain JavaScript on the CPU$/);
        } else {
          expect(model.info.lean).to.equal('fused-ops');
          expect(model.info.leanReason).to.contain(`the direct kernel runs on the cpu backend, this is ${backend}`);
        }
        expect(model.info.goldenError).to.be.below(1e-4);
        const { predictions } = await model.predictBatch(all);
        outputs[backend] = predictions.flatMap((p) => (p ? Array.from(p.raw) : [NaN]));
        await model.dispose();
      }
      expect(outputs.cpu!.filter(Number.isNaN)).to.have.length(0);
      expect(maxDiff(outputs.wasm!, outputs.cpu!), `${version} wasm vs cpu`).to.be.below(1e-5);
      if (outputs.webgpu) expect(maxDiff(outputs.webgpu, outputs.cpu!), `${version} webgpu vs cpu`).to.be.below(1e-5);
    }
  });

  it('is not used for a model it does not fit, and model.info says why', async () => {
    await tf.setBackend('cpu');
    const load = async (name: string, model: tfl.LayersModel, width: number, extra: { lean?: boolean } = {}) => {
      const files = await denseBundle(name, model, width, rowsOf(width, 4));
      model.dispose();
      const loaded = await loadModel({ files, backend: 'cpu', remember: false, ...extra });
      const { lean, leanReason, goldenError } = loaded.info;
      await loaded.dispose();
      return { lean, leanReason, goldenError };
    };
    // 200×200 + 200×3 = 40,600 multiply-adds per row.
    const big = await load(
      'big',
      denseModel(200, [
        [200, 'relu'],
        [3, 'softmax'],
      ]),
      200,
    );
    expect(big.lean).to.equal('fused-ops');
    expect(big.leanReason).to.contain(`40600 multiply-adds per row, over the direct kernel's ${DIRECT_MAX_MULTIPLY_ADDS}`);
    expect(big.goldenError).to.be.below(1e-4);

    const hard = await load(
      'hard',
      denseModel(5, [
        [8, 'hardSigmoid'],
        [2, 'linear'],
      ]),
      5,
    );
    expect(hard.lean).to.equal('fused-ops');
    expect(hard.leanReason).to.match(/activation hardSigmoid has no direct kernel/);

    const leaky = tfl.sequential({ layers: [tfl.layers.dense({ units: 6, inputShape: [5] }), tfl.layers.leakyReLU(), tfl.layers.dense({ units: 2 })] });
    const chainless = await load('leaky', leaky, 5);
    expect(chainless.lean).to.equal(false);
    expect(chainless.leanReason).to.match(/^LayersModel\.predict: not a dense chain \(layer \S+ \(LeakyReLU\) is not Dense/);

    const off = await load(
      'off',
      denseModel(5, [
        [4, 'relu'],
        [2, 'linear'],
      ]),
      5,
      { lean: false },
    );
    expect(off).to.include({ lean: false, leanReason: 'LayersModel.predict (lean: false)' });

    const digits = await loadModel({ bundle: '/models/digits/1.0.0/', backend: 'cpu', cache: false, remember: false });
    expect(digits.info.lean).to.equal('fused-ops');
    expect(digits.info.leanReason).to.contain(`${784 * 64 + 64 * 10} multiply-adds per row, over the direct kernel's`);
    await digits.dispose();
  });

  it('leaks no tensor: predictions make none, dispose frees all the load made', async () => {
    const { rows } = (await (await fetch('/models/penguins/1.1.0/golden.json')).json()) as { rows: Array<Record<string, unknown>> };
    const options = { bundle: '/models/penguins/1.1.0/', cache: false as const, remember: false, wasmPaths: WASM };
    // A first load brings the backends up (their own one-time state), then every later one must clean up after itself.
    await (await loadModel({ ...options, backend: 'cpu' })).dispose();
    const before = tf.memory().numTensors;
    const model = await loadModel({ ...options, backend: 'cpu' });
    const loaded = tf.memory().numTensors;
    for (let i = 0; i < 200; i++) await model.predict(rows[i % rows.length]!);
    await Promise.all(Array.from({ length: 300 }, (_, i) => model.predict(rows[i % rows.length]!)));
    await model.predictBatch(rows);
    expect(tf.memory().numTensors).to.equal(loaded);
    await model.dispose();
    expect(tf.memory().numTensors).to.equal(before);
  });
});
