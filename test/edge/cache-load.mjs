// One load of penguins@1.0.0 through the registry with `ferryml/edge` in Deno, whose cache is the
// Cache API (no IndexedDB there); run by test/node/edge-cache.test.ts, one process per cold start:
//   deno run --allow-read --allow-net=127.0.0.1 cache-load.mjs <edge.js URL> <registry URL> <golden.json>
// Prints `CACHE-LOAD <json>`: source, resolvedBy, the cache status and the golden rows' probabilities.
const [sdk, registry, goldenPath] = Deno.args;
const { loadModel } = await import(sdk);
const golden = JSON.parse(await Deno.readTextFile(goldenPath));
try {
  const model = await loadModel({ registry, name: 'penguins', version: '1.0.0', retries: 0 });
  const probabilities = [];
  for (const row of golden.rows) probabilities.push(Object.values((await model.predict(row)).probabilities));
  const { source, resolvedBy, cache } = model.info;
  console.log(`CACHE-LOAD ${JSON.stringify({ source, resolvedBy, cache, probabilities })}`);
  await model.dispose();
} catch (e) {
  console.log(`CACHE-LOAD ${JSON.stringify({ error: { code: e?.code ?? null, message: String(e?.message ?? e) } })}`);
}
