import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs-core';
import { loadModel } from '../../src/load-model.js';
import type { ModelInfo } from '../../src/runtime/model-types.js';
import { MEASURE_BATCH, measureScore } from '../../src/runtime/measure.js';
import type { BackendName } from '../../src/runtime/types.js';
import { WASM } from './helpers.js';

/** The measured decision's structure: both medians per backend, the lowest score chosen, the other SLOWER. */
function expectMeasured(info: ModelInfo): BackendName {
  expect(info.decision).to.equal('measured');
  expect(info.rejected[0]).to.include({ backend: 'webgpu', code: 'SOFTWARE_ADAPTER' });
  const measured = Object.keys(info.measured).sort();
  expect(measured).to.deep.equal(['cpu', 'wasm']);
  expect(Object.keys(info.measuredBatch).sort()).to.deep.equal(measured);
  for (const b of ['cpu', 'wasm'] as const) {
    expect(info.measured[b], b).to.be.greaterThan(0);
    expect(info.measuredBatch[b], b).to.be.greaterThan(0);
  }
  const score = (b: BackendName) => measureScore(info.measured[b]!, info.measuredBatch[b]!);
  const loser: BackendName = info.backend === 'cpu' ? 'wasm' : 'cpu';
  expect(score(info.backend)).to.be.below(score(loser));
  expect(info.rejected.slice(1).map((r) => [r.backend, r.code])).to.deep.equal([[loser, 'SLOWER']]);
  expect(info.rejected[1]!.reason).to.contain(`at batch ${MEASURE_BATCH} on ${loser}`).and.to.contain(`on ${info.backend}`);
  expect(info.timings.measureMs).to.be.greaterThan(0);
  return info.backend;
}

describe('runtime: the automatic policy measures wasm against cpu when there is no real GPU', () => {
  // engine: 'tfjs': tfjs's own policy (penguins would otherwise run in the plain-JS engine, engine-js.test.ts).
  const options = { cache: false as const, remember: false, wasmPaths: WASM, engine: 'tfjs' as const };

  it('penguins (7→8→3, 80 multiply-adds per row): cpu with the direct kernel', async () => {
    const model = await loadModel({ ...options, bundle: '/models/penguins/1.0.0/' });
    // ~30× apart on this machine (well under 1 µs against tens of µs per call): not a close call.
    expect(expectMeasured(model.info)).to.equal('cpu');
    expect(model.info.lean).to.equal('direct');
    await model.dispose();
  });

  it('digits (784→64→10, 50,816 multiply-adds per row): wasm', async () => {
    const model = await loadModel({ ...options, bundle: '/models/digits/1.0.0/' });
    // Too big for the direct kernel; tfjs's cpu backend is scalar JavaScript, wasm is SIMD.
    expect(expectMeasured(model.info)).to.equal('wasm');
    expect(model.info.lean).to.equal('fused-ops');
    await model.dispose();
  });

  it("the measurement leaves no tensor behind (the slower backend's model is disposed)", async () => {
    await (await loadModel({ ...options, bundle: '/models/penguins/1.1.0/' })).dispose();
    const before = tf.memory().numTensors;
    const model = await loadModel({ ...options, bundle: '/models/penguins/1.1.0/' });
    expect(model.info.decision).to.equal('measured');
    await model.dispose();
    expect(tf.memory().numTensors).to.equal(before);
  });
});
