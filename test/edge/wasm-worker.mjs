// A Worker on `ferryml/edge` running penguins on tfjs's WASM backend in workerd, which does not
// compile WebAssembly from bytes: the binary is imported as a module (a precompiled
// WebAssembly.Module, as wrangler bundles `.wasm` imports) and handed to loadModel as
// `wasmModule`. GET /?module=1 uses it; GET / leaves it out and must fail with NO_BACKEND.
import { loadModel, useTfjs } from 'ferryml/edge';
import bundleFiles from 'edge-test:bundle-files';
import wasmModule from './tfjs-backend-wasm-simd.wasm';

useTfjs(() => import('ferryml/tfjs'));

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const withModule = url.searchParams.get('module') === '1';
    try {
      const model = await loadModel({ files: bundleFiles, backend: 'wasm', ...(withModule ? { wasmModule } : {}) });
      const golden = JSON.parse(new TextDecoder().decode(bundleFiles.get('golden.json')));
      const { predictions } = await model.predictBatch(golden.rows);
      const info = { engine: model.info.engine, backend: model.info.backend };
      await model.dispose();
      return Response.json({ info, golden: predictions.map((p) => (p ? Object.values(p.probabilities) : null)), process: typeof process });
    } catch (e) {
      return Response.json({ code: e?.code ?? null, message: String(e?.message ?? e) }, { status: 500 });
    }
  },
};
