// A Deno server serving penguins predictions with ferryml — the README's "Deno" example. The verified
// bundle is cached in CACHE_DIR, so a restarted server loads it from disk, not from the origin.
//   deno run --allow-net --allow-env --allow-read --allow-write=.cache server.mjs
import { loadModel, isValidationError } from 'ferryml/edge';
import { fileCache } from 'ferryml/node';

const model = await loadModel({ bundle: Deno.env.get('BUNDLE_URL'), cache: { store: fileCache(Deno.env.get('CACHE_DIR') ?? '.cache/ferryml') } });
const port = Number(Deno.env.get('PORT') ?? 8000);

Deno.serve({ hostname: '127.0.0.1', port, onListen: () => console.log(`listening on ${port}`) }, async (request) => {
  if (request.method !== 'POST') return Response.json({ version: model.info.version, engine: model.info.engine, source: model.info.source });
  try {
    const p = await model.predict(await request.json());
    return Response.json({ label: p.label, probabilities: p.probabilities });
  } catch (e) {
    if (isValidationError(e)) return Response.json({ issues: e.issues }, { status: 422 });
    throw e;
  }
});
