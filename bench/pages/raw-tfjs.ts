// The hand-written raw tfjs pipeline ferryml is compared against: load the layers model, write
// the hand-made features into a tensor, predict, read back, decode. Same math, same backend
// (the page sets tfjs's backend before either path loads), none of the SDK's checks.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Schema } from '../../src/index.js';
import { handTransform } from './hand-transform.js';
import { decode, splitRows, type Pipeline } from './pipeline.js';

/** Loads `modelUrl` (a layers-model model.json) as a raw tfjs pipeline on the current backend. */
export async function loadRawTfjs(modelUrl: string, schema: Schema, labels: readonly string[]): Promise<Pipeline> {
  const model = await tfl.loadLayersModel(modelUrl);
  const backend = tf.getBackend();
  const t = handTransform(schema);
  const run = async (rows: Array<Record<string, unknown>>) => {
    // Another pipeline on the page (ferryml on its automatic choice) may have made another
    // backend active; an app mixing backends must do the same check, as the SDK does per batch.
    if (tf.getBackend() !== backend) void tf.setBackend(backend);
    const x = new Float32Array(rows.length * t.width);
    rows.forEach((row, i) => t.write(row, x, i * t.width));
    const input = tf.tensor2d(x, [rows.length, t.width]);
    // batchSize: LayersModel.predict otherwise splits its input into 32-row chunks.
    const y = model.predict(input, { batchSize: rows.length }) as tf.Tensor;
    const out = await y.data();
    input.dispose();
    y.dispose();
    return out;
  };
  return {
    predict: async (row) => decode(await run([row]), labels),
    outputs: async (rows) => splitRows(await run(rows), labels.length),
    dispose: () => model.dispose(),
  };
}
