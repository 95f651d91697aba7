/**
 * Backend selection: an ordered list with collected reasons, never a silent switch. Each
 * candidate must come up, load the model, warm up and pass the golden check. By default a
 * software GPU is not a GPU, and every backend that comes up is timed at batch 1 and batch 32
 * (a few ms each): the fastest is kept and remembered per device and model version. Order alone
 * would miss that small models run faster on WASM than through GPU dispatch, and faster still
 * on cpu through the direct kernel than through WASM's per-op cost.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FerryError } from '../errors.js';
import { activateBackend, describe } from './backends.js';
import { checkGolden } from './golden.js';
import { MEASURE_BATCH, measureCall, measureScore } from './measure.js';
import { deviceFingerprint } from './device-fingerprint.js';
import { probeWebGpu } from './probe-webgpu.js';
import type { WebGpuProbe } from './probe-webgpu.js';
import { createSession } from './session.js';
import type { Session } from './session.js';
import type { BackendName, Decision, EngineInit, EngineReport, Rejection, RememberedChoice, Timings } from './types.js';

/** The chosen backend with its loaded, warmed-up, golden-checked session. */
export interface Selected extends Pick<
  EngineReport,
  'backend' | 'decision' | 'rejected' | 'adapter' | 'device' | 'measured' | 'measuredBatch' | 'remember' | 'outputWidth' | 'goldenError'
> {
  session: Session;
}

interface Up {
  session: Session;
  outputWidth: number;
  goldenError?: number;
}

// The direct kernel takes well under a microsecond per call: µs keeps two significant digits there.
// Number(…) drops toPrecision's exponent form: 99.96 µs would print as "1.0e+2 µs".
const ms = (n: number) => (n < 0.1 ? `${Number((n * 1000).toPrecision(2))} µs` : `${n.toFixed(2)} ms`);

/** `row` repeated `rows` times: a batch for the throughput measurement. */
function tile(row: Float32Array, width: number, rows: number): Float32Array {
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) out.set(row.subarray(0, width), r * width);
  return out;
}

