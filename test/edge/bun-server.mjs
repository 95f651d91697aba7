// A Bun server serving penguins predictions with ferryml — the README's "Bun" example.
//   bun server.mjs
import { loadModel, isValidationError } from 'ferryml/edge';

const model = await loadModel({ bundle: process.env.BUNDLE_URL });
const port = Number(process.env.PORT ?? 3000);

Bun.serve({
  hostname: '127.0.0.1',
  port,
  async fetch(request) {
    if (request.method !== 'POST') return Response.json({ version: model.info.version, engine: model.info.engine });
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
