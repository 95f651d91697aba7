// Cold page load with ferryml and its default options (backends webgpu → wasm → cpu, automatic
// choice, golden check, IndexedDB cache): the SDK, the tfjs parts it imports, the wasm binary,
// the bundle (manifest, model, weights, schema, golden rows), then one prediction.
// `?registry=&name=&version=` or `?bundle=` says where the bundle is. The SDK comes from the built
// package (`dist/`, what `import … from 'ferryml'` resolves to in an app; bench/lib/bundle.ts
// `sdk: 'dist'`), bundled by esbuild with the page.
import { loadModel, type LoadModelOptions } from '../../src/index.js';
import { publish, query, requestLog, row } from './cold-common.js';

publish(async () => {
  const registry = query.get('registry');
  const where: LoadModelOptions = registry ? { registry, name: query.get('name')!, version: query.get('version')! } : { bundle: query.get('bundle')! };
  const loadAt = performance.now();
  const model = await loadModel(where);
  const p = await model.predict(row);
  const { backend, decision, rejected, engine, timings } = model.info;
  // Where the page's time went: before loadModel (SDK core evaluated), and loadModel's phases.
  return {
    label: p.kind === 'classification' ? p.label : p.kind === 'regression' ? p.value : p.kind,
    backend,
    engine,
    decision,
    rejected,
    loadAt: Math.round(loadAt),
    timings,
    requests: requestLog(),
  };
});
