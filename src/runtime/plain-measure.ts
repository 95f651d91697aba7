/**
 * The background half of the engine policy (plain-engine.ts): for a plain-JS model big enough
 * that tfjs might be faster, bring tfjs up after the first answer (webgpu/wasm as the app's
 * `backends` allow; cpu is the plain kernel itself) and time both at batch 1 and
 * `MEASURE_BATCH` exactly as select.ts times backends. Loaded only when that happens. A tree
 * kernel (`largeBatch`) whose earlier measurement on this device chose tfjs gets that backend back
 * without timing anything.
 */
import { messageOf } from '../errors.js';
import type { createEngine } from './engine.js';
import { MEASURE_BATCH, measureCall, measureScore } from './measure.js';
import type { PlainKernel } from './plain-kernels.js';
import type { BackendName, Engine, EngineInit, EngineReport, RememberedChoice } from './types.js';

const us = (n: number) => `${Number((n * 1000).toPrecision(3))} µs`;

/**
 * What a background measurement came to: the new report, and the tfjs engine when it won. When tfjs
 * could not be brought up or failed while it was timed, the kernel stays, `engineReason` says why and
 * nothing is remembered.
 */
export interface Measured {
  report: EngineReport;
  engine?: Engine;
}

/** The kernel's report, staying for `why`. */
const stays = (report: EngineReport, kernel: PlainKernel, why: string): Measured => ({
  report: { ...report, engineReason: `${report.engineReason}; ${why}; the ${kernel.name} stays` },
});

/** The plain-JS engine's side of its background measurement (plain-engine.ts). */
export interface BackgroundHost {
  kernel: PlainKernel;
  init: EngineInit;
  /** The engine's report now. */
  report: () => EngineReport;
  /** Whether the model was disposed (read after every wait). */
  gone: () => boolean;
  /** tfjs's engine code, imported only when a measurement goes ahead. */
  engine: () => Promise<{ createEngine: typeof createEngine }>;
  /** Takes `report`, and `tfjs` as the engine that runs from now on (undefined: the kernel); `announce`: tell `onChange`. */
  adopt: (report: EngineReport, tfjs: Engine | undefined, announce: boolean) => void;
}

/**
 * The background measurement, after a kernel model's first answer: tfjs brought up and timed
 * against the kernel, and the outcome adopted. Kept out of plain-engine.ts, so `ferryml/lite` and
 * `ferryml/edge`, which never measure (or only with `ferryml/tfjs`), do not carry it. Never throws.
 */
export async function measureInBackground(host: BackgroundHost): Promise<void> {
  const { kernel, init } = host;
  // A tree ensemble's tfjs strategies can only win on a GPU (on wasm they lose by two orders of
  // magnitude, BENCHMARKS.md): without a WebGPU adapter (Node, most edge runtimes, a browser
  // without WebGPU or with the GPU blocklisted), or with webgpu left out of `backends`, tfjs is
  // never fetched for them. A remembered tfjs win on this device is still brought back.
  if (kernel.largeBatch !== undefined && !init.remembered) {
    const allowed = init.backends.includes('webgpu');
    const gpu = allowed ? (globalThis.navigator as { gpu?: { requestAdapter(): Promise<unknown> } } | undefined)?.gpu : undefined;
    const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
    if (!adapter) {
      if (host.gone()) return;
      const why = !allowed ? '`backends` leaves out webgpu' : gpu ? 'WebGPU offers no adapter here' : 'there is no WebGPU here';
      const report = host.report();
      host.adopt(
        {
          ...report,
          engineReason: `${report.engineReason}; the ${kernel.name} stays for every batch, not measured against tfjs (its tensor strategies need a GPU to win, and ${why})`,
        },
        undefined,
        false,
      );
      return;
    }
  }
  let create: typeof createEngine;
  try {
    ({ createEngine: create } = await host.engine());
  } catch {
    return;
  }
  if (host.gone()) return;
  // Should tfjs win and later lose its WebGPU device, the kernel answers every call again, rather
  // than tfjs moving to a backend nobody measured.
  const outcome = await measure(kernel, init, host.report(), create, host.gone, (back) => host.adopt(back, undefined, true));
  if (host.gone()) return void (await outcome.engine?.dispose());
  // Won, or nothing measured (tfjs could not run the model here: `engineReason` says why).
  host.adopt(outcome.report, outcome.engine, true);
}

