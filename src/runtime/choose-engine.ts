/**
 * Which engine runs a model (the seam between plain-JS kernels and tfjs): a plain-JS kernel when
 * one takes the model and its golden rows pass, else tfjs (`import()`ed only then, through the
 * entry's `TfjsCode`: ./import-engine.ts for `ferryml` and its worker, the `useTfjs` slot for
 * `ferryml/edge`; `ferryml/lite` has none and refuses with `NEEDS_TFJS`). So neither the page nor the worker imports tfjs for a model a
 * kernel runs. tfjs is chosen up front when the app forces a backend (`backend`, `select:
 * "first"` / `"measure"`, `engine: "tfjs"`, no `cpu` in `backends`) or an earlier measurement on
 * this device picked a tfjs backend for this model version.
 */
import { createPlainEngine, checkPlain } from './plain-engine.js';
import { PLAIN_KERNELS, PLAIN_ONLY_FORMATS } from './plain-kernels.js';
import { FerryError } from '../errors.js';
import { couldBeThisDevice } from './device-fingerprint.js';
import type { Engine, EngineInit, Rejection, ReportListener, Timings } from './types.js';
import type { createEngine } from './engine.js';
import type { measureInBackground } from './plain-measure.js';

/** Where tfjs comes from, each a dynamic `import()`; absent in ferryml/lite. */
export interface TfjsCode {
  engine: () => Promise<{ createEngine: typeof createEngine }>;
  /** The background measurement of a plain-JS engine against tfjs (plain-engine.ts), given `engine`'s `createEngine`. */
  measure: () => Promise<{ measureInBackground: typeof measureInBackground }>;
}

/** Why the plain-JS engine is not even tried, or undefined when it may be. */
function tfjsRequired(init: EngineInit): string | undefined {
  if (init.engine === 'tfjs') return "engine: 'tfjs'";
  if (init.select === 'forced') return `backend: '${init.backends[0]}' forces tfjs`;
  if (init.select !== 'auto') return `select: '${init.select}' chooses among tfjs backends`;
  if (!init.backends.includes('cpu')) return "plain-JS kernels run on the CPU and `backends` leaves out 'cpu'";
  if (!init.lean) return 'lean: false runs LayersModel.predict';
  if (rememberedTfjs(init)) return `an earlier measurement on this device chose ${init.remembered!.backend} for this model version`;
  return undefined;
}

/**
 * Whether a remembered choice sends the model to tfjs: a tfjs backend the app still allows, chosen
 * on what could be this device. A record for a backend `backends` now leaves out (an app that
 * moved to `backends: ["cpu"]`), or from another browser version or machine, does not: the kernel
 * is tried, and measured again where the policy measures.
 */
function rememberedTfjs(init: EngineInit): boolean {
  const r = init.remembered;
  return r !== undefined && r.backend !== 'cpu' && init.backends.includes(r.backend) && couldBeThisDevice(r.device);
}

/**
 * Brings the model up on the plain-JS engine or tfjs (see module doc); rejects like
 * `createEngine`, or with `NEEDS_TFJS` when the model needs tfjs and `tfjs` is absent.
 */
export async function startEngineWith(init: EngineInit, onChange: ReportListener | undefined, tfjs: TfjsCode | undefined): Promise<Engine> {
  const timings: Timings = { backendMs: 0, modelMs: 0, warmupMs: 0, goldenMs: 0, measureMs: 0 };
  const plainOnly = PLAIN_ONLY_FORMATS.has(init.format);
  // A plain-only format (tree ensembles) goes to tfjs (trees/tensor.ts) only with `engine: 'tfjs'`
  // (a `backend` alone keeps the exact kernel, as `ferryml predict --backend` relies on); else its
  // kernel, which measures tfjs for large batches itself.
  let why = plainOnly && init.engine !== 'tfjs' ? undefined : tfjsRequired(init);
  const rejected: Rejection[] = [];
  if (why === undefined) {
    const refused: string[] = [];
    for (const factory of PLAIN_KERNELS) {
      const t = performance.now();
      const kernel = factory(init);
      timings.modelMs += performance.now() - t;
      if (kernel === undefined) continue;
      if ('reason' in kernel) {
        refused.push(kernel.reason);
        continue;
      }
      const check = checkPlain(kernel, init, timings);
      if (check.ok) {
        const golden = init.golden ? `golden rows within ${init.golden.tolerance}` : 'no golden check';
        return createPlainEngine(kernel, init, timings, check, `${kernel.name}, plain JavaScript (${golden}); tfjs not loaded`, onChange, tfjs);
      }
      rejected.push(check.rejection);
      refused.push(check.rejection.reason);
    }
    if (plainOnly) {
      const mismatch = rejected.find((r) => r.code === 'GOLDEN_MISMATCH');
      throw new FerryError(
        mismatch ? 'GOLDEN_MISMATCH' : 'NO_BACKEND',
        `${init.format} models run only in a plain-JS kernel, which refused this one: ${refused.join('; ')}; the bundle is broken — re-export it`,
        {
          details: { format: init.format, rejected },
        },
      );
    }
    why = refused.length > 0 ? `no plain-JS kernel runs this model: ${refused.join('; ')}` : `no plain-JS kernel handles ${init.format} models`;
  }
  if (!tfjs) {
    throw new FerryError(
      'NEEDS_TFJS',
      `${init.format} model needs tfjs (${why}), which ferryml/lite never loads: import loadModel from 'ferryml' for this model`,
      { details: { format: init.format, reason: why, rejected } },
    );
  }
  const { createEngine } = await tfjs.engine();
  return createEngine({ ...init, rejected: [...(init.rejected ?? []), ...rejected], engineReason: `tfjs: ${why}` }, onChange);
}
