// A Worker that loads the model on every request (no module-scope reuse), so each request goes
// through the Cache API store that the isolate keeps across requests: run by
// test/node/edge-cache.test.ts in workerd, several requests at once included. It answers the
// load's source, the cache status, what modelCache.list() sees and a golden-row prediction.
import { loadModel, modelCache } from 'ferryml/edge';

export default {
  async fetch(request, env) {
    try {
      const model = await loadModel({ bundle: env.BUNDLE_URL });
      const row = JSON.parse(new URL(request.url).searchParams.get('row') ?? 'null');
      const prediction = row ? await model.predict(row) : null;
      const listed = (await modelCache.list()).map((c) => `${c.name}@${c.version}`);
      const out = { source: model.info.source, cache: model.info.cache, listed, probabilities: prediction && Object.values(prediction.probabilities) };
      await model.dispose();
      return Response.json(out);
    } catch (e) {
      return Response.json({ code: e?.code ?? null, message: String(e?.message ?? e), stack: String(e?.stack ?? '') }, { status: 500 });
    }
  },
};
