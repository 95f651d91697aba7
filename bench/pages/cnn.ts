// Page for the `cnn` item: image models through ferryml and through hand-written raw tfjs (and,
// on wasm, ONNX Runtime Web) on one page and one tfjs backend, measured in interleaved rounds.
// Models: the digits CNN (golden rows: 28×28 gray pixels) and MobileNetV2 at 224×224×3 (nsfwjs,
// fed deterministic 224×224 ImageData pictures). The baselines do what a developer writes next
// to raw tfjs: pixels → tensor × scale + offset (the schema's constants) → predict → data() →
// arg-max. The preprocessing comparison times ferryml's image step on a 640×480 frame against
// tf.browser.fromPixels + tf.image.resizeBilinear + normalise on the same backend.
// The orchestrator (bench/items/cnn.ts) drives it through `window.bench`.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-web/wasm';
import { loadModel, type LoadModelOptions, type Manifest, type Model, type Schema } from '../../src/index.js';
import { compileSchema } from '../../src/entries/schema.js';
import { decode, splitRows } from './pipeline.js';
import { interleave, sequential, type Interleaved, type Work } from './timing.js';

/** One model the page compares. */
export interface CnnModelSetup {
  /** Variant prefix (`digits`, `mobilenet`). */
  key: string;
  /** URL path of the bundle directory (manifest.json, schema.json, model.json). */
  bundle: string;
  /** How ferryml loads it (registry pin or bundle URL, backend forced). */
  ferry: LoadModelOptions;
  /** Inputs: the bundle's golden rows, or `pictures` deterministic 224×224 ImageData. */
  inputs: 'golden' | { pictures: number; width: number; height: number };
  /** URL of an ONNX file built from the same weights (NHWC input `input`, output `output`); wasm only. */
  onnx?: string;
  /** Also load ferryml with `lean: false` (`<key>:ferry-nolean`: LayersModel.predict, like the baseline). */
  nolean?: boolean;
}

type Row = { image: unknown };
/** A compared path: one row in, a decoded prediction out; `outputs` for the equality check. */
interface Path {
  predict(row: Row): Promise<unknown>;
  batch(rows: readonly Row[]): Promise<unknown>;
  outputs(rows: readonly Row[]): Promise<number[][]>;
}

const paths = new Map<string, Path>();
const inputs = new Map<string, Row[]>();
const models: Model[] = [];

async function json<T>(url: string): Promise<T> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return (await r.json()) as T;
}

/** A deterministic picture (the same generator as test/runtime/mobilenet.test.ts). */
export function picture(seed: number, width: number, height: number): ImageData {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = i % 4 === 3 ? 255 : (Math.imul(i, 2654435761 + seed) >>> 24) ^ (((i >> 9) * seed) & 255);
  return new ImageData(data, width, height);
}

/** A smooth 640×480 "camera frame" (gradients and rings, so resampling has structure to keep). */
function frame(width: number, height: number): ImageData {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0, p = 0; y < height; y++) {
    for (let x = 0; x < width; x++, p += 4) {
      const r = Math.hypot(x - width / 2, y - height / 2);
      data[p] = (x * 255) / width;
      data[p + 1] = (y * 255) / height;
      data[p + 2] = 128 + 127 * Math.sin(r / 9);
      data[p + 3] = 255;
    }
  }
  return new ImageData(data, width, height);
}

/** The image step's constants, as a developer copies them from schema.json. */
function imageConstants(schema: Schema) {
  const col = schema.columns[0];
  const step = col?.steps[0];
  if (schema.columns.length !== 1 || col?.type !== 'image' || step?.kind !== 'image') throw new Error('the cnn page expects one image column');
  return { width: step.width, height: step.height, channels: step.channels, scale: step.scale, offset: step.offset };
}

/**
 * The hand-written pixels → Float32Array (HWC, × scale + offset) for a row whose image is the
 * model's size: gray arrays (digits golden rows) or RGBA ImageData (pictures).
 */
function handPixels(schema: Schema) {
  const { width, height, channels, scale, offset } = imageConstants(schema);
  const size = width * height * channels;
  const sc = (k: number) => scale[scale.length === 1 ? 0 : k]!;
  const of = (k: number) => offset[offset.length === 1 ? 0 : k]!;
  return {
    size,
    shape: [height, width, channels] as const,
    write(row: Row, out: Float32Array, at: number) {
      const img = row.image as { data: ArrayLike<number>; width: number; height: number };
      const src = img.data;
      const stride = src.length / (width * height);
      if (img.width !== width || img.height !== height || (stride !== channels && !(stride === 4 && channels === 3)))
        throw new Error(`hand-written baseline: ${img.width}×${img.height}×${stride} is not the model's ${width}×${height}×${channels}`);
      for (let i = 0, p = 0; i < width * height; i++, p += stride) for (let k = 0; k < channels; k++) out[at + i * channels + k] = src[p + k]! * sc(k) + of(k);
    },
  };
}

