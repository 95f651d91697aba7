/**
 * Backend selection: an ordered list with collected reasons, never a silent switch. Each
 * candidate must come up, load the model, warm up and pass the golden check; by default a
 * software GPU is not a GPU, and a real GPU must also beat the next backend on a quick
 * per-call measurement (small models often run faster on WASM than through GPU dispatch).
 */
import * as tf from '@tensorflow/tfjs-core';
import { FerryError } from '../errors.js';
import { activateBackend, describe } from './backends.js';
import { checkGolden } from './golden.js';
import { measurePerCall } from './measure.js';
import { deviceFingerprint, probeWebGpu } from './probe-webgpu.js';
import type { WebGpuProbe } from './probe-webgpu.js';
import { createSession } from './session.js';
import type { Session } from './session.js';
import type { AdapterInfo, BackendName, Decision, EngineInit, Rejection, RememberedChoice, Timings } from './types.js';

/** The chosen backend with its loaded, warmed-up, golden-checked session. */
export interface Selected {
  backend: BackendName;
  session: Session;
  decision: Decision;
  rejected: Rejection[];
  adapter?: AdapterInfo;
  device: string;
  measured: Partial<Record<BackendName, number>>;
  remember?: RememberedChoice;
  outputWidth: number;
  goldenError?: number;
}

interface Up {
  session: Session;
  outputWidth: number;
  goldenError?: number;
}

const ms = (n: number) => `${n < 0.1 ? n.toFixed(3) : n.toFixed(2)} ms`;

/** Deterministic values in [-1, 1): a warm-up input that exercises every unit (zeros would not). */
function sampleRow(width: number): Float32Array {
  const row = new Float32Array(width);
  let s = 12345;
  for (let i = 0; i < width; i++) row[i] = ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 31) - 1;
  return row;
}

