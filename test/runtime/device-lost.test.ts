import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs-core';
import { loadModel } from '../../src/load-model.js';
import type { ModelInfo } from '../../src/runtime/model-types.js';
import { base, golden, maxDiff } from './helpers.js';

describe('runtime: WebGPU device loss', () => {
  it('is detected; the model reloads on the next backend, predictions continue, and it is reported', async () => {
    const changes: ModelInfo[] = [];
    const model = await loadModel(base('mlp', { backend: 'webgpu', onBackendChange: (info) => changes.push(info) }));
    expect(model.info.backend).to.equal('webgpu');
    const { rows, outputs } = await golden('mlp');
    expect(maxDiff((await model.predict(rows[0]!)).raw, outputs[0]!)).to.be.below(1e-5);

    // The device goes away (as on a driver reset or GPU removal); destroy() makes it happen for real.
    const device = (tf.engine().registry.webgpu as unknown as { device: { destroy(): void } }).device;
    device.destroy();

    const after = await Promise.all(rows.map((r) => model.predict(r)));
    after.forEach((p, i) => expect(maxDiff(p.raw, outputs[i]!), `row ${i}`).to.be.below(1e-5));
    expect(model.info.backend).to.equal('wasm');
    const lost = model.info.rejected.find((r) => r.code === 'DEVICE_LOST');
    expect(lost).to.include({ backend: 'webgpu' });
    expect(lost!.reason).to.match(/destroyed/);
    expect(changes).to.have.length(1);
    expect(changes[0]!.backend).to.equal('wasm');
    await model.dispose();
  });
});