/**
 * Measures tfjs against `kernel` (`report`: the kernel's); `gone()` says the model was disposed
 * meanwhile (the tfjs engine, if up, is then disposed and nothing is timed). Should tfjs win and
 * later lose its WebGPU device (./engine.ts reports the move), `lost` gets the report of the
 * kernel answering again.
 */
async function measure(
  kernel: PlainKernel,
  init: EngineInit,
  report: EngineReport,
  create: typeof createEngine,
  gone: () => boolean,
  lost: (back: EngineReport) => void,
): Promise<Measured> {
  const backends = init.backends.filter((b) => b !== 'cpu');
  if (backends.length === 0) return { report };
  // A large-batch kernel whose earlier measurement chose a tfjs backend: select.ts brings that one
  // up when the device fingerprint still matches (decision "remembered"), else measures as usual.
  const earlier = kernel.largeBatch !== undefined && init.remembered?.backend !== 'cpu' ? init.remembered : undefined;
  const started = performance.now();
  // The report once tfjs has won (its times and rejections are kept when the kernel takes over again).
  let won = report;
  const moved = (after: EngineReport) => lost(backOnKernel(report, won, after, kernel.name));
  let engine: Engine;
  try {
    const { remembered: _r, rejected: _b, ...rest } = init;
    engine = await create(
      {
        ...rest,
        ...(earlier ? { remembered: earlier } : {}),
        backends,
        select: 'auto',
        engineReason: 'tfjs (measured in the background)',
      },
      moved,
    );
  } catch (error) {
    // tfjs could not run it here: the plain kernel stays, and nothing is remembered (try again next load).
    return stays(report, kernel, `tfjs could not bring up ${backends.join(' or ')} for this model (${messageOf(error)})`);
  }
  if (gone()) {
    await engine.dispose();
    return { report };
  }
  try {
    const outcome = await timed(kernel, init, report, engine, earlier, started);
    won = outcome.report;
    return outcome;
  } catch (error) {
    // A tfjs run failed while it was timed: that engine goes, the kernel stays.
    await engine.dispose().catch(() => undefined);
    return stays(report, kernel, `tfjs ${engine.report.backend} failed while it was timed (${messageOf(error)})`);
  }
}

/**
 * The report of a plain-JS engine back on its kernel after the tfjs engine a background measurement
 * chose lost its WebGPU device (`moved`: that engine's report then, ./engine.ts): the kernel's own
 * report (`first`), the measurement's times, the loss in `rejected`; nothing new to remember.
 */
function backOnKernel(first: EngineReport, current: EngineReport, moved: EngineReport, kernelName: string): EngineReport {
  const loss = moved.rejected.filter((r) => r.code === 'DEVICE_LOST');
  return {
    ...first,
    measured: current.measured,
    measuredBatch: current.measuredBatch,
    timings: current.timings,
    rejected: [...current.rejected.filter((r) => r.backend !== 'cpu'), ...loss],
    engineReason: `${first.engineReason}; tfjs ${loss[0]?.backend ?? current.backend} lost its device after the background measurement chose it: back on the ${kernelName}`,
  };
}

