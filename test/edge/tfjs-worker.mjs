// A Worker on `ferryml/edge` running a model on tfjs (cpu): the app hands the engine in with
// useTfjs. GET /?slot=1 loads penguins (files bundled in) with `engine: 'tfjs'` and predicts
// every golden row; before any useTfjs (GET /) the load must fail with NO_BACKEND.
import { loadModel, useTfjs } from 'ferryml/edge';
import bundleFiles from 'edge-test:bundle-files';

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.searchParams.get('slot') === '1') useTfjs(() => import('ferryml/tfjs'));
    try {
      const model = await loadModel({ files: bundleFiles, engine: 'tfjs', backend: 'cpu' });
      const golden = JSON.parse(new TextDecoder().decode(bundleFiles.get('golden.json')));
      const { predictions } = await model.predictBatch(golden.rows);
      const info = { engine: model.info.engine, backend: model.info.backend };
      await model.dispose();
      return Response.json({ info, golden: predictions.map((p) => (p ? Object.values(p.probabilities) : null)) });
    } catch (e) {
      return Response.json({ code: e?.code ?? null, message: String(e?.message ?? e) }, { status: 500 });
    }
  },
};
