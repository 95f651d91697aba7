/**
 * The plain-JS engine: a {@link PlainKernel} checked against the bundle's golden rows and run
 * with no tfjs module loaded. For a model big enough that a tfjs backend might be faster
 * (`cost` over {@link BACKGROUND_MEASURE_ABOVE}), tfjs is brought up in the background after the
 * first answer and both are measured the way select.ts measures backends; the model moves to
 * tfjs only if it scores lower, and the result is remembered like any measurement.
 */
import { FerryError } from '../errors.js';
import { checkGolden } from './golden.js';
import type { PlainKernel } from './plain-kernels.js';
import { couldBeThisDevice, deviceFingerprint } from './device-fingerprint.js';
import type { Engine, EngineInit, EngineReport, Rejection, ReportListener, Timings } from './types.js';
import type { TfjsCode } from './choose-engine.js';
import type { BackgroundHost } from './plain-measure.js';

/**
 * Multiply-adds per row past which tfjs might beat the plain kernel, so it is measured in the
 * background. Below it the direct kernel (~1 ns per multiply-add) scores under ~4 µs per row,
 * while tfjs wasm's per-call floor alone (27–180 µs at batch 1 on this project's machine, README
 * "Backend policy") keeps its score above that; the measured crossover with digits-like shapes
 * lies between 4k and 32k (BENCHMARKS.md).
 */
export const BACKGROUND_MEASURE_ABOVE = 4096;

/** Quiet time (ms) after the last call before the background measurement starts (a bulk call's chunks run back to back). */
const IDLE_MS = 50;

/** Outcome of {@link checkPlain}: the kernel passed (with its golden error), or the rejection to record. */
export type PlainCheck = { ok: true; goldenError?: number } | { ok: false; rejection: Rejection };

/** Runs the golden rows on `kernel` (when the bundle has them and the check is on). */
export function checkPlain(kernel: PlainKernel, init: EngineInit, timings: Timings): PlainCheck {
  const golden = init.golden;
  if (!golden) return { ok: true };
  const t = performance.now();
  let result;
  try {
    result = checkGolden(kernel.run(golden.input, golden.rows), golden);
  } catch (error) {
    return {
      ok: false,
      rejection: {
        backend: 'cpu',
        code: 'MODEL_FAILED',
        reason: `the ${kernel.name} (plain JavaScript) failed on the golden rows: ${error instanceof Error ? error.message : String(error)}`,
      },
    };
  } finally {
    timings.goldenMs += performance.now() - t;
  }
  if (!result.ok)
    return {
      ok: false,
      rejection: {
        backend: 'cpu',
        code: 'GOLDEN_MISMATCH',
        reason: `the ${kernel.name} (plain JavaScript) does not reproduce the bundle's golden outputs: ${result.reason}`,
      },
    };
  return { ok: true, goldenError: result.maxError };
}

