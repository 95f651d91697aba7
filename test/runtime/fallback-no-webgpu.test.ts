// Its own page: WebGPU is removed from this page before anything loads.
import { expect } from 'chai';
import { loadModel } from '../../src/load-model.js';
import { base, golden, maxDiff, rejectionOf } from './helpers.js';

describe('runtime fallback: WebGPU unavailable', () => {
  before(() => {
    // As on a browser without WebGPU: navigator.gpu is simply not there.
    delete (Navigator.prototype as unknown as { gpu?: unknown }).gpu;
    expect('gpu' in navigator).to.equal(false);
  });

  it('falls back to wasm and cpu, measures them, and says why on model.info', async () => {
    const model = await loadModel(base('mlp', { engine: 'tfjs' }));
    expect(model.info.rejected[0]).to.deep.equal({
      backend: 'webgpu',
      code: 'NO_WEBGPU',
      reason: 'navigator.gpu is not available here (a browser without WebGPU, an insecure context, or a runtime such as Node that has none)',
    });
    expect(model.info.decision).to.equal('measured');
    // The tiny MLP: cpu's direct kernel beats wasm's per-op cost by far.
    expect(model.info.backend).to.equal('cpu');
    expect(model.info.rejected.slice(1).map((r) => [r.backend, r.code])).to.deep.equal([['wasm', 'SLOWER']]);
    expect(model.info.adapter).to.equal(undefined);
    const { rows, outputs } = await golden('mlp');
    expect(maxDiff((await model.predict(rows[3]!)).raw, outputs[3]!)).to.be.below(1e-5);
    await model.dispose();
  });

  it('forcing webgpu fails the load with NO_BACKEND naming the reason', async () => {
    const error = await rejectionOf(loadModel(base('mlp', { backend: 'webgpu' })));
    expect(error).to.include({ code: 'NO_BACKEND' });
    expect(error.message).to.contain('navigator.gpu is not available');
  });
});
