/**
 * tfjs-backend-wasm from a precompiled `WebAssembly.Module` — what a Cloudflare Worker gets from
 * `import wasm from './tfjs-backend-wasm-simd.wasm'`; workerd refuses to compile WebAssembly from
 * bytes, which is the only way tfjs 4.22 loads its binary. tfjs has no option for a Module, so its
 * one hook is used: with `setWasmPaths(map, true)` its emscripten `instantiateWasm` fetches the
 * path through tfjs's platform `fetch` and calls `WebAssembly.instantiate(bytes, imports)`. While
 * the backend initialises (and only then) that fetch answers a random token for a reserved URL,
 * and `WebAssembly.instantiate` turns exactly that token into `new WebAssembly.Instance(module,
 * imports)`; every other call passes through. On workerd the emscripten glue also takes the
 * isolate for Node (`process.versions.node` exists there) and reads `__dirname`: `process` is
 * hidden from it for that time.
 */
import * as tf from '@tensorflow/tfjs-core';

/** A URL that can never be fetched (`.invalid` is reserved): tfjs asks for it, the wrapped fetch answers it. */
const MARK = 'https://ferryml-wasm-module.invalid/tfjs-backend-wasm.wasm';

/** `setWasmPaths` map sending every binary tfjs may ask for to the mark. */
export const WASM_MODULE_PATHS: Record<string, string> = {
  'tfjs-backend-wasm.wasm': MARK,
  'tfjs-backend-wasm-simd.wasm': MARK,
  'tfjs-backend-wasm-threaded-simd.wasm': MARK,
};

type Instantiate = typeof WebAssembly.instantiate;

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

/** Runs `init` (the wasm backend's factory) with tfjs's binary request answered by `module`; restores everything after. */
export async function withWasmModule<T>(module: WebAssembly.Module, init: () => Promise<T>): Promise<T> {
  const token = crypto.getRandomValues(new Uint8Array(16));
  const platform = tf.env().platform as unknown as Record<string, unknown>;
  const ownFetch = Object.getOwnPropertyDescriptor(platform, 'fetch');
  const platformFetch = platform.fetch as (path: string, init?: RequestInit) => Promise<Response>;
  platform.fetch = (path: string, requestInit?: RequestInit) =>
    path === MARK ? Promise.resolve(new Response(token.slice())) : platformFetch.call(platform, path, requestInit);
  const instantiate = WebAssembly.instantiate;
  const wrapped = ((source: BufferSource | WebAssembly.Module, imports?: WebAssembly.Imports) => {
    const bytes =
      source instanceof ArrayBuffer
        ? new Uint8Array(source)
        : ArrayBuffer.isView(source)
          ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength)
          : undefined;
    if (bytes && sameBytes(bytes, token)) return Promise.resolve({ instance: new WebAssembly.Instance(module, imports), module });
    return instantiate.call(WebAssembly, source as BufferSource, imports);
  }) as Instantiate;
  WebAssembly.instantiate = wrapped;
  const workerd = (globalThis.navigator as { userAgent?: string } | undefined)?.userAgent === 'Cloudflare-Workers';
  const proc = workerd ? Object.getOwnPropertyDescriptor(globalThis, 'process') : undefined;
  if (proc?.configurable) Object.defineProperty(globalThis, 'process', { value: undefined, configurable: true, writable: true });
  try {
    return await init();
  } finally {
    if (proc?.configurable) Object.defineProperty(globalThis, 'process', proc);
    if (WebAssembly.instantiate === wrapped) WebAssembly.instantiate = instantiate;
    if (ownFetch) Object.defineProperty(platform, 'fetch', ownFetch);
    else delete platform.fetch;
  }
}
