/**
 * The direct kernel: a small dense chain run as plain JavaScript over Float32Array copies of its
 * weights, with no tfjs op, tensor or read-back per call. tfjs's cpu backend is JavaScript on the
 * CPU as well; what this drops is its per-op dispatch and bookkeeping, which is nearly all of a
 * small model's time per call (penguins 7→8→3 at batch 1: four tfjs ops ≈ 20 µs, the arithmetic
 * well under 1 µs).
 *
 * The arithmetic follows tfjs-backend-cpu, so outputs match its own: matMul sums products in
 * float64 over blocks of 48 and adds each block into a float32 result (kernels/BatchMatMul.js),
 * the bias add and every activation round to float32, softmax is max → sub → exp → sum → div
 * with float32 intermediates (kernels/Softmax.js).
 *
 * No tfjs here, not even a type: the kernel is built from plain arrays (read straight from the
 * bundle's model.json and weight shards by dense-artifacts.ts, or from a loaded tfjs model by
 * lean.ts), so the plain-JS engine runs it without importing any tfjs module.
 */

/**
 * Largest model (multiply-adds per row, all Dense layers) the direct kernel takes. Past it the
 * arithmetic, not tfjs's per-op cost, is most of a call, and tfjs's wasm backend (SIMD, XNNPACK)
 * does the arithmetic several times faster than scalar JavaScript; 32k float32 weights (128 KiB)
 * also stay in the CPU's L2 cache, which the row-at-a-time loop relies on.
 */
export const DIRECT_MAX_MULTIPLY_ADDS = 32_768;

/** One step of a dense chain as plain data: a Dense layer (with `kernel`) or an Activation layer (without). */
export interface DenseStep {
  /** The layer's name, for reasons. */
  name: string;
  /** `[inputs, units]` row-major, as tfjs-layers stores a Dense kernel. */
  kernel?: { inputs: number; units: number; values: Float32Array };
  bias?: Float32Array;
  /** tfjs-layers activation name (`relu`, `softmax`, `linear`, …). */
  activation: string;
}

/** Multiply-adds per row of a chain's Dense layers: the direct kernel's cost, and what the engine policy compares. */
export const denseMultiplyAdds = (steps: readonly DenseStep[]) => steps.reduce((n, s) => n + (s.kernel ? s.kernel.inputs * s.kernel.units : 0), 0);

/** A dense chain as a plain function of rows. */
export interface DirectKernel {
  /** Runs `rows` rows from the front of `input`; returns a new `rows × outputWidth` array. */
  run(input: Float32Array, rows: number): Float32Array;
  readonly outputWidth: number;
  readonly multiplyAdds: number;
}

/** An in-place activation over `n` values of `y` from `at`. */
type InPlace = (y: Float32Array, at: number, n: number) => void;

// tfjs-core selu_util.ts
const SELU_SCALE = 1.0507009873554805;
const SELU_SCALE_ALPHA = 1.7580993408473768;
// tfjs-backend-cpu kernels/Softplus.js: log(epsilon) + 2 with epsilon = 2^-23
const SOFTPLUS_THRESHOLD = Math.log(1.1920928955078125e-7) + 2;

// One loop per activation (not a shared loop calling a function): each stays monomorphic.
const ACTIVATIONS: Record<string, InPlace | null> = {
  linear: null,
  relu: (y, at, n) => {
    for (let i = at; i < at + n; i++) y[i] = Math.max(0, y[i]!);
  },
  relu6: (y, at, n) => {
    for (let i = at; i < at + n; i++) y[i] = Math.min(Math.max(0, y[i]!), 6);
  },
  elu: (y, at, n) => {
    for (let i = at; i < at + n; i++) y[i] = y[i]! >= 0 ? y[i]! : Math.exp(y[i]!) - 1;
  },
  selu: (y, at, n) => {
    for (let i = at; i < at + n; i++) y[i] = y[i]! >= 0 ? SELU_SCALE * y[i]! : SELU_SCALE_ALPHA * (Math.exp(y[i]!) - 1);
  },
  sigmoid: (y, at, n) => {
    for (let i = at; i < at + n; i++) y[i] = 1 / (1 + Math.exp(-y[i]!));
  },
  tanh: (y, at, n) => {
    for (let i = at; i < at + n; i++) y[i] = Math.tanh(y[i]!);
  },
  softplus: (y, at, n) => {
    for (let i = at; i < at + n; i++) {
      const x = y[i]!;
      y[i] = x < SOFTPLUS_THRESHOLD ? Math.exp(x) : x > -SOFTPLUS_THRESHOLD ? x : Math.log(1 + Math.exp(x));
    }
  },
  softmax: (y, at, n) => {
    let max = y[at]!;
    for (let i = at + 1; i < at + n; i++) if (y[i]! > max || Number.isNaN(y[i]!)) max = y[i]!;
    let sum = 0;
    for (let i = at; i < at + n; i++) {
      y[i] = Math.exp(Math.fround(y[i]! - max));
      sum += y[i]!; // the stored (float32) value, as tfjs sums its exp tensor
    }
    const total = Math.fround(sum);
    for (let i = at; i < at + n; i++) y[i] = y[i]! / total;
  },
};

