/**
 * The lean path for small dense models: a single-input chain of Dense/Activation layers read
 * straight from the tfjs-layers model, run without `LayersModel.predict`'s per-call machinery
 * (input checks, symbolic topology walk, 32-row chunking). Two ways: as fused tfjs ops here
 * (every backend), or as plain JavaScript over the same weights (direct.ts, the cpu backend).
 * On a 9→16→3 MLP at batch 1 on WASM the fused ops measured ~3× less time per call than
 * `predict` (0.023 vs 0.076 ms). Load checks either way against `predict` before trusting it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { DenseStep } from './direct.js';

/** Forward pass on a `[rows, width]` input; call inside `tf.tidy`. */
export type Forward = (x: tf.Tensor) => tf.Tensor;

/** One step of a dense chain: a Dense layer (with `kernel`) or an Activation layer (without). */
export interface ChainStep {
  /** The layer's name, for the reasons `model.info` gives. */
  name: string;
  /** `[inputs, units]`, as tfjs-layers stores it. */
  kernel?: tf.Tensor2D;
  bias?: tf.Tensor1D;
  /** tfjs-layers activation name (`relu`, `softmax`, `linear`, …). */
  activation: string;
  /** The layer's own activation function (tfjs ops). */
  apply?: (x: tf.Tensor) => tf.Tensor;
}

/** A model read as a dense chain, or why it is not one. */
export type DenseChain = { steps: ChainStep[] } | { reason: string };

/** The parts of a tfjs-layers layer read here (internals, stable across tfjs 3–4). */
interface LayerInternals {
  name: string;
  getClassName(): string;
  inboundNodes: Array<{ inboundLayers: unknown[] }>;
  kernel?: { read(): tf.Tensor };
  bias?: { read(): tf.Tensor } | null;
  activation?: { getClassName(): string; apply(x: tf.Tensor): tf.Tensor } | null;
}

// Layers that are the identity at inference.
const IDENTITY = new Set(['InputLayer', 'Dropout', 'AlphaDropout', 'GaussianDropout', 'GaussianNoise', 'Flatten']);
// Activations tf.fused.matMul applies itself on cpu, wasm and webgpu (tfjs-core fused_types.ts).
// tfjs-layers fuses only relu/linear/elu; relu6 and sigmoid compute the same functions, and load
// checks the result against predict() on the backend in use.
const FUSED = new Set(['relu', 'linear', 'elu', 'relu6', 'sigmoid']);

/** Reads `model` as a single-input chain of Dense/Activation/identity layers. */
export function readDenseChain(model: LayersModel): DenseChain {
  if (model.inputs.length !== 1 || model.outputs.length !== 1 || model.inputs[0]?.shape.length !== 2) {
    return { reason: 'the model is not one 2-D input and one output' };
  }
  const steps: ChainStep[] = [];
  let previous: unknown;
  for (const layer of model.layers as unknown as LayerInternals[]) {
    const kind = layer.getClassName();
    const node = layer.inboundNodes[0];
    // Only a straight chain: one inbound node whose one input is the layer before.
    const chained = layer.inboundNodes.length === 1 && node?.inboundLayers.length === 1 && (previous === undefined || node.inboundLayers[0] === previous);
    if (kind !== 'InputLayer' && !chained) return { reason: `layer ${layer.name} is not in a straight chain` };
    previous = layer;
    if (IDENTITY.has(kind)) continue;
    const activation = layer.activation ?? undefined;
    const name = activation?.getClassName() ?? 'linear';
    const apply = activation ? { apply: (x: tf.Tensor) => activation.apply(x) } : {};
    if (kind === 'Activation' && activation) {
      steps.push({ name: layer.name, activation: name, ...apply });
    } else if (kind === 'Dense' && layer.kernel) {
      const bias = layer.bias ? (layer.bias.read() as tf.Tensor1D) : undefined;
      steps.push({ name: layer.name, kernel: layer.kernel.read() as tf.Tensor2D, activation: name, ...(bias ? { bias } : {}), ...apply });
    } else {
      return { reason: `layer ${layer.name} (${kind}) is not Dense, Activation or an inference-time identity` };
    }
  }
  return steps.length === 0 ? { reason: 'the model has no Dense or Activation layer' } : { steps };
}

/** The chain's weights read back as plain arrays, for the direct kernel (direct.ts). */
export function toDenseSteps(steps: readonly ChainStep[]): DenseStep[] {
  return steps.map(({ name, kernel, bias, activation }) => ({
    name,
    activation,
    ...(kernel ? { kernel: { inputs: kernel.shape[0], units: kernel.shape[1], values: kernel.dataSync() as Float32Array } } : {}),
    ...(bias ? { bias: bias.dataSync() as Float32Array } : {}),
  }));
}

/**
 * The chain as fused ops: one `tf.fused.matMul` (matMul + bias + activation) per Dense layer,
 * plus the activation op where it cannot be fused (softmax, tanh, …), as Dense.call does.
 */
export function fusedForward(steps: readonly ChainStep[]): Forward {
  const ops: Forward[] = steps.map(({ kernel, bias, activation, apply }) => {
    if (!kernel) return apply ?? ((x) => x);
    const b = kernel;
    const withBias = bias ? { bias } : {};
    if (FUSED.has(activation)) {
      const fused = activation as 'relu' | 'linear' | 'elu' | 'relu6' | 'sigmoid';
      return (x) => tf.fused.matMul({ a: x, b, ...withBias, activation: fused });
    }
    // The bias still rides in the matMul: one op fewer than matMul, add, activation.
    return (x) => {
      const y = tf.fused.matMul({ a: x, b, ...withBias });
      return apply ? apply(y) : y;
    };
  });
  return (x) => ops.reduce((y, op) => op(y), x);
}
