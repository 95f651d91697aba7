// One load of penguins@1.0.0 through the registry with `ferryml/edge` and the file-system cache of
// `ferryml/node`, in Node or Bun; run by test/node/fs-cache.test.ts, one process per cold start:
//   node|bun fs-cache-load.mjs <sdk dir> <registry URL> <golden.json> <cache dir>
// Prints `FS-LOAD <json>`: source, resolvedBy, the cache status, what modelCache lists and the golden rows' probabilities.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [sdk, registry, goldenPath, cacheDir] = process.argv.slice(2);
const { loadModel, modelCache } = await import(pathToFileURL(join(sdk, 'edge.js')).href);
const { fileCache } = await import(pathToFileURL(join(sdk, 'node.js')).href);
const golden = JSON.parse(await readFile(goldenPath, 'utf8'));
try {
  const store = fileCache(cacheDir);
  const model = await loadModel({ registry, name: 'penguins', version: '1.0.0', retries: 0, cache: { store } });
  const probabilities = [];
  for (const row of golden.rows) probabilities.push(Object.values((await model.predict(row)).probabilities));
  const { source, resolvedBy, cache } = model.info;
  const listed = (await modelCache.list({ store })).map((v) => `${v.name}@${v.version}`);
  console.log(`FS-LOAD ${JSON.stringify({ source, resolvedBy, cache, listed, probabilities })}`);
  await model.dispose();
} catch (e) {
  console.log(`FS-LOAD ${JSON.stringify({ error: { code: e?.code ?? null, message: String(e?.message ?? e) } })}`);
}