/** Builds the engine around a kernel that passed {@link checkPlain}; `why` becomes `engineReason`. */
export function createPlainEngine(
  kernel: PlainKernel,
  init: EngineInit,
  timings: Timings,
  check: { goldenError?: number },
  why: string,
  onChange?: ReportListener,
  tfjsCode?: TfjsCode,
): Engine {
  // A kernel win remembered on what could be this device; another device's record is measured again.
  const remembered = init.remembered?.backend === 'cpu' && couldBeThisDevice(init.remembered.device) ? init.remembered : undefined;
  // Only the automatic policy second-guesses itself, once per device and version (then remembered).
  // Without tfjs (ferryml/lite), or with `backends: ["cpu"]` (cpu is the kernel itself), there is
  // nothing to measure against, and tfjs is not downloaded for nothing.
  // A `largeBatch` kernel whose earlier measurement chose tfjs brings that backend up the same way
  // (plain-measure.ts adopts it without measuring again when the device still matches).
  const eligible =
    tfjsCode !== undefined &&
    init.engine === 'auto' &&
    init.select === 'auto' &&
    !remembered &&
    (kernel.cost > BACKGROUND_MEASURE_ABOVE || kernel.largeBatch !== undefined);
  const rivals = init.backends.some((b) => b !== 'cpu');
  let measure = eligible && rivals;
  let report: EngineReport = {
    engine: 'js',
    engineReason: eligible && !rivals ? `${why}; not measured against tfjs (\`backends\` allows only cpu, which this kernel is)` : why,
    backend: 'cpu',
    decision: remembered ? 'remembered' : 'kernel',
    rejected: [],
    device: deviceFingerprint(undefined),
    measured: remembered?.measured ?? {},
    measuredBatch: remembered?.measuredBatch ?? {},
    outputWidth: kernel.outputWidth,
    lean: kernel.lean,
    leanReason: kernel.description,
    timings: { ...timings },
    ...(kernel.largeBatch === undefined ? {} : { largeBatch: kernel.largeBatch }),
    ...(check.goldenError === undefined ? {} : { goldenError: check.goldenError }),
  };
  let tfjs: Engine | undefined;
  let disposed = false;
  let lastRunAt = 0;
  // Only while the background work waits for quiet does a call read the clock (none on the predict path otherwise).
  let waiting = false;
  // Starts the background work once no call has run for IDLE_MS: a bulk call's later chunks come first.
  const whenIdle = () => {
    // Disposed meanwhile (a CLI run that has written its answers): nothing to measure for.
    if (disposed) return;
    const quiet = performance.now() - lastRunAt;
    if (quiet < IDLE_MS) later(IDLE_MS - quiet);
    else {
      waiting = false;
      void tfjsCode!
        .measure()
        .then(({ measureInBackground }) => measureInBackground(host))
        .catch(() => undefined);
    }
  };
  // Node: a pending measurement does not keep the process alive (a CLI exits once it has answered).
  const later = (ms: number) => (setTimeout(whenIdle, ms) as { unref?: () => void }).unref?.();

  // What plain-measure.ts's background measurement reads and sets.
  const host: BackgroundHost = {
    kernel,
    init,
    report: () => report,
    gone: () => disposed,
    engine: () => tfjsCode!.engine(),
    adopt: (next, engine, announce) => {
      if (disposed) return void engine?.dispose().catch(() => undefined);
      const before = tfjs;
      tfjs = engine;
      // A tfjs engine that lost its device hands back to the kernel: it goes.
      if (before && before !== engine) void before.dispose().catch(() => undefined);
      report = next;
      onChange?.(report, !announce);
    },
  };

  const engine: Engine = {
    get report() {
      return report;
    },
    run(input, rows) {
      if (disposed) return Promise.reject(new FerryError('DISPOSED', 'This model was disposed; load it again to predict'));
      // The kernel's faster way for calls this large comes up once (off the load's path); then
      // `leanReason` says what runs. Not a change of engine: no onChange (no load record in
      // telemetry, no onBackendChange); a worker passes the new facts on after the run (worker.ts).
      const ready = tfjs && !(rows < (kernel.largeBatch ?? 0)) ? undefined : kernel.prepare?.(rows);
      if (ready)
        return ready.then(() => {
          report = { ...report, leanReason: kernel.description };
          return engine.run(input, rows);
        });
      // A kernel with `largeBatch` hands only calls that large to tfjs, and measures only after one.
      const large = !(rows < (kernel.largeBatch ?? 0));
      if (tfjs && large) return tfjs.run(input, rows);
      try {
        return kernel.run(input, rows);
      } catch (error) {
        return Promise.reject(
          new FerryError('INFERENCE_FAILED', `The ${kernel.name} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error }),
        );
      } finally {
        if (waiting) lastRunAt = performance.now();
        if (measure && large) {
          measure = false;
          waiting = true;
          lastRunAt = performance.now();
          // After this answer is out, when the page is idle: never on the first prediction's path.
          later(0);
        }
      }
    },
    memory() {
      // Until the background measurement brings tfjs up, this engine holds no tensors.
      return tfjs?.memory?.() ?? { realm: 'page', tfjs: false, tensors: 0, bytes: 0, dataBuffers: 0, gpuBytes: 0 };
    },
    async dispose() {
      disposed = true;
      const t = tfjs;
      tfjs = undefined;
      await t?.dispose();
    },
  };
  return engine;
}
