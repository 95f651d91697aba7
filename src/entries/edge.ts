// `ferryml/edge`: the app API of the root entry for Cloudflare Workers, Deno, Bun and other
// runtimes where the bundle size is the budget. Built on its own (rollup.config.mjs) with no
// import of tfjs or of the telemetry runtime anywhere, not even a lazy one a bundler would follow:
// models a plain-JS kernel runs (dense chains, tree ensembles) need nothing else; for the others
// call `useTfjs(() => import('ferryml/tfjs'))`, for telemetry `useTelemetry({ createTelemetry })`
// (from 'ferryml/telemetry') once. Workers in the page (`worker: true`) are not offered.
export * from '../index.js';
export { useTfjs, useTelemetry } from '../runtime/edge-slots.js';
export type { TfjsEngineModule, TelemetryModule } from '../runtime/edge-slots.js';
