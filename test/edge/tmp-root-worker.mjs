// A Cloudflare Worker module serving penguins predictions with `ferryml/edge` — the example of the
// README's "Cloudflare Workers" section. The bundle URL comes from the environment (`env.BUNDLE_URL`,
// a workerd text binding here). The model loads once per isolate and is reused by later requests.
import { loadModel, isValidationError } from 'ferryml';

let model;

export default {
  async fetch(request, env) {
    model ??= loadModel({ bundle: env.BUNDLE_URL }).catch((e) => {
      model = undefined; // the next request tries again
      throw e;
    });
    const m = await model;
    if (request.method !== 'POST') return Response.json({ info: { version: m.info.version, engine: m.info.engine, source: m.info.source } });
    try {
      const p = await m.predict(await request.json());
      return Response.json({ label: p.label, probabilities: p.probabilities });
    } catch (e) {
      if (isValidationError(e)) return Response.json({ issues: e.issues }, { status: 422 });
      throw e;
    }
  },
};
