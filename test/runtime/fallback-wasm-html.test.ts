// Its own page: tfjs's WASM loader keeps its failure for the life of the page.
// What a production server does for a .wasm file a bundler did not emit: answer its SPA
// fallback (index.html, 200). That is WASM_NOT_WASM, never a silent INIT_FAILED → cpu.
// `engine: 'tfjs'`: the plain-JS engine would answer mlp without ever fetching a .wasm.
import { expect } from 'chai';
import { loadModel } from '../../src/load-model.js';
import { WASM, base, rejectionOf } from './helpers.js';

const HTML = `/__fault/html${WASM}`;

describe('runtime: a .wasm URL that answers HTML', () => {
  it('forced `backend: "wasm"` fails the load with WASM_NOT_WASM and the URL (never ends on cpu)', async () => {
    const error = await rejectionOf(loadModel(base('mlp', { engine: 'tfjs', backend: 'wasm', wasmPaths: HTML })));
    expect(error.code).to.equal('NO_BACKEND');
    const [rejection] = error.details.rejected as Array<{ backend: string; code: string; reason: string }>;
    expect(rejection).to.include({ backend: 'wasm', code: 'WASM_NOT_WASM' });
    expect(rejection!.reason).to.contain(`${HTML}tfjs-backend-wasm-simd.wasm answered text/html`);
  });

  it('automatic: wasm is rejected with WASM_NOT_WASM on model.info.rejected, cpu runs', async () => {
    const model = await loadModel(base('mlp', { engine: 'tfjs', backends: ['wasm', 'cpu'], wasmPaths: HTML }));
    expect(model.info.backend).to.equal('cpu');
    expect(model.info.rejected.map((r) => `${r.backend}:${r.code}`)).to.deep.equal(['wasm:WASM_NOT_WASM']);
    await model.dispose();
  });
});
