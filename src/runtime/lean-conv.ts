/**
 * The lean path for convolutional layers models (MobileNet-style graphs, small CNNs): the
 * model's layers read once into tfjs ops, with each convolution block fused at load —
 * ZeroPadding2D into the convolution's explicit padding, BatchNormalization folded into its
 * weights and bias, ReLU/ReLU6 into its activation — so a block is one `tf.fused.conv2d` /
 * `tf.fused.depthwiseConv2d` instead of four kernels each reading and writing the whole
 * feature map, as ONNX Runtime's graph optimiser does. Load checks the result against
 * `predict` before using it (session.ts), so an unusual layer never changes an answer.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Forward } from './lean.js';

/** The parts of tfjs-layers layers read here (internals, stable across tfjs 3–4). */
interface Layer {
  name: string;
  getClassName(): string;
  inboundNodes: Array<{ inboundLayers: Layer[] }>;
  kernel?: { read(): tf.Tensor } | null;
  depthwiseKernel?: { read(): tf.Tensor } | null;
  bias?: { read(): tf.Tensor } | null;
  gamma?: { read(): tf.Tensor } | null;
  beta?: { read(): tf.Tensor } | null;
  movingMean?: { read(): tf.Tensor };
  movingVariance?: { read(): tf.Tensor };
  activation?: { getClassName(): string; apply(x: tf.Tensor): tf.Tensor } | null;
  strides?: number[];
  poolSize?: number[];
  padding?: string | number[][];
  dilationRate?: number | number[];
  dataFormat?: string;
  axis?: number | number[];
  epsilon?: number;
  maxValue?: number | null;
  /** Unknown dimensions are null (tfjs-layers' Reshape). */
  targetShape?: Array<number | null>;
}

/** A convolution with what was fused into it. */
interface ConvOp {
  kind: 'conv';
  depthwise: boolean;
  filter: tf.Tensor4D;
  bias?: tf.Tensor1D;
  strides: [number, number];
  dilations: [number, number];
  pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
  activation: 'linear' | 'relu' | 'relu6';
  /** What an activation tf.fused cannot apply does after it. */
  after?: (x: tf.Tensor) => tf.Tensor;
}

/** A ZeroPadding2D's `[[top, bottom], [left, right]]`, kept so a following 'valid' convolution can take it. */
type Pads = [[number, number], [number, number]];

type Op = { name: string; inputs: string[] } & (ConvOp | { kind: 'op'; run: (xs: tf.Tensor[]) => tf.Tensor; zeroPad?: Pads } | { kind: 'identity' });

/** A convolutional model read into fused ops, or why it cannot be. */
export type ConvGraph = { forward: Forward; convs: number; folded: number; weights: tf.Tensor[] } | { reason: string };

const IDENTITY = new Set(['Dropout', 'SpatialDropout2D', 'AlphaDropout', 'GaussianDropout', 'GaussianNoise']);
const FUSED = new Set(['relu', 'linear', 'relu6']);

/** `'relu'`/`'relu6'` for a ReLU or Activation layer whose whole effect tf.fused can apply, else undefined. */
function fusableActivation(layer: Layer): 'relu' | 'relu6' | undefined {
  const kind = layer.getClassName();
  if (kind === 'ReLU') return layer.maxValue == null ? 'relu' : layer.maxValue === 6 ? 'relu6' : undefined;
  const name = layer.activation?.getClassName();
  return kind === 'Activation' && (name === 'relu' || name === 'relu6') ? name : undefined;
}

/**
 * Folds inference BatchNormalization into a convolution: per output channel
 * `s = gamma / sqrt(variance + epsilon)`, `W' = W · s`, `b' = (b − mean) · s + beta`.
 */
function fold(op: ConvOp, bn: Layer, weights: tf.Tensor[]): void {
  const f = op.filter.dataSync() as Float32Array;
  const out = op.filter.shape[3] * (op.depthwise ? op.filter.shape[2] : 1);
  const mean = bn.movingMean!.read().dataSync();
  const variance = bn.movingVariance!.read().dataSync();
  const gamma = bn.gamma ? bn.gamma.read().dataSync() : undefined;
  const beta = bn.beta ? bn.beta.read().dataSync() : undefined;
  const b = op.bias?.dataSync();
  const eps = bn.epsilon ?? 1e-3;
  const s = new Float64Array(out);
  const bias = new Float32Array(out);
  for (let c = 0; c < out; c++) {
    s[c] = (gamma ? gamma[c]! : 1) / Math.sqrt(variance[c]! + eps);
    bias[c] = ((b ? b[c]! : 0) - mean[c]!) * s[c]! + (beta ? beta[c]! : 0);
  }
  // Filters are [kh, kw, in, out] (conv) or [kh, kw, in, multiplier] (depthwise: channel in · m + k):
  // either way the output channel is the index within the last two dimensions' product.
  const folded = new Float32Array(f.length);
  for (let i = 0; i < f.length; i++) folded[i] = f[i]! * s[i % out]!;
  op.filter = tf.tensor4d(folded, op.filter.shape);
  op.bias = tf.tensor1d(bias);
  weights.push(op.filter, op.bias);
}

