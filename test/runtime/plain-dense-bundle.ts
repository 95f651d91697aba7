// A dense-chain bundle written without tfjs (for loadModel's `files`), for test files that must
// keep tfjs off the page: the Keras topology tfjs-layers saves, float32 weights, numeric
// passthrough columns x0…x(n−1), and golden outputs from a float64 reference written here (not
// from the kernel under test).
import { passthroughSchema, utf8, values, withManifest } from './bundle-files.js';

/** A Dense layer: units and activation (`relu`, `softmax` or `linear`). */
export type PlainDenseSpec = [units: number, activation: 'relu' | 'softmax' | 'linear'];

/**
 * The files of a classification bundle `name`@1.0.0: a Sequential chain of `layers` over `width`
 * inputs, its kernel and bias values from {@link values} (seeded from `seed`), and `rows` as golden rows.
 */
export async function plainDenseBundle(
  name: string,
  width: number,
  layers: readonly PlainDenseSpec[],
  rows: Array<Record<string, number>>,
  seed = 1,
): Promise<Map<string, Uint8Array>> {
  const weights: Array<{ kernel: Float32Array; bias: Float32Array; units: number; activation: string }> = [];
  let inputs = width;
  layers.forEach(([units, activation], i) => {
    weights.push({ kernel: values(inputs * units, seed + 2 * i), bias: values(units, seed + 2 * i + 1, 0.25), units, activation });
    inputs = units;
  });
  const topology = {
    class_name: 'Sequential',
    config: {
      name: 'sequential',
      layers: weights.map((w, i) => ({
        class_name: 'Dense',
        config: {
          name: `dense${i}`,
          units: w.units,
          activation: w.activation,
          use_bias: true,
          dtype: 'float32',
          ...(i === 0 ? { batch_input_shape: [null, width] } : {}),
        },
      })),
    },
  };
  const specs = weights.flatMap((w, i) => [
    { name: `dense${i}/kernel`, shape: [w.kernel.length / w.units, w.units], dtype: 'float32' },
    { name: `dense${i}/bias`, shape: [w.units], dtype: 'float32' },
  ]);
  const bin = new Uint8Array(weights.reduce((n, w) => n + (w.kernel.length + w.bias.length) * 4, 0));
  let at = 0;
  for (const w of weights)
    for (const part of [w.kernel, w.bias]) {
      bin.set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength), at);
      at += part.byteLength;
    }
  // The reference: float64 arithmetic over the float32 weights.
  const outputs = rows.map((row) => {
    let x = Array.from({ length: width }, (_, c) => row[`x${c}`]!);
    for (const w of weights) {
      const y = Array.from({ length: w.units }, (_, u) => {
        let sum = w.bias[u]!;
        for (let k = 0; k < x.length; k++) sum += x[k]! * w.kernel[k * w.units + u]!;
        return sum;
      });
      if (w.activation === 'relu') x = y.map((v) => Math.max(0, v));
      else if (w.activation === 'softmax') {
        const top = Math.max(...y);
        const e = y.map((v) => Math.exp(v - top));
        const total = e.reduce((a, b) => a + b, 0);
        x = e.map((v) => v / total);
      } else x = y;
    }
    return x.map((v) => Number(v.toPrecision(9)));
  });
  const files = new Map<string, Uint8Array>([
    ['model.json', utf8({ format: 'layers-model', modelTopology: topology, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] })],
    ['weights.bin', bin],
    ['schema.json', passthroughSchema(width)],
    ['golden.json', utf8({ rows, outputs })],
  ]);
  return withManifest(name, files, { kind: 'classification', labels: Array.from({ length: layers.at(-1)![0] }, (_, i) => `c${i}`) });
}
