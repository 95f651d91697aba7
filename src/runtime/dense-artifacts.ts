/**
 * Reads a layers model's dense chain straight from its artifacts — the Keras topology in
 * model.json and the float32 weight shards — without tfjs, for the plain-JS engine. It accepts
 * exactly what lean.ts's `readDenseChain` accepts from a loaded tfjs model: one 2-D input, a
 * straight chain of Dense / Activation layers and inference-time identities, nothing else.
 * Anything it does not understand is a reason, never a guess: the model then goes to tfjs.
 */
import type { io } from '@tensorflow/tfjs-core';
import type { DenseStep } from './direct.js';

/** A model read as a dense chain, or why it is not one. */
export type DenseArtifacts = { steps: DenseStep[]; width: number } | { reason: string };

interface KerasLayer {
  class_name?: string;
  config?: {
    name?: string;
    units?: number;
    activation?: string;
    use_bias?: boolean;
    batch_input_shape?: Array<number | null>;
    batchInputShape?: Array<number | null>;
    dtype?: string;
  };
  inbound_nodes?: unknown[];
}

// Layers that are the identity at inference (as in lean.ts).
const IDENTITY = new Set(['InputLayer', 'Dropout', 'AlphaDropout', 'GaussianDropout', 'GaussianNoise', 'Flatten']);

/** The layer list of a Sequential or Functional topology, or undefined when neither. */
function layersOf(topology: unknown): KerasLayer[] | undefined {
  const t = topology as { class_name?: string; config?: unknown; model_config?: unknown } | undefined;
  // Keras model.json may wrap the model in `model_config` (tf.keras saves); tfjs-layers writes it bare.
  const model = (t?.model_config ?? t) as { class_name?: string; config?: unknown } | undefined;
  const config = model?.config as { layers?: unknown } | unknown[] | undefined;
  const layers = Array.isArray(config) ? config : (config as { layers?: unknown } | undefined)?.layers;
  return Array.isArray(layers) ? (layers as KerasLayer[]) : undefined;
}

/** The one inbound layer name of a functional layer's node, or undefined when it is not a single input. */
function inboundName(layer: KerasLayer): string | undefined {
  const nodes = layer.inbound_nodes;
  if (!Array.isArray(nodes) || nodes.length !== 1) return undefined;
  const node = nodes[0];
  // Keras 2 form: [[["dense_1", 0, 0, {}]]]; one input only.
  if (!Array.isArray(node) || node.length !== 1 || !Array.isArray(node[0])) return undefined;
  const name = (node[0] as unknown[])[0];
  return typeof name === 'string' ? name : undefined;
}

/** Concatenates `weightData` (one buffer, or several as tfjs ≥ 4.10 allows). */
function weightBytes(data: io.ModelArtifacts['weightData']): ArrayBuffer | undefined {
  if (data === undefined) return undefined;
  if (!Array.isArray(data)) return data;
  const all = new Uint8Array(data.reduce((n, b) => n + b.byteLength, 0));
  let at = 0;
  for (const b of data) {
    all.set(new Uint8Array(b), at);
    at += b.byteLength;
  }
  return all.buffer;
}

/** Reads `artifacts` as a dense chain (see module doc). */
export function readDenseArtifacts(artifacts: io.ModelArtifacts): DenseArtifacts {
  const layers = layersOf(artifacts.modelTopology);
  if (!layers || layers.length === 0) return { reason: 'model.json has no Sequential or Functional layer list' };
  const specs = artifacts.weightSpecs ?? [];
  const bytes = weightBytes(artifacts.weightData);
  // Each weight's offset in the concatenated shards: specs are stored in order, float32 only.
  const weights = new Map<string, { shape: number[]; at: number }>();
  let at = 0;
  for (const spec of specs) {
    if (spec.dtype !== 'float32' || spec.quantization)
      return { reason: `weight ${spec.name} is ${spec.quantization ? 'quantized' : spec.dtype}, not plain float32` };
    weights.set(spec.name, { shape: spec.shape, at });
    at += spec.shape.reduce((a, b) => a * b, 1) * 4;
  }
  if (!bytes || bytes.byteLength !== at) return { reason: `the weight shards hold ${bytes?.byteLength ?? 0} bytes but model.json describes ${at}` };
  // tfjs-layers names a Dense layer's weights `<layer>/kernel`; Keras may prefix a scope.
  const find = (layer: string, what: string) => {
    for (const [name, w] of weights) if (name === `${layer}/${what}` || name.endsWith(`/${layer}/${what}`)) return w;
    return undefined;
  };
  const read = (w: { shape: number[]; at: number }) => new Float32Array(bytes.slice(w.at, w.at + w.shape.reduce((a, b) => a * b, 1) * 4));

  const steps: DenseStep[] = [];
  let width: number | undefined;
  let previous: string | undefined;
  for (const layer of layers) {
    const kind = layer.class_name ?? '?';
    const config = layer.config ?? {};
    const name = config.name ?? kind;
    if (layer.inbound_nodes !== undefined && kind !== 'InputLayer' && inboundName(layer) !== previous)
      return { reason: `layer ${name} is not in a straight chain` };
    previous = name;
    const shape = config.batch_input_shape ?? config.batchInputShape;
    if (shape) {
      if (width !== undefined || shape.length !== 2 || typeof shape[1] !== 'number')
        return { reason: `the model's input shape [${String(shape)}] is not one row of features` };
      width = shape[1];
    }
    if (config.dtype !== undefined && config.dtype !== 'float32') return { reason: `layer ${name} computes in ${config.dtype}` };
    if (IDENTITY.has(kind)) continue;
    const activation = config.activation ?? 'linear';
    if (kind === 'Activation') {
      steps.push({ name, activation });
    } else if (kind === 'Dense' && typeof config.units === 'number') {
      const kernel = find(name, 'kernel');
      if (!kernel || kernel.shape.length !== 2 || kernel.shape[1] !== config.units)
        return { reason: `layer ${name}'s kernel is missing or not [inputs, ${config.units}]` };
      const bias = config.use_bias === false ? undefined : find(name, 'bias');
      if (config.use_bias !== false && (!bias || bias.shape.length !== 1 || bias.shape[0] !== config.units))
        return { reason: `layer ${name}'s bias is missing or not [${config.units}]` };
      steps.push({ name, activation, kernel: { inputs: kernel.shape[0]!, units: config.units, values: read(kernel) }, ...(bias ? { bias: read(bias) } : {}) });
    } else {
      return { reason: `layer ${name} (${kind}) is not Dense, Activation or an inference-time identity` };
    }
  }
  const outputs = (artifacts.modelTopology as { config?: { output_layers?: unknown[] } } | undefined)?.config?.output_layers;
  if (Array.isArray(outputs) && (outputs.length !== 1 || (outputs[0] as unknown[] | undefined)?.[0] !== previous))
    return { reason: 'the model has more than one output, or its output is not the last layer' };
  if (width === undefined) return { reason: "model.json does not give the model's input shape" };
  return steps.length === 0 ? { reason: 'the model has no Dense or Activation layer' } : { steps, width };
}