/** Tries `init.backends` in order (see module doc); throws `NO_BACKEND` listing every reason when none qualifies. */
export async function selectBackend(init: EngineInit, timings: Timings): Promise<Selected> {
  const rejected: Rejection[] = [];
  const row = init.golden ? init.golden.input.subarray(0, init.width) : sampleRow(init.width);
  let probe: WebGpuProbe | undefined;
  if (init.backends.includes('webgpu')) {
    const t = performance.now();
    probe = await probeWebGpu();
    timings.backendMs += performance.now() - t;
  }
  const adapter = probe?.ok ? probe.adapter : undefined;
  const device = deviceFingerprint(adapter);

  const bringUp = async (name: BackendName): Promise<Up | Rejection> => {
    if (name === 'webgpu') {
      if (probe && !probe.ok) return probe.rejection;
      if (adapter?.isFallbackAdapter && init.select === 'auto') {
        const what = [adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' ') || 'unknown';
        return { backend: name, code: 'SOFTWARE_ADAPTER', reason: `the WebGPU adapter (${what}) is a software fallback adapter, not a GPU; pass backend: 'webgpu' to use it anyway` };
      }
    }
    let t = performance.now();
    const failed = await activateBackend(name, { wasmPaths: init.wasmPaths, wasmThreads: init.wasmThreads });
    timings.backendMs += performance.now() - t;
    if (failed) return failed;
    t = performance.now();
    let session: Session;
    try {
      session = await createSession(init);
    } catch (error) {
      if (error instanceof FerryError && error.code === 'MANIFEST_INVALID') throw error;
      return { backend: name, code: 'MODEL_FAILED', reason: `loading the model on ${name} failed: ${describe(error)}` };
    } finally {
      timings.modelMs += performance.now() - t;
    }
    try {
      t = performance.now();
      const golden = init.golden;
      const outputWidth = await session.warmUp(golden?.input ?? row, golden?.rows ?? 1);
      if (golden && golden.rows > 1) await session.run(row, 1);
      timings.warmupMs += performance.now() - t;
      if (!golden) return { session, outputWidth };
      t = performance.now();
      const result = checkGolden(await session.run(golden.input, golden.rows), golden);
      timings.goldenMs += performance.now() - t;
      if (!result.ok) {
        session.dispose();
        return { backend: name, code: 'GOLDEN_MISMATCH', reason: `${name} does not reproduce the bundle's golden outputs: ${result.reason}` };
      }
      return { session, outputWidth, goldenError: result.maxError };
    } catch (error) {
      session.dispose();
      return { backend: name, code: 'MODEL_FAILED', reason: `running the model on ${name} failed: ${describe(error)}` };
    }
  };

  const done = (backend: BackendName, up: Up, decision: Decision, extra: Partial<Selected> = {}): Selected => ({
    backend,
    decision,
    rejected,
    device,
    measured: {},
    ...(adapter ? { adapter } : {}),
    ...up,
    ...extra,
  });

  let order = [...init.backends];
  const measuring = init.select === 'auto' || init.select === 'measure';
  const remembered = measuring && init.remembered?.device === device ? init.remembered : undefined;
  if (remembered && order.includes(remembered.backend)) {
    const up = await bringUp(remembered.backend);
    if (!('code' in up)) {
      const times = Object.entries(remembered.measured).map(([b, v]) => `${b} ${ms(v)}`).join(' vs ');
      for (const earlier of order.slice(0, order.indexOf(remembered.backend))) {
        rejected.push({ backend: earlier, code: 'REMEMBERED', reason: `an earlier measurement on this device chose ${remembered.backend} (${times} per call, ${remembered.at})` });
      }
      return done(remembered.backend, up, 'remembered', { measured: remembered.measured });
    }
    rejected.push(up);
    order = order.filter((b) => b !== remembered.backend);
  }

  for (let i = 0; i < order.length; i++) {
    const name = order[i]!;
    const up = await bringUp(name);
    if ('code' in up) {
      rejected.push(up);
      continue;
    }
    if (init.select === 'forced') return done(name, up, 'forced');
    if (name !== 'webgpu' || init.select === 'first') return done(name, up, 'first');
    // A real GPU: measure it against the next backend that comes up, keep the faster one.
    let t = performance.now();
    const gpuMs = await measurePerCall(up.session, row);
    timings.measureMs += performance.now() - t;
    for (let j = i + 1; j < order.length; j++) {
      const other = order[j]!;
      const next = await bringUp(other);
      if ('code' in next) {
        rejected.push(next);
        continue;
      }
      t = performance.now();
      const otherMs = await measurePerCall(next.session, row);
      timings.measureMs += performance.now() - t;
      const measured = { webgpu: gpuMs, [other]: otherMs };
      const faster: BackendName = otherMs < gpuMs ? other : 'webgpu';
      const remember: RememberedChoice = { device, backend: faster, measured, at: new Date().toISOString() };
      if (faster === other) {
        up.session.dispose();
        rejected.push({ backend: 'webgpu', code: 'SLOWER', reason: `measured ${ms(gpuMs)} per call on WebGPU vs ${ms(otherMs)} on ${other}` });
        return done(other, next, 'measured', { measured, remember });
      }
      next.session.dispose();
      await tf.setBackend('webgpu');
      return done('webgpu', up, 'measured', { measured, remember });
    }
    await tf.setBackend('webgpu');
    return done('webgpu', up, 'first', { measured: { webgpu: gpuMs } });
  }
  const list = rejected.map((r) => `${r.backend}: ${r.reason}`).join('; ');
  // Wrong everywhere means the bundle, not a backend, is wrong: say so with its own code.
  if (rejected.length > 0 && rejected.every((r) => r.code === 'GOLDEN_MISMATCH')) {
    throw new FerryError('GOLDEN_MISMATCH', `No backend reproduces the bundle's golden outputs; the bundle's golden.json or weights are wrong (${list})`, { details: { rejected } });
  }
  throw new FerryError('NO_BACKEND', `No backend could run this model (${list})`, { details: { rejected } });
}
