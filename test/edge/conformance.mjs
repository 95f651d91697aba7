// The edge conformance script: the same steps in Node, Bun, Deno and workerd (see
// test/node/edge-runtimes.test.ts). It takes the SDK module (`loadModel`, `isFerryError`) and
// where the bundle is — a URL and the same files in hand — and returns plain JSON: what each
// step produced. It asserts nothing itself; the Node test compares the result with the golden rows.
const decode = (bytes) => new TextDecoder().decode(bytes);

/** A row no schema accepts: a number column given a word. */
const BAD_ROW = { Island: 'Dream', 'Beak Length (mm)': 'forty-two' };

async function exercise(model, golden, telemetry) {
  const first = await model.predict(golden.rows[0]);
  const batchRows = [golden.rows[1], BAD_ROW, golden.rows[2]];
  const batch = await model.predictBatch(batchRows);
  const all = await model.predictBatch(golden.rows);
  let badPredict = null;
  try {
    await model.predict(BAD_ROW);
  } catch (e) {
    badPredict = { name: e?.name ?? null, code: e?.code ?? null };
  }
  const info = model.info;
  // Telemetry fits a request lifecycle: flush when done (a Worker passes this promise to ctx.waitUntil).
  const flushed = telemetry ? await model.telemetry.flush().then(() => true) : null;
  await model.dispose();
  let afterDispose = null;
  try {
    await model.predict(golden.rows[0]);
  } catch (e) {
    afterDispose = e?.code ?? String(e);
  }
  const probs = (p) => (p && p.kind === 'classification' ? Object.values(p.probabilities) : null);
  return {
    info: { name: info.name, version: info.version, source: info.source, engine: info.engine, backend: info.backend, bundleId: info.bundleId },
    first: { label: first.label, probabilities: probs(first) },
    batch: {
      labels: batch.predictions.map((p) => (p ? p.label : null)),
      probabilities: batch.predictions.map(probs),
      issues: batch.issues.map((i) => ({ row: i.row, column: i.column, code: i.code })),
    },
    golden: all.predictions.map(probs),
    badPredict,
    afterDispose,
    flushed,
  };
}

/**
 * @param sdk `{ loadModel }` from the built SDK
 * @param where `{ bundleUrl, files, runtime, options?, telemetryEndpoint? }`: `files(path) → Promise<Uint8Array>`;
 *   with `telemetryEndpoint`, the URL load sends telemetry there (service name `edge-<runtime>`)
 */
export async function conformance(sdk, { bundleUrl, files, runtime, options = {}, telemetryEndpoint }) {
  const golden = JSON.parse(decode(await files('golden.json')));
  const started = Date.now();
  const telemetry = telemetryEndpoint ? { endpoint: telemetryEndpoint, serviceName: `edge-${runtime.name}` } : undefined;
  const fromUrl = await exercise(await sdk.loadModel({ bundle: bundleUrl, ...options, ...(telemetry ? { telemetry } : {}) }), golden, telemetry);
  const fromFiles = await exercise(await sdk.loadModel({ files, ...options }), golden);
  return { runtime, ms: Date.now() - started, labels: golden.labels ?? null, fromUrl, fromFiles };
}
