/**
 * Brings up one tfjs backend, importing its package only now (an app that ends up on WASM never
 * downloads the WebGPU backend), and turns every way that can fail into a {@link Rejection}.
 * tfjs's `setBackend` both returns `false` (init promise rejected, error only logged) and throws
 * (name not registered), so the factory is called here first to keep the real error.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName, Rejection } from './types.js';
import { WASM_MODULE_PATHS, withWasmModule } from './wasm-module.js';

/** Options for {@link activateBackend}. */
export interface ActivateOptions {
  /** Directory URL or file map of the WASM binaries; absent: tfjs's default (next to its script, or its package dir in Node). */
  wasmPaths?: string | Record<string, string> | undefined;
  /** Allow the threaded WASM build. */
  wasmThreads: boolean;
  /** The app's precompiled WASM binary (Workers); replaces `wasmPaths`, never threaded. */
  wasmModule?: WebAssembly.Module | undefined;
}

// tfjs's registration priorities (tfjs-backend-*/src/base.ts), kept when a factory is replaced.
const PRIORITY: Record<BackendName, number> = { webgpu: 3, wasm: 2, cpu: 1 };
// The packages' own factories, so a backend whose device was lost can be created afresh.
const factories = new Map<BackendName, () => tf.KernelBackend | Promise<tf.KernelBackend>>();

/** Readable text of anything thrown (the WASM loader rejects with a plain `{ message }`). */
export function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) return String(error.message);
  return String(error);
}

// Not tf.findBackend(): it starts an initialisation as a side effect (a second WebGPU device,
// a second WASM fetch) when the backend is registered but not yet set up.
const initialized = (name: BackendName) => name in tf.engine().registry;

const wasmBinary = (simd: boolean, threads: boolean) =>
  simd ? (threads ? 'tfjs-backend-wasm-threaded-simd.wasm' : 'tfjs-backend-wasm-simd.wasm') : 'tfjs-backend-wasm.wasm';

async function importBackend(name: BackendName, options: ActivateOptions): Promise<void> {
  if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
  else if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
  else {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // On 2 cores tfjs's threaded build starts 8 workers and is ~2x slower to first prediction
    // while getThreadsCount() stays 1 (DESIGN.md "Facts measured"): prefer the SIMD-only binary.
    if (!options.wasmThreads || options.wasmModule) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    if (options.wasmModule && !initialized('wasm')) {
      // usePlatformFetch: tfjs then instantiates through the hook ./wasm-module.ts answers.
      wasm.setWasmPaths(WASM_MODULE_PATHS, true);
    } else if (options.wasmPaths !== undefined && !initialized('wasm')) {
      try {
        wasm.setWasmPaths(options.wasmPaths);
      } catch {
        // tfjs refuses new paths after a failed init in this realm; the retry below reports the real failure.
      }
    }
  }
}

/** Why a WASM binary could not be used: a code and the URL's answer in words. */
interface WasmDiagnosis {
  code: 'WASM_UNREACHABLE' | 'WASM_NOT_WASM';
  reason: string;
}

/**
 * After a failed WASM init: which binary tfjs wanted and what its URL answers. An answer that
 * is not WebAssembly (no `\0asm` magic) is usually an HTML page: a production server's SPA
 * fallback for a file the bundler did not emit (Vite answers index.html with 200).
 */
async function diagnoseWasm(paths: ActivateOptions['wasmPaths']): Promise<WasmDiagnosis | undefined> {
  if (paths === undefined || typeof fetch !== 'function') return undefined;
  const [simd, threads] = await Promise.all([tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'), tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')]);
  const file = wasmBinary(simd === true, threads === true);
  const url = typeof paths === 'string' ? `${paths}${file}` : paths[file];
  if (!url)
    return {
      code: 'WASM_UNREACHABLE',
      reason: `no URL for ${file} in the wasmPaths map (keys: tfjs-backend-wasm.wasm, tfjs-backend-wasm-simd.wasm, tfjs-backend-wasm-threaded-simd.wasm)`,
    };
  try {
    const response = await fetch(url);
    if (!response.ok) return { code: 'WASM_UNREACHABLE', reason: `${url} answered HTTP ${response.status}` };
    const head = new Uint8Array(await response.arrayBuffer()).subarray(0, 4);
    const magic = head.length === 4 && head[0] === 0 && head[1] === 0x61 && head[2] === 0x73 && head[3] === 0x6d;
    if (!magic) {
      const type = response.headers.get('content-type') ?? 'no content-type';
      return { code: 'WASM_NOT_WASM', reason: `${url} answered ${type}, not WebAssembly (an HTML page is a server's fallback for a file that is not there)` };
    }
    return undefined;
  } catch (error) {
    return { code: 'WASM_UNREACHABLE', reason: `${url} could not be fetched (${describe(error)})` };
  }
}

/**
 * Imports, initialises and activates `name` (`tf.setBackend`). Resolves `undefined` on success,
 * or the reason it failed; never throws.
 */
export async function activateBackend(name: BackendName, options: ActivateOptions): Promise<Rejection | undefined> {
  const reject = (code: Rejection['code'], reason: string): Rejection => ({ backend: name, code, reason });
  try {
    await importBackend(name, options);
  } catch (error) {
    return reject('INIT_FAILED', `importing @tensorflow/tfjs-backend-${name} failed: ${describe(error)}`);
  }
  if (!initialized(name)) {
    const factory = tf.findBackendFactory(name);
    if (!factory) return reject('INIT_FAILED', `tfjs has no "${name}" backend registered here (the package registers it only where the platform supports it)`);
    if (!factories.has(name)) factories.set(name, factory);
    let instance: tf.KernelBackend;
    const { wasmModule } = options;
    try {
      instance = await (name === 'wasm' && wasmModule ? withWasmModule(wasmModule, async () => factory()) : factory());
    } catch (error) {
      if (name === 'wasm' && wasmModule) return reject('INIT_FAILED', `the wasm backend did not come up from the wasmModule given: ${describe(error)}`);
      const wasm = name === 'wasm' ? await diagnoseWasm(options.wasmPaths) : undefined;
      if (wasm) {
        return reject(
          wasm.code,
          `the WebAssembly binary cannot be used: ${wasm.reason}; ship tfjs-backend-wasm's dist/*.wasm (the SDK's build has them next to its code) and point \`wasmPaths\` at them if they live elsewhere`,
        );
      }
      return reject('INIT_FAILED', `initialising the ${name} backend failed: ${describe(error)}`);
    }
    // Hand tfjs the instance we built so the error above was ours to read, not only tfjs's console warning.
    tf.removeBackend(name);
    tf.registerBackend(name, () => instance, PRIORITY[name]);
  }
  try {
    if (!(await tf.setBackend(name))) return reject('INIT_FAILED', `tf.setBackend('${name}') returned false`);
  } catch (error) {
    return reject('INIT_FAILED', `tf.setBackend('${name}') threw: ${describe(error)}`);
  }
  return undefined;
}

/** Makes tfjs set `name` up afresh on next use (after a lost WebGPU device); never throws. */
export function resetBackend(name: BackendName): void {
  const factory = factories.get(name) ?? tf.findBackendFactory(name);
  try {
    tf.removeBackend(name);
  } catch {
    // Not registered: nothing to drop.
  }
  if (factory) tf.registerBackend(name, factory, PRIORITY[name]);
}