/** Raw tfjs: the layers model on the page's backend, fed by the hand-written pixels. */
async function rawPath(bundle: string, manifest: Manifest, schema: Schema, labels: readonly string[]): Promise<Path> {
  const model = await tfl.loadLayersModel(`${bundle}/${manifest.model.entry}`);
  const px = handPixels(schema);
  const inShape = model.inputs[0]!.shape.slice(1) as number[];
  const backend = tf.getBackend();
  const run = async (rows: readonly Row[]) => {
    if (tf.getBackend() !== backend) await tf.setBackend(backend);
    const x = new Float32Array(rows.length * px.size);
    rows.forEach((row, i) => px.write(row, x, i * px.size));
    const input = tf.tensor(x, [rows.length, ...inShape], 'float32');
    const y = model.predict(input, { batchSize: rows.length }) as tf.Tensor;
    const out = await y.data();
    tf.dispose([input, y]);
    return out as Float32Array;
  };
  return {
    predict: async (row) => decode(await run([row]), labels),
    batch: async (rows) => {
      const out = await run(rows);
      return rows.map((_, i) => decode(out.subarray(i * labels.length, (i + 1) * labels.length), labels));
    },
    outputs: async (rows) => splitRows(await run(rows), labels.length),
  };
}

/** ONNX Runtime Web's wasm EP on the same weights (bench/onnx/build_onnx.py), same hand-written pixels. */
async function ortPath(onnxUrl: string, schema: Schema, labels: readonly string[]): Promise<Path> {
  ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  const session = await ort.InferenceSession.create(onnxUrl, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const px = handPixels(schema);
  const run = async (rows: readonly Row[]) => {
    const x = new Float32Array(rows.length * px.size);
    rows.forEach((row, i) => px.write(row, x, i * px.size));
    const result = await session.run({ input: new ort.Tensor('float32', x, [rows.length, ...px.shape]) });
    const out = result['output']!;
    const data = out.data as Float32Array;
    out.dispose();
    return data;
  };
  return {
    predict: async (row) => decode(await run([row]), labels),
    batch: async (rows) => {
      const out = await run(rows);
      return rows.map((_, i) => decode(out.subarray(i * labels.length, (i + 1) * labels.length), labels));
    },
    outputs: async (rows) => splitRows(await run(rows), labels.length),
  };
}

/** ferryml exactly as an app calls it. */
function ferryPath(model: Model): Path {
  return {
    predict: (row) => model.predict(row),
    batch: (rows) => model.predictBatch(rows),
    async outputs(rows) {
      const { predictions, issues } = await model.predictBatch(rows);
      if (predictions.some((p) => p === null)) throw new Error(`ferryml rejected rows: ${issues.map((i) => i.message).join('; ')}`);
      return predictions.map((p) => Array.from(p!.raw));
    },
  };
}

async function setup(backend: 'wasm' | 'cpu' | 'webgpu', list: CnnModelSetup[]) {
  setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to initialise`);
  await tf.ready();
  const info: Record<string, unknown> = {};
  for (const m of list) {
    const manifest = await json<Manifest>(`${m.bundle}/manifest.json`);
    const schema = await json<Schema>(`${m.bundle}/${manifest.schema}`);
    if (manifest.output.kind !== 'classification') throw new Error(`${m.key}: the cnn page expects a classification bundle`);
    const labels = manifest.output.labels;
    inputs.set(
      m.key,
      m.inputs === 'golden'
        ? (await json<{ rows: Row[] }>(`${m.bundle}/${manifest.golden ?? 'golden.json'}`)).rows
        : Array.from({ length: m.inputs.pictures }, (_, i) => ({
            image: picture(i + 1, (m.inputs as { width: number }).width, (m.inputs as { height: number }).height),
          })),
    );
    const t0 = performance.now();
    const model = await loadModel(m.ferry);
    const loadMs = performance.now() - t0;
    models.push(model);
    paths.set(`${m.key}:ferry`, ferryPath(model));
    const { backend: b, lean, leanReason, timings, goldenError } = model.info as unknown as Record<string, unknown>;
    info[m.key] = { backend: b, lean, leanReason, timings, goldenError, loadMs };
    if (m.nolean) {
      const plain = await loadModel({ ...m.ferry, lean: false });
      models.push(plain);
      paths.set(`${m.key}:ferry-nolean`, ferryPath(plain));
      info[`${m.key}-nolean`] = { lean: plain.info.lean, leanReason: plain.info.leanReason };
    }
    // The SDK may have moved tfjs to another backend while loading: the baselines use the page's.
    if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to initialise`);
    paths.set(`${m.key}:raw`, await rawPath(m.bundle, manifest, schema, labels));
    if (m.onnx) paths.set(`${m.key}:ort`, await ortPath(m.onnx, schema, labels));
  }
  return { backend: tf.getBackend(), variants: [...paths.keys()], ferry: info };
}

