/**
 * The engine start of `ferryml` (page and worker): a plain-JS kernel when one runs the model,
 * else tfjs — both tfjs paths (the engine, and the background measurement of a plain-JS engine)
 * are dynamic `import()`s, fetched only when taken. See ./choose-engine.ts.
 */
import { startEngineWith, type TfjsCode } from './choose-engine.js';
import type { Engine, EngineInit, EngineReport } from './types.js';

const TFJS: TfjsCode = {
  engine: () => import('./engine.js'),
  measure: () => import('./plain-measure.js'),
};

/** Brings the model up on the plain-JS engine or tfjs; rejects like `createEngine`. */
export function startEngine(init: EngineInit, onChange?: (report: EngineReport) => void): Promise<Engine> {
  return startEngineWith(init, onChange, TFJS);
}
