/**
 * Everything `loadModel` needs for a model a plain-JS kernel runs, as one module: bundle open,
 * verify and cache (model/load-bundle.ts), the schema compiler and compatibility rule (schema/),
 * the engine choice and plain-JS engine (runtime/choose-engine.ts), the remembered backend choice
 * and the page side (model, scheduler, decode: runtime/model.ts). None of it is needed before the
 * registry request goes out, so none of it is in the SDK core.
 * The SDK core imports it with one dynamic `import()` at the start of `loadModel`, and the build
 * (rollup.config.mjs `manualChunks`) keeps what it reaches outside the core in one chunk, so the
 * cold path is one module round trip from the entry, not one per lazy level (issue 15). Nothing
 * here reaches tfjs: its code comes in through the entry's `TfjsCode`.
 */
export { loadBundle } from './model/load-bundle.js';
export { compileSchema } from './schema/compile.js';
export { schemaConflicts } from './schema/compatible.js';
export { engineIo } from './runtime/engine-io.js';
export { readRemembered, storeRemembered } from './runtime/remember.js';
export { startEngineWith } from './runtime/choose-engine.js';
export { createModel } from './runtime/model.js';
