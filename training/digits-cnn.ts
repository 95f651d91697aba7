/**
 * The digits CNN (digits 2.0.0): Conv2D 5×5×16 (ReLU) → MaxPool 2×2 → Conv2D 3×3×32 (ReLU) →
 * MaxPool 2×2 → Dense 64 (ReLU) → Dense 10 (softmax) over the same 28×28 input and schema column
 * as the MLP (./digits.ts).
 *
 * Trained as the same network written with matMuls: the pure-JS cpu backend's Conv2D backprop
 * ran ~130 s per 1,000 rows here (2 vCPU), and tfjs's WASM backend has no Conv2DBackpropFilter
 * (nor the UnsortedSegmentSum that a gather's gradient needs). So each convolution is an im2col:
 * the first layer's 5×5 patches of the input are gathered once per batch (the input needs no
 * gradient) and multiplied by the kernel as a [25, 16] matrix; the second layer's 3×3 patches are
 * nine slices of the pooled activations concatenated along channels (slice and concat have WASM
 * gradients), multiplied by its kernel as a [144, 32] matrix. The trained weights are then set on
 * a standard tfjs layers model (Reshape → Conv2D → MaxPooling2D → Conv2D → MaxPooling2D →
 * Flatten → Dense → Dense), which is what ships; its outputs are checked against the training
 * forward pass before packing.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { loadDigits } from './digits.js';
import { progressBar } from './progress.js';
import { seededRandom, shuffledIndices, stratifiedSplit } from './random.js';
import { tf, tfl } from './tfjs.js';

const require = createRequire(import.meta.url);

/** tfjs's WASM backend, its binaries read from node_modules. */
async function useWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
  if (!(await tf.setBackend('wasm'))) throw new Error('digits CNN: the tfjs WASM backend did not start');
  await tf.ready();
}

const SIDE = 28;
const SIZE = SIDE * SIDE;
const K = 5;
const FILTERS = 16;
const OUT = SIDE - K + 1; // 24
const POOLED = OUT / 2; // 12
const K2 = 3;
const FILTERS2 = 32;
const OUT2 = POOLED - K2 + 1; // 10
const POOLED2 = OUT2 / 2; // 5

/** Input indices of every 5×5 patch, output position-major then (ky, kx): the Conv2D kernel's own order. */
function patchIndices(): Int32Array {
  const idx = new Int32Array(OUT * OUT * K * K);
  let i = 0;
  for (let oy = 0; oy < OUT; oy++)
    for (let ox = 0; ox < OUT; ox++) for (let ky = 0; ky < K; ky++) for (let kx = 0; kx < K; kx++) idx[i++] = (oy + ky) * SIDE + ox + kx;
  return idx;
}

/** The shipped architecture, with seeded initial weights. */
export function digitsCnnModel(seed: number): tfl.Sequential {
  return tfl.sequential({
    layers: [
      tfl.layers.reshape({ inputShape: [SIZE], targetShape: [SIDE, SIDE, 1] }),
      tfl.layers.conv2d({ filters: FILTERS, kernelSize: K, activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed: seed + 1 }) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: FILTERS2, kernelSize: K2, activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed: seed + 6 }) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 64, activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed: seed + 2 }) }),
      tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 3 }) }),
    ],
  });
}

export interface DigitsCnnOptions {
  seed: number;
  epochs: number;
  /** Use only the first `limit` rows of the (shuffled) training split, for fast checks. */
  limit?: number;
}