/** Largest |output − raw tfjs output| of each path on up to `n` inputs of each model (one batched call). */
async function check(n = 4): Promise<Record<string, number>> {
  const diff: Record<string, number> = {};
  for (const [key, rows] of inputs) {
    const some = rows.slice(0, n);
    const ref = await paths.get(`${key}:raw`)!.outputs(some);
    for (const [name, p] of paths) {
      if (!name.startsWith(`${key}:`)) continue;
      const got = await p.outputs(some);
      diff[name] = Math.max(...got.flatMap((r, i) => r.map((v, j) => Math.abs(v - ref[i]![j]!))));
    }
  }
  return diff;
}

const rowOf = (key: string, i: number) => {
  const rows = inputs.get(key)!;
  return rows[i % rows.length]!;
};

/**
 * Per-call latency at batch 1 of the named paths (`<model>:<variant>`), interleaved; `units`
 * fixed or calibrated; each round's sample the median of `medianOf` alternating sub-samples.
 */
function perCall(names: string[], rounds: number, units?: number, warmupMs = 400, medianOf = 1): Promise<Interleaved> {
  const works: Record<string, Work> = {};
  for (const name of names) works[name] = sequential((i) => paths.get(name)!.predict(rowOf(name.split(':')[0]!, i)));
  return interleave(works, { rounds, warmupMs, medianOf, ...(units ? { units } : {}) });
}

/** One call of `size` rows per unit, interleaved. */
function batch(names: string[], size: number, rounds: number, warmupMs = 400): Promise<Interleaved> {
  const works: Record<string, Work> = {};
  for (const name of names) {
    const key = name.split(':')[0]!;
    const rows = Array.from({ length: size }, (_, i) => rowOf(key, i));
    works[name] = async (n) => {
      for (let k = 0; k < n; k++) await paths.get(name)!.batch(rows);
    };
  }
  return interleave(works, { rounds, warmupMs, units: 1 });
}

/** Tensors tfjs holds now (a leak check across the timed rounds). */
const memory = () => ({ numTensors: tf.memory().numTensors, numBytes: tf.memory().numBytes });

// --- preprocessing: a 640×480 frame → 224×224×3 normalised input ---------------------------------

let prep: Record<string, () => void> | undefined;

/**
 * Sets up both preprocessing paths on the page's backend: ferryml's compiled image step
 * (`resize` as named in the schema) writing into one reused Float32Array, then the tensor the
 * model is fed (what ferryml's session makes); tfjs: fromPixels → resizeBilinear → × scale + offset.
 * Returns the largest difference between the two outputs.
 */
function prepSetup(resize: string, source: 'imagedata' | 'canvas') {
  const W = 224;
  const H = 224;
  const scale = [1 / 127.5];
  const offset = [-1];
  const schema = {
    formatVersion: 2,
    columns: [{ name: 'image', type: 'image', steps: [{ kind: 'image', width: W, height: H, channels: 3, resize, scale, offset }] }],
    features: [{ column: 'image', count: W * H * 3 }],
    width: W * H * 3,
  } as unknown as Schema;
  const compiled = compileSchema(schema);
  const img = frame(640, 480);
  let src: ImageData | OffscreenCanvas = img;
  if (source === 'canvas') {
    const canvas = new OffscreenCanvas(640, 480);
    canvas.getContext('2d')!.putImageData(img, 0, 0);
    src = canvas;
  }
  const rows = [{ image: src }];
  const out = new Float32Array(W * H * 3);
  const alignCorners = resize === 'bilinear-align-corners';
  const halfPixel = resize === 'bilinear-half-pixel';
  const tfjs = () =>
    tf.tidy(() =>
      tf.expandDims(
        tf.add(tf.mul(tf.image.resizeBilinear(tf.browser.fromPixels(src as ImageData, 3), [H, W], alignCorners, halfPixel), scale[0]!), offset[0]!),
        0,
      ),
    );
  const ferry = () => {
    const r = compiled.transformInto(rows, out);
    if (r.issues.length) throw new Error(r.issues.map((i) => i.message).join('; '));
    return tf.tensor(out, [1, H, W, 3], 'float32');
  };
  const a = ferry();
  const b = tfjs();
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
  tf.dispose([a, b]);
  prep = { ferry: () => ferry().dispose(), tfjs: () => tfjs().dispose() };
  return { maxAbsDiff: diff, backend: tf.getBackend() };
}

/** ferryml image step ÷ tfjs ops, interleaved (synchronous work: cpu and wasm), each round the median of `medianOf` sub-samples. */
function prepTime(rounds: number, medianOf = 1): Promise<Interleaved> {
  const works: Record<string, Work> = {};
  for (const [name, fn] of Object.entries(prep!))
    works[name] = async (n) => {
      for (let k = 0; k < n; k++) fn();
    };
  return interleave(works, { rounds, warmupMs: 300, calibrateWith: 3, targetMs: 30, medianOf });
}

Object.assign(window, { bench: { setup, check, perCall, batch, memory, prepSetup, prepTime } });
