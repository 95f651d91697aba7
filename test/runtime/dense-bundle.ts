// Bundles made in the page from tfjs-layers models (for loadModel's `files`): numeric passthrough
// columns x0…x(n−1), the model's own weights, and golden outputs from tfjs's cpu backend — so the
// load runs the same checks a packed bundle gets.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';

const hex = async (bytes: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))].map((b) => b.toString(16).padStart(2, '0')).join('');
const utf8 = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** Deterministic values in [-scale, scale) (an LCG). */
export function values(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) out[i] = ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 31 - 1) * scale;
  return out;
}

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

/** Rows of `width` columns x0…, deterministic. */
export function rowsOf(width: number, count: number, seed = 7, scale = 2): Array<Record<string, number>> {
  const v = values(width * count, seed, scale);
  return Array.from({ length: count }, (_, r) => Object.fromEntries(Array.from({ length: width }, (_, c) => [`x${c}`, v[r * width + c]!])));
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
  const features = Array.from({ length: width }, (_, i) => `x${i}`);
  files.set(
    'schema.json',
    utf8({ formatVersion: 1, columns: features.map((f) => ({ name: f, type: 'number', steps: [{ kind: 'passthrough' }] })), features, width }),
  );
  const active = tf.getBackend();
  await tf.setBackend('cpu');
  const y = tf.tidy(() => model.predict(tf.tensor2d(rows.map((r) => features.map((f) => r[f]!)))) as tf.Tensor2D);
  const outputs = (await y.array()).map((r) => r.map((v) => Number(v.toPrecision(9))));
  y.dispose();
  if (active) await tf.setBackend(active);
  files.set('golden.json', utf8({ rows, outputs }));
  const outputWidth = outputs[0]!.length;
  const manifest = {
    formatVersion: 1,
    name,
    version: '1.0.0',
    createdAt: '2026-01-01T00:00:00.000Z',
    model: { format: 'layers-model', entry: 'model.json' },
    files: await Promise.all([...files].map(async ([path, bytes]) => ({ path, bytes: bytes.byteLength, sha256: await hex(bytes) }))),
    schema: 'schema.json',
    golden: 'golden.json',
    output: labels ? { kind: 'classification', labels } : { kind: 'regression', names: Array.from({ length: outputWidth }, (_, i) => `y${i}`) },
  };
  files.set('manifest.json', utf8(manifest));
  return files;
}
