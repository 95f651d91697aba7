// Telemetry's offline queue where there is no IndexedDB, in Deno on `ferryml/edge` (run by
// test/node/edge-runtimes.test.ts):
//   deno run --allow-read --allow-net=127.0.0.1 telemetry-queue.mjs <sdk dir URL> <bundle URL> <collector URL> <golden.json>
// The collector answers 503 while down; this script switches it (GET /__collector?up=0|1) between
// steps and prints `TELEMETRY-QUEUE <json>`: the telemetry stats after each step.
const [sdk, bundle, collector, goldenPath] = Deno.args;
const { loadModel, useTelemetry } = await import(`${sdk}edge.js`);
const { createTelemetry } = await import(`${sdk}telemetry.js`);
useTelemetry({ createTelemetry });
const golden = JSON.parse(await Deno.readTextFile(goldenPath));
const collectorUp = (up) => fetch(`${collector}/__collector?up=${up ? 1 : 0}`).then((r) => r.body?.cancel());
const pick = ({ offlineStore, offlineBatches, queued, sent, dropped, lastError }) => ({ offlineStore, offlineBatches, queued, sent, dropped, lastError });
const steps = {};
try {
  const model = await loadModel({ bundle, cache: false, telemetry: { endpoint: collector, serviceName: 'edge-queue', maxAttempts: 1 } });
  await collectorUp(false);
  await model.predictBatch(golden.rows);
  await model.telemetry.flush();
  steps.down = pick(model.telemetry.stats());
  await collectorUp(true);
  await model.predict(golden.rows[0]);
  await model.telemetry.flush();
  steps.up = pick(model.telemetry.stats());
  await collectorUp(false);
  await model.predict(golden.rows[0]);
  await model.telemetry.flush();
  steps.downAgain = pick(model.telemetry.stats());
  const telemetry = model.telemetry;
  await model.dispose();
  steps.disposed = pick(telemetry.stats());
} catch (e) {
  steps.error = { code: e?.code ?? null, message: String(e?.message ?? e), stack: String(e?.stack ?? '') };
}
console.log(`TELEMETRY-QUEUE ${JSON.stringify(steps)}`);
