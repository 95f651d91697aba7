/**
 * The `RuntimeCode` of `ferryml/edge` (../entries/edge.ts): tfjs and the telemetry runtime are
 * only what the app handed in with `useTfjs` / `useTelemetry` (./edge-slots.ts), so nothing in that
 * entry imports either, not even lazily — a bundler that follows dynamic imports (esbuild, as
 * wrangler runs it) never reaches them. The background measurement (./plain-measure.ts) comes with
 * the handed-in engine module. No worker mode: an edge isolate is already the unit of concurrency.
 */
import { FerryError } from '../errors.js';
import type { RuntimeCode } from '../load-model-core.js';
import { telemetrySlot, tfjsSlot } from './edge-slots.js';
import type { Engine, EngineInit, EngineReport } from './types.js';

/** The tfjs engine the app handed in, or `NO_BACKEND` saying how to hand it in. */
async function createEngine(init: EngineInit, onChange?: (report: EngineReport) => void): Promise<Engine> {
  const load = tfjsSlot();
  if (!load) {
    throw new FerryError(
      'NO_BACKEND',
      `This ${init.format} model needs tfjs (${init.engineReason ?? 'no plain-JS kernel runs it'}), which ferryml/edge leaves out: call useTfjs(() => import('ferryml/tfjs')) before loadModel`,
      { details: { format: init.format, rejected: init.rejected ?? [] } },
    );
  }
  const { createEngine: create } = await load();
  return create(init, onChange);
}

export const EDGE: RuntimeCode = {
  tfjs: {
    engine: () => Promise.resolve({ createEngine }),
    // In `ferryml/tfjs`, so the edge bundle carries no measuring code for the models that need none.
    measure: async () => {
      const measureInBackground = (await tfjsSlot()?.())?.measureInBackground;
      if (!measureInBackground) throw new FerryError('NO_BACKEND', 'nothing to measure against: useTfjs was not called with ferryml/tfjs');
      return { measureInBackground };
    },
  },
  worker: () =>
    Promise.reject(
      new FerryError(
        'INVALID_OPTIONS',
        "worker: true is not in ferryml/edge (the model runs in the isolate): leave `worker` out, or use 'ferryml' in a browser",
      ),
    ),
  telemetry: () => {
    const module = telemetrySlot();
    return module
      ? Promise.resolve(module)
      : Promise.reject(
          new FerryError(
            'INVALID_OPTIONS',
            "`telemetry` given, but ferryml/edge leaves telemetry out: call useTelemetry({ createTelemetry }) (from 'ferryml/telemetry') before loadModel",
          ),
        );
  },
};
