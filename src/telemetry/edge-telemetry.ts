/**
 * Stands in for ./telemetry.js in the `ferryml/edge` build (rollup.config.mjs redirects
 * load-model.ts's `import('./telemetry/telemetry.js')` here): the telemetry runtime is what the app
 * passed to `useTelemetry`, so the edge build does not carry it for apps that send none.
 */
import { FerryError } from '../errors.js';
import { telemetrySlot } from '../runtime/edge-slots.js';
import type { Telemetry, TelemetryContext, TelemetryOptions } from './types.js';

export function createTelemetry(options: TelemetryOptions, context: TelemetryContext): Telemetry {
  const module = telemetrySlot();
  if (!module) {
    throw new FerryError(
      'INVALID_OPTIONS',
      "loadModel got `telemetry`, but ferryml/edge leaves the telemetry runtime out to stay small: call `useTelemetry({ createTelemetry })` with createTelemetry from 'ferryml/telemetry' once before loadModel",
    );
  }
  return module.createTelemetry(options, context);
}
