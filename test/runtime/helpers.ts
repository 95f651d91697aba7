// Shared by the runtime suites: where the fixture bundles are served, and their golden data.
import type { FerryError } from '../../src/errors.js';
import type { LoadModelOptions } from '../../src/load-model.js';

/** The fixture registry (test/runtime/fixtures/make-fixtures.ts writes it), served by the test server. */
export const REGISTRY = '/test/runtime/fixtures/models/index.json';

/** The test server's copy of tfjs-backend-wasm's binaries. */
export const WASM = '/node_modules/@tensorflow/tfjs-backend-wasm/dist/';

/** Options every suite starts from: no cache and no remembered choice, so each test starts clean. */
export const base = (name: string, extra: Partial<LoadModelOptions> = {}): LoadModelOptions => ({
  registry: REGISTRY,
  name,
  cache: false,
  remember: false,
  wasmPaths: WASM,
  ...extra,
});

/** A bundle's golden rows and outputs, fetched as the app would. */
export async function golden(name: string): Promise<{ rows: Array<Record<string, unknown>>; outputs: number[][] }> {
  const response = await fetch(`/test/runtime/fixtures/models/${name}/1.0.0/golden.json`);
  return response.json();
}

/** Largest |a − b| over two equally long number lists. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** The error `promise` rejects with (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<FerryError> {
  try {
    await promise;
  } catch (error) {
    return error as FerryError;
  }
  throw new Error('expected a rejection, but the promise resolved');
}
