// Its own page: tfjs's WASM backend is set up once per page. `wasmModule` (for Workers, which
// import .wasm files as precompiled modules) in Chromium: the binary comes from the module the
// app compiled, so a `wasmPaths` where every file answers 404 does not matter, and the globals
// wrapped during the setup are restored.
import { expect } from 'chai';
import { loadModel } from '../../src/load-model.js';
import { WASM, base, golden, maxDiff } from './helpers.js';

const NOT_FOUND = `/__fault/status=404${WASM}`;

describe('runtime: wasmModule', () => {
  it('brings tfjs wasm up from the app’s WebAssembly.Module, never fetching a binary', async () => {
    const wasmModule = await WebAssembly.compileStreaming(fetch(`${WASM}tfjs-backend-wasm-simd.wasm`));
    const instantiate = WebAssembly.instantiate;
    const model = await loadModel(base('mlp', { backend: 'wasm', engine: 'tfjs', wasmPaths: NOT_FOUND, wasmModule }));
    expect(model.info.backend).to.equal('wasm');
    expect(model.info.rejected).to.deep.equal([]);
    expect(WebAssembly.instantiate).to.equal(instantiate);
    const { rows, outputs } = await golden('mlp');
    for (const [i, row] of rows.entries()) expect(maxDiff((await model.predict(row)).raw, outputs[i]!)).to.be.below(1e-5);
    await model.dispose();
  });
});
