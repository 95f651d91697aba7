// A Node server serving penguins predictions with ferryml — the README's "Node" example. The verified
// bundle is cached in CACHE_DIR, so a restarted server loads it from disk, not from the origin.
//   node server.mjs
import { createServer } from 'node:http';
import { loadModel, isValidationError } from 'ferryml/edge';
import { fileCache } from 'ferryml/node';

const model = await loadModel({ bundle: process.env.BUNDLE_URL, cache: { store: fileCache(process.env.CACHE_DIR ?? '.cache/ferryml') } });
const port = Number(process.env.PORT ?? 3000);

const send = (res, status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
createServer(async (req, res) => {
  if (req.method !== 'POST') return send(res, 200, { version: model.info.version, engine: model.info.engine, source: model.info.source });
  let text = '';
  for await (const chunk of req) text += chunk;
  try {
    const p = await model.predict(JSON.parse(text));
    send(res, 200, { label: p.label, probabilities: p.probabilities });
  } catch (e) {
    if (isValidationError(e)) return send(res, 422, { issues: e.issues });
    send(res, 500, { error: e.code ?? 'INTERNAL', message: e.message });
  }
}).listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));
