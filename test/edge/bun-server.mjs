// A Bun server serving penguins predictions with ferryml — the README's "Bun" example. The verified
// bundle is cached in CACHE_DIR, so a restarted server loads it from disk, not from the origin.
//   bun server.mjs
import { loadModel, isValidationError } from 'ferryml/edge';
import { fileCache } from 'ferryml/node';

const model = await loadModel({ bundle: process.env.BUNDLE_URL, cache: { store: fileCache(process.env.CACHE_DIR ?? '.cache/ferryml') } });
const port = Number(process.env.PORT ?? 3000);

Bun.serve({
  hostname: '127.0.0.1',
  port,
  async fetch(request) {
    if (request.method !== 'POST') return Response.json({ version: model.info.version, engine: model.info.engine, source: model.info.source });
    try {
      const p = await model.predict(await request.json());
      return Response.json({ label: p.label, probabilities: p.probabilities });
    } catch (e) {
      if (isValidationError(e)) return Response.json({ issues: e.issues }, { status: 422 });
      throw e;
    }
  },
});
console.log(`listening on ${port}`);
