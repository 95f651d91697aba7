/**
 * Stands in for ./engine.js in the `ferryml/edge` build (rollup.config.mjs redirects
 * start-engine.ts's `import('./engine.js')` here): tfjs is reached only through what the app
 * passed to `useTfjs`, so nothing in the edge build imports tfjs, even lazily.
 */
import { FerryError } from '../errors.js';
import { tfjsSlot } from './edge-slots.js';
import type { Engine, EngineInit, EngineReport } from './types.js';

export async function createEngine(init: EngineInit, onChange?: (report: EngineReport) => void): Promise<Engine> {
  const load = tfjsSlot();
  if (!load) {
    throw new FerryError(
      'NO_BACKEND',
      `This ${init.format} model needs tfjs (${init.engineReason ?? 'no plain-JS kernel runs it'}), which ferryml/edge leaves out to stay small: call useTfjs(() => import('ferryml/tfjs')) once before loadModel, or import loadModel from 'ferryml'`,
      { details: { format: init.format, rejected: init.rejected ?? [] } },
    );
  }
  const { createEngine: create } = await load();
  return create(init, onChange);
}