/** Reads a single-input, single-output convolutional layers model into fused ops. */
export function readConvGraph(model: LayersModel): ConvGraph {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return { reason: 'the model does not have one input and one output' };
  const layers = model.layers as unknown as Layer[];
  const consumers = new Map<string, number>();
  for (const layer of layers) {
    if (layer.inboundNodes.length !== 1) return { reason: `layer ${layer.name} is called ${layer.inboundNodes.length} times` };
    for (const from of layer.inboundNodes[0]!.inboundLayers) consumers.set(from.name, (consumers.get(from.name) ?? 0) + 1);
  }
  const output = (model.outputs[0] as unknown as { sourceLayer: Layer }).sourceLayer.name;
  consumers.set(output, (consumers.get(output) ?? 0) + 1);
  const only = (name: string) => consumers.get(name) === 1;
  const ops: Op[] = [];
  const byName = new Map<string, Op>();
  // Layers fused into an earlier op (BatchNormalization, ReLU) answer with that op's value.
  const alias = new Map<string, string>();
  const weights: tf.Tensor[] = [];
  let input: string | undefined;
  let convs = 0;
  let folded = 0;
  for (const layer of layers) {
    const kind = layer.getClassName();
    const raw = layer.inboundNodes[0]!.inboundLayers.map((l) => l.name);
    const inputs = raw.map((n) => alias.get(n) ?? n);
    for (const from of layer.inboundNodes[0]!.inboundLayers) if (from.getClassName() === 'InputLayer') input ??= from.name;
    const src = byName.get(inputs[0] ?? '');
    const fuse = (into: Op) => (alias.set(layer.name, into.name), byName.set(layer.name, into));
    const add = (op: Op) => (ops.push(op), byName.set(op.name, op));
    if (kind === 'InputLayer') {
      input ??= layer.name;
      continue;
    }
    if (layer.dataFormat !== undefined && layer.dataFormat !== 'channelsLast') return { reason: `layer ${layer.name} is channelsFirst` };
    if (IDENTITY.has(kind)) {
      add({ kind: 'identity', name: layer.name, inputs });
      continue;
    }
    if (kind === 'Conv2D' || kind === 'DepthwiseConv2D') {
      const depthwise = kind === 'DepthwiseConv2D';
      const filter = (depthwise ? layer.depthwiseKernel : layer.kernel)?.read() as tf.Tensor4D | undefined;
      const act = layer.activation?.getClassName() ?? 'linear';
      const dil = typeof layer.dilationRate === 'number' ? [layer.dilationRate, layer.dilationRate] : (layer.dilationRate ?? [1, 1]);
      if (!filter || filter.rank !== 4) return { reason: `layer ${layer.name} has no 2-D kernel` };
      let pad: ConvOp['pad'] = layer.padding === 'same' ? 'same' : 'valid';
      let from = inputs;
      // A ZeroPadding2D feeding only this 'valid' convolution becomes its explicit padding.
      if (src?.kind === 'op' && src.zeroPad && pad === 'valid' && only(raw[0]!)) {
        const [[t, b], [l, r]] = src.zeroPad;
        pad = [
          [0, 0],
          [t, b],
          [l, r],
          [0, 0],
        ];
        from = src.inputs;
      }
      const op: ConvOp & Op = {
        kind: 'conv',
        name: layer.name,
        inputs: from,
        depthwise,
        filter,
        strides: [layer.strides?.[0] ?? 1, layer.strides?.[1] ?? 1],
        dilations: [dil[0] ?? 1, dil[1] ?? 1],
        pad,
        activation: FUSED.has(act) ? (act as ConvOp['activation']) : 'linear',
      };
      if (layer.bias) op.bias = layer.bias.read() as tf.Tensor1D;
      if (!FUSED.has(act)) op.after = (x) => layer.activation!.apply(x);
      convs++;
      add(op);
      continue;
    }
    if (kind === 'BatchNormalization') {
      const axis = Array.isArray(layer.axis) ? layer.axis : [layer.axis ?? -1];
      const last = model.inputs[0]!.shape.length - 1;
      if (axis.length !== 1 || (axis[0] !== -1 && axis[0] !== last))
        return { reason: `layer ${layer.name} normalises axis ${String(layer.axis)}, not channels` };
      if (src?.kind === 'conv' && src.activation === 'linear' && !src.after && only(raw[0]!)) {
        fold(src, layer, weights);
        folded++;
        fuse(src);
        continue;
      }
      const [mean, variance] = [layer.movingMean!.read(), layer.movingVariance!.read()];
      const [gamma, beta] = [layer.gamma?.read(), layer.beta?.read()];
      const eps = layer.epsilon ?? 1e-3;
      add({ kind: 'op', name: layer.name, inputs, run: ([x]) => tf.batchNorm(x!, mean, variance, beta, gamma, eps) });
      continue;
    }
    const fusable = kind === 'ReLU' || kind === 'Activation' ? fusableActivation(layer) : undefined;
    if (fusable && src?.kind === 'conv' && src.activation === 'linear' && !src.after && only(raw[0]!)) {
      src.activation = fusable;
      fuse(src);
      continue;
    }
    if (kind === 'ReLU') {
      const max = layer.maxValue;
      add({ kind: 'op', name: layer.name, inputs, run: ([x]) => (max == null ? tf.relu(x!) : tf.clipByValue(x!, 0, max)) });
    } else if (kind === 'Activation') {
      const act = layer.activation!;
      add({ kind: 'op', name: layer.name, inputs, run: ([x]) => act.apply(x!) });
    } else if (kind === 'ZeroPadding2D') {
      const p = layer.padding as Pads;
      add({ kind: 'op', name: layer.name, inputs, zeroPad: p, run: ([x]) => tf.pad(x!, [[0, 0], p[0], p[1], [0, 0]]) });
    } else if (kind === 'Add') {
      add({ kind: 'op', name: layer.name, inputs, run: (xs) => (xs.length === 2 ? tf.add(xs[0]!, xs[1]!) : tf.addN(xs)) });
    } else if (kind === 'AveragePooling2D' || kind === 'MaxPooling2D') {
      const pool = layer.poolSize as [number, number];
      const strides = (layer.strides ?? pool) as [number, number];
      const pad = layer.padding === 'same' ? 'same' : 'valid';
      const fn = kind === 'MaxPooling2D' ? tf.maxPool : tf.avgPool;
      add({ kind: 'op', name: layer.name, inputs, run: ([x]) => fn(x as tf.Tensor4D, pool, strides, pad) });
    } else if (kind === 'GlobalAveragePooling2D' || kind === 'GlobalMaxPooling2D') {
      const fn = kind === 'GlobalMaxPooling2D' ? tf.max : tf.mean;
      add({ kind: 'op', name: layer.name, inputs, run: ([x]) => fn(x!, [1, 2]) });
    } else if (kind === 'Flatten') {
      add({ kind: 'op', name: layer.name, inputs, run: ([x]) => tf.reshape(x!, [x!.shape[0], -1]) });
    } else if (kind === 'Reshape' && layer.targetShape?.every((d) => d !== null)) {
      const target = layer.targetShape;
      add({ kind: 'op', name: layer.name, inputs, run: ([x]) => tf.reshape(x!, [x!.shape[0], ...target]) });
    } else if (kind === 'Dense' && layer.kernel) {
      const b = layer.kernel.read() as tf.Tensor2D;
      const bias = layer.bias ? { bias: layer.bias.read() } : {};
      const act = layer.activation?.getClassName() ?? 'linear';
      const apply = layer.activation;
      const own = layer as unknown as { apply(x: tf.Tensor): tf.Tensor };
      // A Dense on a feature map (rank > 2) acts on the last axis: the layer's own call does that.
      const dense = FUSED.has(act)
        ? (x: tf.Tensor) => tf.fused.matMul({ a: x, b, ...bias, activation: act as 'relu' })
        : (x: tf.Tensor) => apply!.apply(tf.fused.matMul({ a: x, b, ...bias }));
      add({ kind: 'op', name: layer.name, inputs, run: ([x]) => (x!.rank === 2 ? dense(x!) : own.apply(x!)) });
    } else {
      return { reason: `layer ${layer.name} (${kind}) has no fused form here` };
    }
  }
  if (convs === 0) return { reason: 'the model has no convolution' };
  if (input === undefined) return { reason: 'the model has no input layer' };
  const inputName = input;
  if (!byName.has(output)) return { reason: `the output layer ${output} was not read` };
  const outName = alias.get(output) ?? output;
  return {
    convs,
    folded,
    weights,
    forward: (x) => {
      const values = new Map<string, tf.Tensor>([[inputName, x]]);
      for (const op of ops) {
        const xs = op.inputs.map((n) => values.get(n)!);
        let y: tf.Tensor;
        if (op.kind === 'identity') y = xs[0]!;
        else if (op.kind === 'op') y = op.run(xs);
        else {
          const args = { x: xs[0] as tf.Tensor4D, filter: op.filter, strides: op.strides, pad: op.pad, dilations: op.dilations, activation: op.activation };
          const withBias = op.bias ? { ...args, bias: op.bias } : args;
          // tf.fused.depthwiseConv2d's type takes no explicit padding, but it computes its shapes
          // with conv_util's computeConv2DInfo like conv2d, which does (and load checks the result).
          y = op.depthwise ? tf.fused.depthwiseConv2d(withBias as Parameters<typeof tf.fused.depthwiseConv2d>[0]) : tf.fused.conv2d(withBias);
          if (op.after) y = op.after(y);
        }
        values.set(op.name, y);
      }
      return values.get(outName)!;
    },
  };
}
