/**
 * The engine on the tfjs side: selects a backend (see select.ts), runs batches on it, and when
 * the WebGPU device is lost reloads the model on the next backend, reporting why.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FerryError } from '../errors.js';
import { describe, resetBackend } from './backends.js';
import { selectBackend } from './select.js';
import { TENSOR_TOLERANCE } from './trees/tensor.js';
import type { Selected } from './select.js';
import { BACKEND_NAMES } from './types.js';
import { detectionDecoder } from './detection-decoder.js';
import type { Engine, EngineInit, EngineReport, ModelMemory, Rejection, Timings } from './types.js';

interface LostInfo {
  reason?: string;
  message?: string;
}

/** `tf.memory()` of this realm, as {@link ModelMemory}. */
function tfjsMemory(): ModelMemory {
  const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  return { realm: 'page', tfjs: true, tensors: m.numTensors, bytes: m.numBytes, dataBuffers: m.numDataBuffers, gpuBytes: m.numBytesInGPU ?? 0 };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Makes `name` tfjs's active backend right now. For a backend that is already initialised,
 * `tf.setBackend` switches synchronously before returning its promise (tfjs-core engine.ts), so
 * the ops that follow in the same turn run there even when other models switch in between turns.
 */
function use(name: string): void {
  if (tf.getBackend() !== name) void tf.setBackend(name);
}

function toReport(selected: Selected, timings: Timings, engineReason: string): EngineReport {
  const { session, rejected, ...facts } = selected;
  return { ...facts, engine: 'tfjs', engineReason, rejected: [...rejected], lean: session.lean, leanReason: session.leanReason, timings: { ...timings } };
}

// tfjs has one active backend per realm and selection switches it while models load: two
// loads at once would build one model's weights on the other's backend. One at a time.
let selecting: Promise<unknown> = Promise.resolve();
function exclusive<T>(task: () => Promise<T>): Promise<T> {
  const result = selecting.then(task);
  selecting = result.catch(() => undefined);
  return result;
}

/**
 * Brings the model up on the best backend (throws `NO_BACKEND` / `GOLDEN_MISMATCH` /
 * `MANIFEST_INVALID` when it cannot). `onChange` hears about every later backend switch.
 */
export async function createEngine(init: EngineInit, onChange?: (report: EngineReport) => void): Promise<Engine> {
  // The tree tensor strategy sums leaves in float32: its golden check allows its stated tolerance.
  if (init.format === 'tree-ensemble' && init.golden && init.golden.tolerance < TENSOR_TOLERANCE)
    init = { ...init, golden: { ...init.golden, tolerance: TENSOR_TOLERANCE } };
  const timings: Timings = { backendMs: 0, modelMs: 0, warmupMs: 0, goldenMs: 0, measureMs: 0 };
  let selected = await exclusive(() => selectBackend(init, timings));
  const engineReason = init.engineReason ?? 'tfjs';
  let report = toReport(selected, timings, engineReason);
  let lost: Promise<unknown> | undefined;
  let recovering: Promise<void> | undefined;
  let failure: FerryError | undefined;
  let disposed = false;

  const recover = async (why: string): Promise<void> => {
    const gone = selected.backend;
    try {
      selected.session.dispose();
    } catch {
      // Its buffers died with the device.
    }
    resetBackend(gone);
    const rejection: Rejection = {
      backend: gone,
      code: 'DEVICE_LOST',
      reason: `the WebGPU device was lost (${why}); the model was reloaded on the next backend`,
    };
    const after = init.backends.slice(init.backends.indexOf(gone) + 1);
    const backends = after.length > 0 ? after : BACKEND_NAMES.filter((b) => b !== gone);
    try {
      const { remembered: _ignored, rejected: _before, ...rest } = init;
      const next = await exclusive(() => selectBackend({ ...rest, backends, select: init.select === 'forced' ? 'first' : init.select }, timings));
      next.rejected = [...report.rejected, rejection, ...next.rejected];
      delete next.remember;
      selected = next;
      report = toReport(next, timings, engineReason);
      watch();
    } catch (error) {
      failure = new FerryError('DEVICE_LOST', `The WebGPU device was lost (${why}) and no other backend could take over: ${describe(error)}`, { cause: error });
      report = { ...report, rejected: [...report.rejected, rejection] };
    }
    onChange?.(report);
  };

  function watch(): void {
    if (selected.backend !== 'webgpu') return;
    const device = (tf.engine().registry.webgpu as unknown as { device?: { lost?: Promise<LostInfo> } } | undefined)?.device;
    const mine = selected;
    lost = device?.lost?.then((info) => {
      if (disposed || selected !== mine) return;
      recovering = recover(`${info.reason ?? 'unknown'}: ${info.message || 'no message'}`).finally(() => (recovering = undefined));
      return recovering;
    });
  }
  watch();

  const fail = (error: unknown, backend = selected.backend): FerryError =>
    error instanceof FerryError
      ? error
      : new FerryError('INFERENCE_FAILED', `Inference on ${backend} failed: ${describe(error)}`, { cause: error, details: { backend } });

  async function slowRun(input: Float32Array, rows: number, retried = false): Promise<Float32Array> {
    if (disposed) throw new FerryError('DISPOSED', 'This model was disposed; load it again to predict');
    if (recovering) await recovering;
    if (failure) throw failure;
    const running = selected;
    try {
      use(running.backend);
      return await running.session.run(input, rows);
    } catch (error) {
      if (retried || running.backend !== 'webgpu' || !lost) throw fail(error, running.backend);
      // A run that failed because the device just died: the lost promise settles a moment later.
      await Promise.race([lost, sleep(200)]);
      if (!recovering && selected === running) throw fail(error, running.backend);
      return slowRun(input, rows, true);
    }
  }

  return {
    get report() {
      return report;
    },
    run(input, rows) {
      if (disposed || recovering || failure || selected.backend === 'webgpu') return slowRun(input, rows);
      try {
        // The direct kernel issues no tfjs op: which backend tfjs has active does not matter to it.
        if (selected.session.tfjs) use(selected.backend);
        return selected.session.run(input, rows);
      } catch (error) {
        return Promise.reject(fail(error));
      }
    },
    memory() {
      return tfjsMemory();
    },
    detectionDecoder,
    async dispose() {
      if (disposed) return;
      disposed = true;
      if (recovering) await recovering.catch(() => undefined);
      try {
        selected.session.dispose();
      } catch {
        // Already gone with a lost device.
      }
    },
  };
}