/** The activations the direct kernel runs. */
export const DIRECT_ACTIVATIONS: readonly string[] = Object.keys(ACTIVATIONS);

interface Layer {
  inputs: number;
  units: number;
  /** `[units, inputs]`: transposed at load so each unit's weights are contiguous. */
  weights: Float32Array;
  bias: Float32Array | undefined;
  activation: InPlace | null;
}

/**
 * Runs one Dense layer on one row: `x[xAt…]` → `y[yAt…]`. Four units at a time: four independent
 * sums keep the CPU's adders busy (one sum is a chain of dependent adds) while each unit still
 * sums in tfjs's order, so the results stay bit for bit the same.
 */
function layerRow(l: Layer, x: Float32Array, xAt: number, y: Float32Array, yAt: number): void {
  const { inputs, units, weights: w, bias } = l;
  let j = 0;
  for (; j + 4 <= units; j += 4) {
    const w0 = j * inputs;
    const w1 = w0 + inputs;
    const w2 = w1 + inputs;
    const w3 = w2 + inputs;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let k0 = 0; k0 < inputs; k0 += 48) {
      const end = Math.min(k0 + 48, inputs);
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = k0; k < end; k++) {
        const v = x[xAt + k]!;
        s0 += v * w[w0 + k]!;
        s1 += v * w[w1 + k]!;
        s2 += v * w[w2 + k]!;
        s3 += v * w[w3 + k]!;
      }
      a0 = Math.fround(a0 + s0);
      a1 = Math.fround(a1 + s1);
      a2 = Math.fround(a2 + s2);
      a3 = Math.fround(a3 + s3);
    }
    y[yAt + j] = bias ? a0 + bias[j]! : a0;
    y[yAt + j + 1] = bias ? a1 + bias[j + 1]! : a1;
    y[yAt + j + 2] = bias ? a2 + bias[j + 2]! : a2;
    y[yAt + j + 3] = bias ? a3 + bias[j + 3]! : a3;
  }
  for (; j < units; j++) {
    const w0 = j * inputs;
    let a0 = 0;
    for (let k0 = 0; k0 < inputs; k0 += 48) {
      const end = Math.min(k0 + 48, inputs);
      let s0 = 0;
      for (let k = k0; k < end; k++) s0 += x[xAt + k]! * w[w0 + k]!;
      a0 = Math.fround(a0 + s0);
    }
    y[yAt + j] = bias ? a0 + bias[j]! : a0;
  }
}

/**
 * The direct kernel for `steps` (their tensors are read once, here), or the reason it does not
 * apply: a layer whose activation it does not implement, or a model over
 * {@link DIRECT_MAX_MULTIPLY_ADDS}.
 */
export function createDirect(steps: readonly DenseStep[], width: number): DirectKernel | { reason: string } {
  const cost = denseMultiplyAdds(steps);
  if (cost > DIRECT_MAX_MULTIPLY_ADDS) return { reason: `${cost} multiply-adds per row, over the direct kernel's ${DIRECT_MAX_MULTIPLY_ADDS}` };
  const layers: Layer[] = [];
  let current = width;
  for (const step of steps) {
    const activation = ACTIVATIONS[step.activation];
    if (activation === undefined) return { reason: `layer ${step.name}'s activation ${step.activation} has no direct kernel` };
    if (!step.kernel) {
      layers.push({ inputs: current, units: 0, weights: new Float32Array(0), bias: undefined, activation });
      continue;
    }
    const { inputs, units, values: kernel } = step.kernel;
    if (inputs !== current) return { reason: `layer ${step.name} takes ${inputs} values per row but gets ${current}` };
    const weights = new Float32Array(inputs * units);
    for (let k = 0; k < inputs; k++) for (let j = 0; j < units; j++) weights[j * inputs + k] = kernel[k * units + j]!;
    layers.push({ inputs, units, weights, bias: step.bias ? Float32Array.from(step.bias) : undefined, activation });
    current = units;
  }
  const outputWidth = current;
  const widest = Math.max(width, ...layers.map((l) => l.units));
  // Two row buffers, allocated once: layers alternate between them; the last writes the output.
  const scratch = [new Float32Array(widest), new Float32Array(widest)] as const;
  const dense = layers.filter((l) => l.units > 0).length;
  return {
    outputWidth,
    multiplyAdds: cost,
    run(input, rows) {
      // A new array per call: predictions keep views of it (`raw`), and a worker transfers it.
      const out = new Float32Array(rows * outputWidth);
      for (let r = 0; r < rows; r++) {
        let x: Float32Array = input;
        let xAt = r * width;
        let n = width;
        let seen = 0;
        for (const l of layers) {
          if (l.units > 0) {
            const last = ++seen === dense;
            const y = last ? out : scratch[seen & 1]!;
            const yAt = last ? r * outputWidth : 0;
            layerRow(l, x, xAt, y, yAt);
            x = y;
            xAt = yAt;
            n = l.units;
          } else if (x === input) {
            // An activation before any Dense layer: work on a copy, never on the caller's input.
            scratch[0].set(input.subarray(xAt, xAt + n));
            x = scratch[0];
            xAt = 0;
          }
          l.activation?.(x, xAt, n);
        }
        if (dense === 0) out.set(x.subarray(xAt, xAt + n), r * outputWidth);
      }
      return out;
    },
  };
}
