// No leaks: tfjs's tensor count, bytes and data buffers after 10,000 predictions equal those after
// the first batch, on webgpu (SwiftShader), wasm and cpu, for a model run by tfjs's own predict
// (lean: false) and one with several inputs and outputs; dispose() returns them to where they were
// before the load. The same in worker mode, counted in the worker (model.memory()). Batched calls
// (100 rows × 100) keep the test fast.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadModel } from '../../src/load-model.js';
import type { Model } from '../../src/runtime/model-types.js';
import { WASM, base, golden } from './helpers.js';
import { bundle, twoByTwo } from './io-bundle.js';

/** The worker entry as the test server serves it (TypeScript compiled on the fly). */
const WORKER = '/src/runtime/worker.ts';

const counts = () => {
  const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  return { tensors: m.numTensors, bytes: m.numBytes, buffers: m.numDataBuffers, gpu: m.numBytesInGPU ?? 0 };
};

async function tenThousand<C>(model: Model, rows: readonly Record<string, unknown>[], read: () => C | Promise<C>): Promise<{ first: C; last: C }> {
  const batch = Array.from({ length: 100 }, (_, i) => rows[i % rows.length]!);
  await model.predictBatch(batch);
  const first = await read();
  let predicted = 100;
  // Three calls at a time (33 rounds): the scheduler coalesces them, as an app's concurrent calls would be.
  while (predicted < 10_000) {
    const results = await Promise.all([0, 1, 2].map(() => model.predictBatch(batch)));
    predicted += results.reduce((n, r) => n + r.predictions.length, 0);
  }
  expect(predicted).to.equal(10_000);
  return { first, last: await read() };
}

describe('runtime: no tensor or GPU-buffer leaks', () => {
  for (const backend of ['webgpu', 'wasm', 'cpu'] as const) {
    it(`10,000 predictions leave tfjs's memory as after the first batch, and dispose() frees the model (${backend})`, async () => {
      const { rows } = await golden('mlp');
      const before = counts();
      const model = await loadModel(base('mlp', { backend, lean: false }));
      expect(model.info.backend).to.equal(backend);
      expect(model.info.timings.warmupMs, 'warm-up ran before the first call').to.be.above(0);
      const { first, last } = await tenThousand(model, rows, counts);
      expect(last).to.deep.equal(first);
      expect(first.tensors, 'the model holds its weights').to.be.above(before.tensors);
      await model.dispose();
      expect(counts().tensors).to.equal(before.tensors);
      expect(counts().bytes).to.equal(before.bytes);
    });
  }

  // Worker mode: the counts are the worker's, read with model.memory() over its message channel.
  for (const backend of ['webgpu', 'wasm', 'cpu'] as const) {
    it(`worker mode: 10,000 predictions leave the worker's tfjs memory as after the first batch; dispose() frees it all (${backend})`, async () => {
      const { rows } = await golden('mlp');
      const model = await loadModel(base('mlp', { backend, lean: false, worker: { url: WORKER } }));
      expect([model.info.worker, model.info.backend]).to.deep.equal([true, backend]);
      const memory = async () => {
        const { realm, tfjs, tensors, bytes, dataBuffers, gpuBytes } = await model.memory();
        expect([realm, tfjs]).to.deep.equal(['worker', true]);
        return { tensors, bytes, dataBuffers, gpuBytes };
      };
      const { first, last } = await tenThousand(model, rows, memory);
      expect(last).to.deep.equal(first);
      expect(first.tensors, 'the worker holds the weights').to.be.above(0);
      if (backend === 'webgpu') expect(first.gpuBytes, 'weights on the GPU').to.be.above(0);
      await model.dispose();
      // tfjs came up in the worker for this model only: freed, nothing is left.
      const after = await model.memory();
      expect(after).to.deep.include({ realm: 'worker', disposed: true, tensors: 0, bytes: 0, dataBuffers: 0, gpuBytes: 0 });
    });
  }

  it('worker mode, the digits CNN on wasm: 10,000 image predictions leave the worker as after the first batch', async () => {
    const { rows } = (await (await fetch('/models/digits/2.0.0/golden.json')).json()) as { rows: Array<Record<string, unknown>> };
    const model = await loadModel({
      bundle: '/models/digits/2.0.0/',
      backend: 'wasm',
      wasmPaths: WASM,
      cache: false,
      remember: false,
      worker: { url: WORKER },
    });
    const { first, last } = await tenThousand(model, rows, () => model.memory());
    expect(last).to.deep.equal(first);
    await model.dispose();
    expect(await model.memory()).to.deep.include({ disposed: true, tensors: 0, bytes: 0 });
  });

  it('page mode: model.memory() is tf.memory() of the page', async () => {
    const model = await loadModel(base('mlp', { backend: 'cpu', lean: false }));
    const m = await model.memory();
    expect(m).to.include({ realm: 'page', tfjs: true, tensors: tf.memory().numTensors, bytes: tf.memory().numBytes });
    await model.dispose();
  });

  it('several inputs (one int32) and outputs packed per row (raw): no leak on cpu and wasm, dispose frees all', async () => {
    await tf.setBackend('cpu');
    const layers = twoByTwo();
    const files = await bundle(layers, ['a0', 'a1', 'a2', 'id0', 'id1'], {
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
    });
    const rows = Array.from({ length: 7 }, (_, r) => ({ a0: r / 3, a1: -r, a2: 1, id0: r % 5, id1: (r + 2) % 5 }));
    for (const backend of ['wasm', 'cpu'] as const) {
      const before = counts();
      const model = await loadModel({ files, backend, wasmPaths: WASM, remember: false, cache: false });
      const { first, last } = await tenThousand(model, rows, counts);
      expect(last, backend).to.deep.equal(first);
      await model.dispose();
      expect(counts().tensors, backend).to.equal(before.tensors);
    }
    layers.dispose();
  });
});
