/**
 * Where tfjs-backend-wasm's binaries are by default: next to the SDK's own code, as
 * `new URL('…', import.meta.url)` with literal paths — the form Vite, webpack 5 and Rollup
 * bundle as assets. In the source tree the paths reach into node_modules (what a dev server and
 * the tests serve); the SDK build (rollup.config.mjs, `wasmAssets`) copies the three binaries
 * next to its chunks and rewrites these URLs to `./<file>.wasm`. Keys are the file names
 * tfjs's `setWasmPaths` map accepts.
 */

/** The three binaries tfjs-backend-wasm may ask for (plain, SIMD, threaded SIMD). */
export type WasmFileName = 'tfjs-backend-wasm.wasm' | 'tfjs-backend-wasm-simd.wasm' | 'tfjs-backend-wasm-threaded-simd.wasm';

/** Absolute URLs of the binaries shipped with the SDK, keyed by file name. */
export function defaultWasmPaths(): Record<WasmFileName, string> {
  return {
    'tfjs-backend-wasm.wasm': new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm', import.meta.url).href,
    'tfjs-backend-wasm-simd.wasm': new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm', import.meta.url).href,
    'tfjs-backend-wasm-threaded-simd.wasm': new URL(
      '../../node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm',
      import.meta.url,
    ).href,
  };
}
