/**
 * tfjs for training in plain Node: pure-JS cpu backend (tfjs-node would download a native
 * binary, which this project's machines cannot), deterministic for a fixed seed because
 * the cpu kernels run single-threaded in a fixed order.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export { tf, tfl };

/** Selects the cpu backend once; silences tfjs's "use tfjs-node" hint, which does not apply here. */
export async function initTfjs(): Promise<void> {
  tf.env().set('IS_NODE', true);
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  await tf.ready();
}

/** Options for {@link saveLayersModel}. */
export interface SaveOptions {
  /** Store weights as affine uint8 (`value = q * scale + min`, per tensor), which tfjs dequantizes at load. @default false */
  quantize?: 'uint8' | false;
}

/**
 * Writes `model.json` + `group1-shard1of1.bin` into `dir` in the tfjs layers-model format.
 * With `quantize: 'uint8'` the model's own weights are replaced by their dequantized values,
 * so evaluating and making golden vectors afterwards measures exactly what ships.
 */
export async function saveLayersModel(model: tfl.LayersModel, dir: string, options: SaveOptions = {}): Promise<{ bytes: number }> {
  if (options.quantize === 'uint8') quantizeInPlace(model);
  let bytes = 0;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      mkdirSync(dir, { recursive: true });
      let specs = artifacts.weightSpecs ?? [];
      let data = new Uint8Array(artifacts.weightData as ArrayBuffer);
      if (options.quantize === 'uint8') ({ specs, data } = quantizeArtifacts(specs, data));
      const modelJson = {
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: specs }],
      };
      writeFileSync(join(dir, 'model.json'), `${JSON.stringify(modelJson)}\n`);
      writeFileSync(join(dir, 'group1-shard1of1.bin'), data);
      bytes = data.byteLength;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  return { bytes };
}

interface Affine {
  scale: number;
  min: number;
}

function affine(values: Float32Array): Affine {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return { min: lo, scale: hi > lo ? (hi - lo) / 255 : 1 };
}

const quantizeValue = (v: number, q: Affine) => Math.min(255, Math.max(0, Math.round((v - q.min) / q.scale)));

/** Replaces each weight with its uint8 round trip, so the in-memory model equals the shipped one. */
function quantizeInPlace(model: tfl.LayersModel): void {
  const next = model.getWeights().map((w) => {
    const values = w.dataSync() as Float32Array;
    const q = affine(values);
    return tf.tensor(
      Float32Array.from(values, (v) => quantizeValue(v, q) * q.scale + q.min),
      w.shape,
    );
  });
  model.setWeights(next);
  next.forEach((t) => t.dispose());
}

function quantizeArtifacts(specs: tf.io.WeightsManifestEntry[], data: Uint8Array) {
  const out: number[] = [];
  let offset = 0;
  const qspecs = specs.map((spec) => {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(data.buffer, data.byteOffset + offset, n);
    offset += n * 4;
    const q = affine(values);
    for (const v of values) out.push(quantizeValue(v, q));
    return { ...spec, quantization: { dtype: 'uint8' as const, scale: q.scale, min: q.min } };
  });
  return { specs: qspecs, data: Uint8Array.from(out) };
}

/** sha256 (hex) of the concatenated weight bytes of a model: the reproducibility fingerprint. */
export async function weightsDigest(model: tfl.LayersModel): Promise<string> {
  const { createHash } = await import('node:crypto');
  const h = createHash('sha256');
  for (const w of model.getWeights()) h.update(Buffer.from((w.dataSync() as Float32Array).buffer));
  return h.digest('hex');
}
