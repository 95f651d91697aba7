// A Worker (run by test/node/edge-runtimes.test.ts in workerd) whose request `/leave` answers while
// its telemetry flush is still under way (no ctx.waitUntil: the mistake the test is about); later
// requests flush, predict and flush again and answer with the telemetry stats.
import { loadModel, useTelemetry } from 'ferryml/edge';
import { createTelemetry } from 'ferryml/telemetry';
useTelemetry({ createTelemetry });
let model;
export default {
  async fetch(request, env) {
    const pick = ({ sent, dropped, lastError }) => ({ sent, dropped, lastError });
    try {
      model ??= await loadModel({ bundle: env.BUNDLE_URL, cache: false, telemetry: { endpoint: env.COLLECTOR, serviceName: 'edge-scope', maxAttempts: 1 } });
      await model.predict(JSON.parse(env.ROW));
      if (new URL(request.url).pathname === '/leave') {
        void model.telemetry.flush();
        return Response.json({ left: true });
      }
      await model.telemetry.flush();
      return Response.json(pick(model.telemetry.stats()));
    } catch (e) {
      return Response.json({ code: e?.code ?? null, message: String(e?.message ?? e) }, { status: 500 });
    }
  },
};
