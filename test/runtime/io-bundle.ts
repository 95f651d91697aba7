// Bundles made in the page for models with several inputs and outputs (test/runtime/model-io.test.ts,
// leaks.test.ts): tfjs-layers models with deterministic weights, number columns, manifest parts given.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { sha256Hex as hex, utf8, values } from './bundle-files.js';

/** Sets deterministic weights on every layer that has any. */
export function seed(model: tfl.LayersModel, start = 3): void {
  let s = start;
  for (const layer of model.layers) {
    const ws = layer.getWeights();
    if (ws.length) layer.setWeights(ws.map((w) => tf.tensor(values(w.size, s++, 0.5), w.shape)));
  }
}

/** A bundle in memory for `model`, with a schema of number columns (or `schema`) and the given manifest parts. */
export async function bundle(
  model: tfl.LayersModel,
  columns: string[],
  extra: Record<string, unknown>,
  golden?: { rows: unknown[]; outputs: number[][] },
  schema?: unknown,
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
  files.set(
    'schema.json',
    utf8(
      schema ?? {
        formatVersion: 2,
        columns: columns.map((name) => ({ name, type: 'number', steps: [{ kind: 'passthrough' }] })),
        features: columns,
        width: columns.length,
      },
    ),
  );
  if (golden) files.set('golden.json', utf8(golden));
  const manifest = {
    formatVersion: 1,
    name: 'io',
    version: '1.0.0',
    createdAt: '2026-01-01T00:00:00.000Z',
    files: await Promise.all([...files].map(async ([path, bytes]) => ({ path, bytes: bytes.byteLength, sha256: await hex(bytes) }))),
    schema: 'schema.json',
    ...(golden ? { golden: 'golden.json' } : {}),
    ...extra,
  };
  files.set('manifest.json', utf8(manifest));
  return files;
}

/** Two inputs (3 floats; 2 int32 token ids) → two outputs (softmax over 4; 2×3 regression grid). */
export function twoByTwo(): tfl.LayersModel {
  const a = tfl.input({ shape: [3], name: 'features' });
  const ids = tfl.input({ shape: [2], dtype: 'int32', name: 'ids' });
  const embedded = tfl.layers.flatten().apply(tfl.layers.embedding({ inputDim: 5, outputDim: 2 }).apply(ids)) as tfl.SymbolicTensor;
  const joined = tfl.layers.concatenate().apply([a, embedded]) as tfl.SymbolicTensor;
  const hidden = tfl.layers.dense({ units: 8, activation: 'relu' }).apply(joined) as tfl.SymbolicTensor;
  const probs = tfl.layers.dense({ units: 4, activation: 'softmax', name: 'probs' }).apply(hidden) as tfl.SymbolicTensor;
  const grid = tfl.layers.reshape({ targetShape: [2, 3], name: 'grid' }).apply(tfl.layers.dense({ units: 6 }).apply(hidden)) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: [a, ids], outputs: [probs, grid] });
  seed(model);
  return model;
}
