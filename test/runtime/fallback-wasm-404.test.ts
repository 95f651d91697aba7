// Its own page: tfjs's WASM loader keeps its failure for the life of the page.
import { expect } from 'chai';
import { loadModel } from '../../src/load-model.js';
import { WASM, base, golden, maxDiff } from './helpers.js';

// The real binaries' directory behind the test server's fault middleware: every file answers 404.
const NOT_FOUND = `/__fault/status=404${WASM}`;

describe('runtime fallback: WASM binary unreachable', () => {
  it('a 404 for the .wasm file → cpu, with the URL and status in the reason', async () => {
    // engine: 'tfjs': this tiny MLP would otherwise run in the plain-JS engine and never fetch the .wasm.
    const model = await loadModel(base('mlp', { backends: ['wasm', 'cpu'], wasmPaths: NOT_FOUND, engine: 'tfjs' }));
    expect(model.info.backend).to.equal('cpu');
    expect(model.info.rejected).to.have.length(1);
    const [rejection] = model.info.rejected;
    expect(rejection).to.include({ backend: 'wasm', code: 'WASM_UNREACHABLE' });
    expect(rejection!.reason).to.contain(`${NOT_FOUND}tfjs-backend-wasm-simd.wasm answered HTTP 404`);
    const { rows, outputs } = await golden('mlp');
    expect(maxDiff((await model.predict(rows[1]!)).raw, outputs[1]!)).to.be.below(1e-5);
    await model.dispose();
  });
});
