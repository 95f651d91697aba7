/**
 * The engine start of the worker (./worker.ts): a plain-JS kernel when one runs the model, else
 * tfjs — both tfjs paths are dynamic `import()`s, fetched only when taken. See ./choose-engine.ts.
 */
import { startEngineWith } from './choose-engine.js';
import { TFJS, TREE_SIMD } from './import-engine.js';
import { offerLoneWalk, offerTreeSimd } from './trees/simd-slot.js';
import { offerNumberFastPath } from '../schema/fast-path-slot.js';
import type { Engine, EngineInit, ReportListener } from './types.js';

/** Brings the model up on the plain-JS engine or tfjs; rejects like `createEngine`. */
export function startEngine(init: EngineInit, onChange?: ReportListener): Promise<Engine> {
  offerTreeSimd(TREE_SIMD);
  offerLoneWalk();
  offerNumberFastPath();
  return startEngineWith(init, onChange, TFJS);
}
