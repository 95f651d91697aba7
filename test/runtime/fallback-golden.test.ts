import { expect } from 'chai';
import { loadModel } from '../../src/load-model.js';
import type { Rejection } from '../../src/runtime/types.js';
import { base, golden, maxDiff, rejectionOf } from './helpers.js';

describe('runtime fallback: golden check', () => {
  it('a backend that does not reproduce the golden outputs is skipped for the next one, and reported', async () => {
    // elu-precision: f32 exp(x) − 1 on WebGPU loses the −1e-8 that CPU and WASM keep (fixture doc).
    const model = await loadModel(base('elu-precision', { select: 'first' }));
    expect(model.info.rejected.map((r) => [r.backend, r.code])).to.deep.equal([['webgpu', 'GOLDEN_MISMATCH']]);
    expect(model.info.rejected[0]!.reason).to.match(/golden row 0 output 0: expected -1, got 0 /);
    expect(model.info.backend).to.equal('wasm');
    const p = await model.predict({ x: 1 });
    expect(p.kind === 'regression' && p.value).to.be.closeTo(-1, 1e-4);
    await model.dispose();
  });

  it('a bundle whose golden outputs are wrong on every backend fails with GOLDEN_MISMATCH listing each try', async () => {
    const error = await rejectionOf(loadModel(base('bad-golden', { select: 'first' })));
    expect(error.code).to.equal('GOLDEN_MISMATCH');
    expect((error.details.rejected as Rejection[]).map((r) => [r.backend, r.code])).to.deep.equal([
      ['webgpu', 'GOLDEN_MISMATCH'],
      ['wasm', 'GOLDEN_MISMATCH'],
      ['cpu', 'GOLDEN_MISMATCH'],
    ]);
    expect(error.message).to.match(/golden row \d+ output \d+: expected [-\d.e]+, got [-\d.e]+ \(relative error/);
  });

  it('golden: false skips the check (and goldenError is absent)', async () => {
    const model = await loadModel(base('bad-golden', { backend: 'cpu', golden: false }));
    expect(model.info.goldenError).to.equal(undefined);
    const { rows } = await golden('mlp');
    const reference = await golden('mlp');
    expect(maxDiff((await model.predict(rows[0]!)).raw, reference.outputs[0]!)).to.be.below(1e-5);
    await model.dispose();
  });
});
