/**
 * The engine start of `ferryml/lite`: plain-JS kernels only. Nothing here reaches tfjs, not even
 * through a dynamic `import()`, so an app's bundler never sees it; a model that needs tfjs is
 * refused with `NEEDS_TFJS`. See ./choose-engine.ts.
 */
import { startEngineWith } from './choose-engine.js';
import type { Engine, EngineInit, EngineReport } from './types.js';

/** Brings the model up on a plain-JS kernel, or rejects (`NEEDS_TFJS`, `GOLDEN_MISMATCH`, `NO_BACKEND`). */
export function startEngine(init: EngineInit, onChange?: (report: EngineReport) => void): Promise<Engine> {
  return startEngineWith(init, onChange, undefined);
}