/** Trains the digits CNN; returns the layers model (trained weights set) and held-out accuracy. Deterministic for a seed. */
export async function trainDigitsCnn(options: DigitsCnnOptions) {
  // Trained on tfjs's WASM backend (XNNPACK, one thread in Node): the same steps on the pure-JS cpu
  // backend take ~10× longer. Evaluation, the layers-model check and golden outputs run on cpu.
  const previous = tf.getBackend();
  await useWasm();
  const data = loadDigits();
  const split = stratifiedSplit(data.labels.map(String), 0.15, options.seed);
  const trainIdx = options.limit ? split.train.slice(0, options.limit) : split.train;
  const model = digitsCnnModel(options.seed);
  const [k1, b1, c2, cb2, k2, b2, k3, b3] = model.getWeights();
  const v = {
    k1: tf.variable(tf.reshape(k1!, [K * K, FILTERS])),
    b1: tf.variable(b1!),
    c2: tf.variable(tf.reshape(c2!, [K2 * K2 * FILTERS, FILTERS2])),
    cb2: tf.variable(cb2!),
    k2: tf.variable(k2!),
    b2: tf.variable(b2!),
    k3: tf.variable(k3!),
    b3: tf.variable(b3!),
  };
  const patches = tf.tensor1d(patchIndices(), 'int32');
  /** Logits of `x` [n, 784] (values 0..1). */
  const logits = (x: tf.Tensor2D) =>
    tf.tidy(() => {
      const n = x.shape[0];
      const cols = tf.reshape(tf.gather(x, patches, 1), [n * OUT * OUT, K * K]);
      const conv = tf.reshape<tf.Rank.R4>(tf.relu(tf.add(tf.matMul(cols, v.k1), v.b1)), [n, OUT, OUT, FILTERS]);
      const pooled = tf.maxPool(conv, 2, 2, 'valid');
      // (ky, kx, channel) along the last axis: the [3, 3, 16, 32] kernel's own order.
      const slices: tf.Tensor4D[] = [];
      for (let ky = 0; ky < K2; ky++) for (let kx = 0; kx < K2; kx++) slices.push(tf.slice(pooled, [0, ky, kx, 0], [n, OUT2, OUT2, FILTERS]));
      const cols2 = tf.reshape(tf.concat(slices, 3), [n * OUT2 * OUT2, K2 * K2 * FILTERS]);
      const conv2 = tf.reshape<tf.Rank.R4>(tf.relu(tf.add(tf.matMul(cols2, v.c2), v.cb2)), [n, OUT2, OUT2, FILTERS2]);
      const pooled2 = tf.reshape(tf.maxPool(conv2, 2, 2, 'valid'), [n, POOLED2 * POOLED2 * FILTERS2]);
      const hidden = tf.relu(tf.add(tf.matMul(pooled2, v.k2), v.b2));
      return tf.add<tf.Tensor2D>(tf.matMul(hidden, v.k3), v.b3);
    });
  const take = (idx: number[]) => {
    const xs = new Float32Array(idx.length * SIZE);
    idx.forEach((r, i) => xs.set(data.x.subarray(r * SIZE, (r + 1) * SIZE), i * SIZE));
    return tf.tensor2d(xs, [idx.length, SIZE]);
  };
  // Augmentation: each training digit shifted by a seeded random −2…2 pixels per axis (8,500
  // digits are few for a CNN; a shifted digit is still that digit). Held-out rows are never shifted.
  const shift = seededRandom(options.seed + 5);
  const takeShifted = (idx: number[]) => {
    const xs = new Float32Array(idx.length * SIZE);
    idx.forEach((r, i) => {
      const dx = Math.floor(shift() * 5) - 2;
      const dy = Math.floor(shift() * 5) - 2;
      const src = data.x.subarray(r * SIZE, (r + 1) * SIZE);
      for (let y = Math.max(0, dy); y < Math.min(SIDE, SIDE + dy); y++)
        for (let x = Math.max(0, dx); x < Math.min(SIDE, SIDE + dx); x++) xs[i * SIZE + y * SIDE + x] = src[(y - dy) * SIDE + x - dx]!;
    });
    return tf.tensor2d(xs, [idx.length, SIZE]);
  };
  // Adam at 0.002, then the last third of the epochs at 0.0005 (a fresh optimizer: a step decay).
  const decayFrom = Math.ceil((options.epochs * 2) / 3);
  let optimizer = tf.train.adam(0.002);
  const random = seededRandom(options.seed + 4);
  const batchSize = 64;
  const steps = Math.ceil(trainIdx.length / batchSize) * options.epochs;
  const bar = progressBar(`digits CNN (${options.epochs} ep)`, steps);
  let step = 0;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    // Our own seeded order per epoch, as the MLP's.
    const order = shuffledIndices(trainIdx.length, random).map((i) => trainIdx[i]!);
    if (epoch === decayFrom) {
      optimizer.dispose();
      optimizer = tf.train.adam(0.0005);
    }
    for (let from = 0; from < order.length; from += batchSize) {
      const batch = order.slice(from, from + batchSize);
      const x = takeShifted(batch);
      const y = tf.oneHot(
        tf.tensor1d(
          batch.map((r) => data.labels[r]!),
          'int32',
        ),
        10,
      );
      const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, logits(x)), true);
      bar.update(++step, `loss ${(await loss!.data())[0]!.toFixed(3)}`);
      tf.dispose([x, y, loss!]);
    }
  }
  bar.finish();
  await tf.setBackend(previous);
  // The trained weights on the layers model that ships.
  model.setWeights([tf.reshape(v.k1, [K, K, 1, FILTERS]), v.b1, tf.reshape(v.c2, [K2, K2, FILTERS, FILTERS2]), v.cb2, v.k2, v.b2, v.k3, v.b3]);
  const predict = (idx: number[], fn: (x: tf.Tensor2D) => tf.Tensor) => {
    const x = take(idx);
    const out = tf.tidy(() => fn(x).arraySync() as number[][]);
    x.dispose();
    return out;
  };
  // The layers model must compute what was trained (softmax of the training logits).
  const probe = split.test.slice(0, 64);
  const trained = predict(probe, (x) => tf.softmax(logits(x)));
  const shipped = predict(probe, (x) => model.predict(x) as tf.Tensor);
  const diff = Math.max(...trained.flatMap((row, i) => row.map((p, j) => Math.abs(p - shipped[i]![j]!))));
  if (!(diff < 1e-4)) throw new Error(`digits CNN: the layers model differs from the trained network by ${diff}`);
  tf.dispose([...Object.values(v), patches]);
  optimizer.dispose();
  const evaluate = () => {
    const x = take(split.test);
    const pred = tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, 1).dataSync());
    x.dispose();
    return split.test.filter((r, i) => pred[i] === data.labels[r]).length / split.test.length;
  };
  return { model, data, split, evaluate, trainRows: trainIdx.length };
}
