/**
 * The background half of the engine policy (plain-engine.ts): for a plain-JS model big enough
 * that tfjs might be faster, bring tfjs up after the first answer (webgpu/wasm as the app's
 * `backends` allow; cpu is the plain kernel itself) and time both at batch 1 and
 * `MEASURE_BATCH` exactly as select.ts times backends. Loaded only when that happens. A tree
 * kernel (`largeBatch`) whose earlier measurement on this device chose tfjs gets that backend back
 * without timing anything.
 */
import type { createEngine } from './engine.js';
import { MEASURE_BATCH, measureCall, measureScore } from './measure.js';
import type { PlainKernel } from './plain-kernels.js';
import type { BackendName, Engine, EngineInit, EngineReport, RememberedChoice } from './types.js';

const us = (n: number) => `${Number((n * 1000).toPrecision(3))} µs`;

/** Measures tfjs against `kernel`; returns the new report, and the tfjs engine when it won. Never throws. */
export async function measureInBackground(
  kernel: PlainKernel,
  init: EngineInit,
  report: EngineReport,
  create: typeof createEngine,
): Promise<{ report: EngineReport; engine?: Engine }> {
  const backends = init.backends.filter((b) => b !== 'cpu');
  if (backends.length === 0) return { report };
  // A large-batch kernel whose earlier measurement chose a tfjs backend: select.ts brings that one
  // up when the device fingerprint still matches (decision "remembered"), else measures as usual.
  const earlier = kernel.largeBatch !== undefined && init.remembered?.backend !== 'cpu' ? init.remembered : undefined;
  const started = performance.now();
  let engine: Engine;
  try {
    const { remembered: _r, rejected: _b, ...rest } = init;
    engine = await create({
      ...rest,
      ...(earlier ? { remembered: earlier } : {}),
      backends,
      select: 'auto',
      engineReason: 'tfjs (measured in the background)',
    });
  } catch {
    // tfjs could not run it here: the plain kernel stays, and nothing is remembered (try again next load).
    return { report };
  }
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
      measuredBatch,
      remember,
      timings,
      engineReason: `${report.engineReason}; calls of ${rows}+ rows run on tfjs ${other}, smaller ones in the ${kernel.name}: ${measured}`,
    },
  };
}
