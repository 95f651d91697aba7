/**
 * What the app hands to `ferryml/edge` (src/entries/edge.ts, through ./edge-code.ts): that entry has no import of
 * tfjs or of the telemetry runtime, so a Worker bundle of it stays small; a model no plain-JS
 * kernel runs needs `useTfjs`, and the `telemetry` option needs `useTelemetry`. The root entry
 * `ferryml` loads both by itself.
 */
import type { Telemetry, TelemetryContext, TelemetryOptions } from '../telemetry/types.js';
import type { measureInBackground } from './plain-measure.js';
import type { Engine, EngineInit, EngineReport } from './types.js';

/**
 * What `ferryml/tfjs` exports: the tfjs engine factory, which only the SDK calls. Its parameters
 * are internal (they carry tfjs's `io.ModelArtifacts`) and declared opaque here, so the types of
 * `ferryml/edge` and `ferryml/tfjs` name no tfjs type: a Worker type-checks without tfjs installed.
 */
export interface TfjsEngineModule {
  createEngine: (init: never, onChange?: never) => Promise<unknown>;
  /** The background measurement of a plain-JS kernel against tfjs (`ferryml/tfjs` has it; without it nothing is measured). */
  measureInBackground?: (...args: never[]) => Promise<unknown>;
}

/** {@link TfjsEngineModule} as the SDK calls it. */
interface TfjsEngineFactory {
  createEngine: (init: EngineInit, onChange?: (report: EngineReport) => void) => Promise<Engine>;
  measureInBackground?: typeof measureInBackground;
}

/** What `ferryml/telemetry` exports for `useTelemetry`: the telemetry runtime's factory. */
export interface TelemetryModule {
  createTelemetry: (options: TelemetryOptions, context: TelemetryContext) => Telemetry;
}

let tfjs: (() => Promise<TfjsEngineModule>) | undefined;
let telemetry: TelemetryModule | undefined;

/**
 * Lets `ferryml/edge` run models that need tfjs: `useTfjs(() => import('ferryml/tfjs'))` (tfjs
 * loads with the first such model) or `useTfjs(tfjsEngineModule)`. Call once, before `loadModel`.
 */
export function useTfjs(engine: TfjsEngineModule | (() => Promise<TfjsEngineModule>)): void {
  tfjs = typeof engine === 'function' ? engine : () => Promise.resolve(engine);
}

/**
 * Lets `ferryml/edge` honour `loadModel`'s `telemetry` option:
 * `import { createTelemetry } from 'ferryml/telemetry'; useTelemetry({ createTelemetry })`. Call once, before `loadModel`.
 */
export function useTelemetry(module: TelemetryModule): void {
  telemetry = module;
}

// What useTfjs accepts is `ferryml/tfjs` (src/entries/tfjs.ts), whose createEngine is the factory.
export const tfjsSlot = () => tfjs as (() => Promise<TfjsEngineFactory>) | undefined;
export const telemetrySlot = () => telemetry;
