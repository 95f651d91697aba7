// Cold page load with hand-written raw tfjs (core + layers + the wasm backend, the smallest
// tfjs set that runs a layers model on wasm), then one prediction. For context next to ferryml.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadRawTfjs } from './raw-tfjs.js';
import { bundleFacts, publish, row } from './cold-common.js';

publish(async () => {
  setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  await tf.setBackend('wasm');
  const { bundle, manifest, schema, labels } = await bundleFacts();
  const raw = await loadRawTfjs(`${bundle}/${manifest.model.entry}`, schema, labels);
  return raw.predict(row);
});
