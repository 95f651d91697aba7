// A Deno server serving penguins predictions with ferryml — the README's "Deno" example.
//   deno run --allow-net --allow-env --allow-read server.mjs
import { loadModel, isValidationError } from 'ferryml/edge';

const model = await loadModel({ bundle: Deno.env.get('BUNDLE_URL') });
const port = Number(Deno.env.get('PORT') ?? 8000);

Deno.serve({ hostname: '127.0.0.1', port, onListen: () => console.log(`listening on ${port}`) }, async (request) => {
  if (request.method !== 'POST') return Response.json({ version: model.info.version, engine: model.info.engine });
  try {
    const p = await model.predict(await request.json());
    return Response.json({ label: p.label, probabilities: p.probabilities });
  } catch (e) {
    if (isValidationError(e)) return Response.json({ issues: e.issues }, { status: 422 });
    throw e;
  }
});
