// Bundles made in the page from tfjs-layers models (for loadModel's `files`): numeric passthrough
// columns x0…x(n−1), the model's own weights, and golden outputs from tfjs's cpu backend — so the
// load runs the same checks a packed bundle gets.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { passthroughSchema, utf8, values, withManifest } from './bundle-files.js';

export { rowsOf, values } from './bundle-files.js';

/** A Dense layer spec: units and activation. */
export type DenseSpec = [units: number, activation: string];

/** A sequential Dense chain over `width` inputs with deterministic weights (bias included). */
export function denseModel(width: number, layers: readonly DenseSpec[], seed = 1): tfl.Sequential {
  const model = tfl.sequential();
  let inputs = width;
  layers.forEach(([units, activation], i) => {
    const layer = tfl.layers.dense({ units, activation: activation as 'relu', ...(i === 0 ? { inputShape: [width] } : {}) });
    model.add(layer);
    layer.setWeights([tf.tensor2d(values(inputs * units, seed + 2 * i), [inputs, units]), tf.tensor1d(values(units, seed + 2 * i + 1, 0.25))]);
    inputs = units;
  });
  return model;
}

/**
 * The files of a bundle holding `model` (inputs `width` wide), with golden outputs for `rows`
 * computed on tfjs's cpu backend. `classification` names labels for a softmax head.
 */
export async function denseBundle(
  name: string,
  model: tfl.LayersModel,
  width: number,
  rows: Array<Record<string, number>>,
  labels?: string[],
): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      files.set(
        'model.json',
        utf8({ format: 'layers-model', modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] }),
      );
      files.set('weights.bin', new Uint8Array(artifacts.weightData as ArrayBuffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  files.set('schema.json', passthroughSchema(width));
  const features = Array.from({ length: width }, (_, i) => `x${i}`);
  const active = tf.getBackend();
  await tf.setBackend('cpu');
  const y = tf.tidy(() => model.predict(tf.tensor2d(rows.map((r) => features.map((f) => r[f]!)))) as tf.Tensor2D);
  const outputs = (await y.array()).map((r) => r.map((v) => Number(v.toPrecision(9))));
  y.dispose();
  if (active) await tf.setBackend(active);
  files.set('golden.json', utf8({ rows, outputs }));
  const outputWidth = outputs[0]!.length;
  return withManifest(
    name,
    files,
    labels ? { kind: 'classification', labels } : { kind: 'regression', names: Array.from({ length: outputWidth }, (_, i) => `y${i}`) },
  );
}
