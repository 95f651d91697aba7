// No leaks: tfjs's tensor count, bytes and data buffers after 10,000 predictions equal those after
// the first batch, on webgpu (SwiftShader), wasm and cpu, for a model run by tfjs's own predict
// (lean: false) and one with several inputs and outputs; dispose() returns them to where they were
// before the load. Batched calls (100 rows × 100) keep the test fast.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadModel } from '../../src/load-model.js';
import type { Model } from '../../src/runtime/model-types.js';
import { WASM, base, golden } from './helpers.js';
import { bundle, twoByTwo } from './io-bundle.js';

const counts = () => {
  const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  return { tensors: m.numTensors, bytes: m.numBytes, buffers: m.numDataBuffers, gpu: m.numBytesInGPU ?? 0 };
};

async function tenThousand(
  model: Model,
  rows: readonly Record<string, unknown>[],
): Promise<{ first: ReturnType<typeof counts>; last: ReturnType<typeof counts> }> {
  const batch = Array.from({ length: 100 }, (_, i) => rows[i % rows.length]!);
  await model.predictBatch(batch);
  const first = counts();
  let predicted = 100;
  // Three calls at a time (33 rounds): the scheduler coalesces them, as an app's concurrent calls would be.
  while (predicted < 10_000) {
    const results = await Promise.all([0, 1, 2].map(() => model.predictBatch(batch)));
    predicted += results.reduce((n, r) => n + r.predictions.length, 0);
  }
  expect(predicted).to.equal(10_000);
  return { first, last: counts() };
}

describe('runtime: no tensor or GPU-buffer leaks', () => {
  for (const backend of ['webgpu', 'wasm', 'cpu'] as const) {
    it(`10,000 predictions leave tfjs's memory as after the first batch, and dispose() frees the model (${backend})`, async () => {
      const { rows } = await golden('mlp');
      const before = counts();
      const model = await loadModel(base('mlp', { backend, lean: false }));
      expect(model.info.backend).to.equal(backend);
      expect(model.info.timings.warmupMs, 'warm-up ran before the first call').to.be.above(0);
      const { first, last } = await tenThousand(model, rows);
      expect(last).to.deep.equal(first);
      expect(first.tensors, 'the model holds its weights').to.be.above(before.tensors);
      await model.dispose();
      expect(counts().tensors).to.equal(before.tensors);
      expect(counts().bytes).to.equal(before.bytes);
    });
  }

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
      const { first, last } = await tenThousand(model, rows);
      expect(last, backend).to.deep.equal(first);
      await model.dispose();
      expect(counts().tensors, backend).to.equal(before.tensors);
    }
    layers.dispose();
  });
});
