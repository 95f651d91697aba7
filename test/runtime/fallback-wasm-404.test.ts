// Its own page: tfjs's WASM loader keeps its failure for the life of the page.
import { expect } from 'chai';
import { loadModel } from '../../src/load-model.js';
import { base, golden, maxDiff } from './helpers.js';

describe('runtime fallback: WASM binary unreachable', () => {
  it('a 404 for the .wasm file → cpu, with the URL and status in the reason', async () => {
    // A directory the test server does not have: every binary answers 404.
    const model = await loadModel(base('mlp', { backends: ['wasm', 'cpu'], wasmPaths: '/test/runtime/fixtures/no-wasm-here/' }));
    expect(model.info.backend).to.equal('cpu');
    expect(model.info.rejected).to.have.length(1);
    const [rejection] = model.info.rejected;
    expect(rejection).to.include({ backend: 'wasm', code: 'WASM_UNREACHABLE' });
    expect(rejection!.reason).to.match(/\/test\/runtime\/fixtures\/no-wasm-here\/tfjs-backend-wasm(-simd)?\.wasm answered HTTP 404/);
    const { rows, outputs } = await golden('mlp');
    expect(maxDiff((await model.predict(rows[1]!)).raw, outputs[1]!)).to.be.below(1e-5);
    await model.dispose();
  });
});
