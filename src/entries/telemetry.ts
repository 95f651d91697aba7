// `ferryml/telemetry`: what dashboards and custom collectors share with the SDK — the PSI
// thresholds drift is judged by, and the record-level types. createTelemetry stays internal:
// loadModel starts it when `telemetry` options are given.
export { PSI_WARN, PSI_ALERT } from '../telemetry/psi.js';
export type { TelemetryContext, ModelLoadedEvent, LoadSource } from '../telemetry/types.js';
// What createTelemetry returns and reports, for apps that hand it to `useTelemetry` and read it back.
export type { Telemetry, TelemetryOptions, TelemetryStats, TelemetryHandle, FeatureDrift, DriftStatus, DropReason } from '../telemetry/types.js';
// The telemetry runtime, for `useTelemetry` of `ferryml/edge` (the root entry loads it by itself).
export { createTelemetry } from '../telemetry/telemetry.js';
