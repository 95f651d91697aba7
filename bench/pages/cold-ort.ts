// Cold page load with ONNX Runtime Web: its JS, its wasm, the .onnx model, then one prediction.
// The orchestrator counts every byte the server sent for this page.
import { loadOrt } from './ort.js';
import { bundleFacts, publish, query, row } from './cold-common.js';

publish(async () => {
  const { schema, labels } = await bundleFacts();
  const ort = await loadOrt(query.get('onnx')!, schema, labels);
  return ort.predict(row);
});