/** Times `engine` (tfjs, up) against `kernel`: see {@link measureInBackground}. */
async function timed(
  kernel: PlainKernel,
  init: EngineInit,
  report: EngineReport,
  engine: Engine,
  earlier: RememberedChoice | undefined,
  started: number,
): Promise<Measured> {
  if (kernel.largeBatch !== undefined) {
    if (earlier && engine.report.decision === 'remembered' && earlier.backend === engine.report.backend) {
      const times = Object.entries(earlier.measuredBatch ?? {})
        .map(([b, ms]) => `${ms.toFixed(2)} ms on ${b === 'cpu' ? `the ${kernel.name}` : `tfjs ${b}`}`)
        .join(' vs ');
      return {
        engine,
        report: {
          ...report,
          decision: 'remembered',
          largeBackend: earlier.backend,
          measuredBatch: earlier.measuredBatch ?? {},
          timings: { ...report.timings, measureMs: performance.now() - started },
          engineReason: `${report.engineReason}; calls of ${kernel.largeBatch}+ rows run on tfjs ${earlier.backend} (${engine.report.leanReason}), as measured on this device at ${earlier.at}: ${times} at ${kernel.largeBatch} rows`,
        },
      };
    }
    return largeBatch(kernel, kernel.largeBatch, init, report, engine, started);
  }
  const width = init.width;
  const row = init.golden ? init.golden.input.slice(0, width) : new Float32Array(width).fill(0.5);
  const batch = new Float32Array(width * MEASURE_BATCH);
  for (let r = 0; r < MEASURE_BATCH; r++) batch.set(row, r * width);
  const other: BackendName = engine.report.backend;
  const measured = { cpu: await measureCall(kernel, row, 1), [other]: await measureCall(engine, row.slice(), 1) };
  // The tfjs engine may take ownership of its input (a worker transfers it): a fresh copy per call.
  const measuredBatch = {
    cpu: await measureCall(kernel, batch, MEASURE_BATCH, 3),
    [other]: await measureCall({ run: (x, n) => engine.run(x.slice(), n) }, batch, MEASURE_BATCH, 3),
  };
  const score = (b: BackendName) => measureScore(measured[b]!, measuredBatch[b]!);
  const times = (b: BackendName) =>
    `${us(measured[b]!)} per call at batch 1 and ${us(measuredBatch[b]!)} at batch ${MEASURE_BATCH} on ${b} (score ${us(score(b))} per row)`;
  const winner: BackendName = score(other) < score('cpu') ? other : 'cpu';
  const remember: RememberedChoice = { device: engine.report.device, backend: winner, measured, measuredBatch, at: new Date().toISOString() };
  const measureMs = performance.now() - started;
  if (winner === 'cpu') {
    await engine.dispose();
    const reason = `measured in the background after the first answer: ${times('cpu')} vs ${times(other)}`;
    return {
      report: {
        ...report,
        measured,
        measuredBatch,
        remember,
        timings: { ...report.timings, measureMs },
        engineReason: `${report.engineReason}; ${reason}`,
        rejected: [{ backend: other, code: 'SLOWER', reason }],
      },
    };
  }
  const t = engine.report;
  const reason = `measured in the background after the first answer: ${times(other)} vs ${times('cpu')}`;
  return {
    engine,
    report: {
      ...t,
      engineReason: `tfjs on ${other}: ${reason}`,
      decision: 'measured',
      measured,
      measuredBatch,
      remember,
      rejected: [...t.rejected, { backend: 'cpu', code: 'SLOWER', reason: `the ${kernel.name} (plain JavaScript) ${reason}` }],
      timings: { ...report.timings, measureMs },
    },
  };
}

/** `largeBatch` kernels (tree ensembles): both timed at `rows` rows (the bundle's golden rows, tiled); tfjs takes calls that large only if it wins. */
async function largeBatch(
  kernel: PlainKernel,
  rows: number,
  init: EngineInit,
  report: EngineReport,
  engine: Engine,
  started: number,
): Promise<{ report: EngineReport; engine?: Engine }> {
  const width = init.width;
  const sample = init.golden ? init.golden.input.subarray(0, init.golden.rows * width) : new Float32Array(width).fill(0.5);
  const batch = new Float32Array(rows * width);
  for (let at = 0; at < batch.length; at += sample.length) batch.set(sample.subarray(0, Math.min(sample.length, batch.length - at)), at);
  const other: BackendName = engine.report.backend;
  const measuredBatch = {
    cpu: await measureCall(kernel, batch, rows, 3),
    [other]: await measureCall({ run: (x, n) => engine.run(x.slice(), n) }, batch, rows, 3),
  };
  const ms = (b: BackendName) => `${measuredBatch[b]!.toFixed(2)} ms on ${b === 'cpu' ? `the ${kernel.name}` : `tfjs ${b} (${engine.report.leanReason})`}`;
  const won = measuredBatch[other]! < measuredBatch.cpu;
  const remember: RememberedChoice = { device: engine.report.device, backend: won ? other : 'cpu', measured: {}, measuredBatch, at: new Date().toISOString() };
  const timings = { ...report.timings, measureMs: performance.now() - started };
  const measured = `measured in the background after the first call of ${rows}+ rows, at ${rows} rows: ${won ? `${ms(other)} vs ${ms('cpu')}` : `${ms('cpu')} vs ${ms(other)}`}`;
  if (!won) {
    await engine.dispose();
    return {
      report: {
        ...report,
        measuredBatch,
        remember,
        timings,
        engineReason: `${report.engineReason}; the ${kernel.name} stays for every batch: ${measured}`,
        rejected: [{ backend: other, code: 'SLOWER', reason: measured }],
      },
    };
  }
  return {
    engine,
    report: {
      ...report,
      decision: 'measured',
      largeBackend: other,
      measuredBatch,
      remember,
      timings,
      engineReason: `${report.engineReason}; calls of ${rows}+ rows run on tfjs ${other}, smaller ones in the ${kernel.name}: ${measured}`,
    },
  };
}
