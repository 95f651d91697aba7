// Cold page load with ferryml and its default options (backends webgpu → wasm → cpu, automatic
// choice, golden check, IndexedDB cache): the SDK, the tfjs parts it imports, the wasm binary,
// the bundle (manifest, model, weights, schema, golden rows), then one prediction.
// `?registry=&name=&version=` or `?bundle=` says where the bundle is.
import { loadModel, type LoadModelOptions } from '../../src/index.js';
import { publish, query, row } from './cold-common.js';

publish(async () => {
  const registry = query.get('registry');
  const where: LoadModelOptions = registry
    ? { registry, name: query.get('name')!, version: query.get('version')! }
    : { bundle: query.get('bundle')! };
  const model = await loadModel(where);
  const p = await model.predict(row);
  const { backend, decision, rejected } = model.info;
  return { label: p.kind === 'classification' ? p.label : p.value, backend, decision, rejected };
});