/** Deterministic values in [-1, 1): a warm-up input that exercises every unit (zeros would not). */
function sampleRow(width: number): Float32Array {
  const row = new Float32Array(width);
  let s = 12345;
  for (let i = 0; i < width; i++) row[i] = (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 31 - 1;
  return row;
}

/** Tries `init.backends` in order (see module doc); throws `NO_BACKEND` listing every reason when none qualifies. */
export async function selectBackend(init: EngineInit, timings: Timings): Promise<Selected> {
  const rejected: Rejection[] = [...(init.rejected ?? [])];
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
        return {
          backend: name,
          code: 'SOFTWARE_ADAPTER',
          reason: `the WebGPU adapter (${what}) is a software fallback adapter, not a GPU; pass backend: 'webgpu' to use it anyway`,
        };
      }
    }
    let t = performance.now();
    const failed = await activateBackend(name, { wasmPaths: init.wasmPaths, wasmThreads: init.wasmThreads, wasmModule: init.wasmModule });
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
      // Outputs that do not fit the manifest are the bundle's fault on every backend.
      if (error instanceof FerryError && error.code === 'MANIFEST_INVALID') throw error;
      return { backend: name, code: 'MODEL_FAILED', reason: `running the model on ${name} failed: ${describe(error)}` };
    }
  };

  const done = (backend: BackendName, up: Up, decision: Decision, extra: Partial<Selected> = {}): Selected => ({
    backend,
    decision,
    rejected,
    device,
    measured: {},
    measuredBatch: {},
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
      const batch = remembered.measuredBatch ?? {};
      const times = Object.entries(remembered.measured)
        .map(([b, v]) => `${b} ${ms(v)}${batch[b as BackendName] === undefined ? '' : ` / ${ms(batch[b as BackendName]!)}`}`)
        .join(' vs ');
      const per = remembered.measuredBatch ? `per call at batch 1 / ${MEASURE_BATCH}` : 'per call';
      for (const other of order) {
        if (other !== remembered.backend)
          rejected.push({
            backend: other,
            code: 'REMEMBERED',
            reason: `an earlier measurement on this device chose ${remembered.backend} (${times} ${per}, ${remembered.at})`,
          });
      }
      return done(remembered.backend, up, 'remembered', { measured: remembered.measured, measuredBatch: remembered.measuredBatch ?? {} });
    }
    rejected.push(up);
    order = order.filter((b) => b !== remembered.backend);
  }

  // Without measuring, the first backend that comes up is the one.
  const candidates: Array<{ backend: BackendName; up: Up }> = [];
  for (const name of order) {
    const up = await bringUp(name);
    if ('code' in up) {
      rejected.push(up);
      continue;
    }
    if (!measuring) return done(name, up, init.select === 'forced' ? 'forced' : 'first');
    candidates.push({ backend: name, up });
  }
  const only = candidates[0];
  if (!only) throw noBackend(rejected);
  if (candidates.length === 1) {
    await tf.setBackend(only.backend);
    return done(only.backend, only.up, 'first');
  }

  // Every backend that came up, timed at batch 1 and at MEASURE_BATCH; the lowest score wins.
  const t = performance.now();
  const batch = tile(row, init.width, MEASURE_BATCH);
  const measured: Partial<Record<BackendName, number>> = {};
  const measuredBatch: Partial<Record<BackendName, number>> = {};
  for (const { backend, up } of candidates) {
    if (up.session.tfjs) await tf.setBackend(backend);
    measured[backend] = await measureCall(up.session, row, 1);
    // Three rounds suffice here: a slow backend's batch takes milliseconds, and it is what the load waits for.
    measuredBatch[backend] = await measureCall(up.session, batch, MEASURE_BATCH, 3);
  }
  timings.measureMs += performance.now() - t;
  const score = (b: BackendName) => measureScore(measured[b]!, measuredBatch[b]!);
  const best = candidates.reduce((a, b) => (score(b.backend) < score(a.backend) ? b : a));
  const times = (b: BackendName) =>
    `${ms(measured[b]!)} per call at batch 1 and ${ms(measuredBatch[b]!)} at batch ${MEASURE_BATCH} on ${b} (score ${ms(score(b))} per row)`;
  for (const { backend, up } of candidates) {
    if (backend === best.backend) continue;
    up.session.dispose();
    rejected.push({ backend, code: 'SLOWER', reason: `measured ${times(backend)} vs ${times(best.backend)}` });
  }
  // Tries made before tfjs (a plain kernel) stay first; tfjs's own follow in backend order.
  const before = init.rejected?.length ?? 0;
  rejected.splice(before, rejected.length - before, ...rejected.slice(before).sort((a, b) => order.indexOf(a.backend) - order.indexOf(b.backend)));
  await tf.setBackend(best.backend);
  const remember: RememberedChoice = { device, backend: best.backend, measured, measuredBatch, at: new Date().toISOString() };
  return done(best.backend, best.up, 'measured', { measured, measuredBatch, remember });
}

// Backends that never ran the model: they say nothing about whether the bundle is right.
const NEVER_RAN = new Set<Rejection['code']>(['NO_WEBGPU', 'NO_ADAPTER', 'SOFTWARE_ADAPTER']);

/** `NO_BACKEND` listing every reason, or `GOLDEN_MISMATCH` when every engine that ran the model computed something else. */
function noBackend(rejected: Rejection[]): FerryError {
  const list = rejected.map((r) => `${r.backend}: ${r.reason}`).join('; ');
  // Wrong everywhere it ran means the bundle, not a backend, is wrong: say so with its own code.
  if (rejected.some((r) => r.code === 'GOLDEN_MISMATCH') && rejected.every((r) => r.code === 'GOLDEN_MISMATCH' || NEVER_RAN.has(r.code))) {
    return new FerryError('GOLDEN_MISMATCH', `No backend reproduces the bundle's golden outputs; the bundle's golden.json or weights are wrong (${list})`, {
      details: { rejected },
    });
  }
  return new FerryError('NO_BACKEND', `No backend could run this model (${list})`, { details: { rejected } });
}
