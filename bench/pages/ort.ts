// The ONNX Runtime Web pipeline: the penguins model exported by bench/onnx/build_onnx.py from
// the same weights, on ORT's wasm execution provider, with the same hand-written features and
// decode as the raw tfjs baseline. ORT 1.30 ships one wasm build (ort-wasm-simd-threaded.wasm);
// with numThreads = 1 it runs on the page thread without spawning workers, which on this
// 2-core machine (and on a page that is not cross-origin isolated) is the only sensible choice.
import * as ort from 'onnxruntime-web/wasm';
import type { Schema } from '../../src/index.js';
import { handTransform } from './hand-transform.js';
import { decode, splitRows, type Pipeline } from './pipeline.js';

/** Loads `onnxUrl` into an ORT wasm session; wasm files come from this server, never a CDN. */
export async function loadOrt(onnxUrl: string, schema: Schema, labels: readonly string[]): Promise<Pipeline> {
  ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  const session = await ort.InferenceSession.create(onnxUrl, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const t = handTransform(schema);
  const run = async (rows: Array<Record<string, unknown>>) => {
    const x = new Float32Array(rows.length * t.width);
    rows.forEach((row, i) => t.write(row, x, i * t.width));
    const result = await session.run({ input: new ort.Tensor('float32', x, [rows.length, t.width]) });
    const out = result['output']!;
    const data = out.data as Float32Array;
    out.dispose();
    return data;
  };
  return {
    predict: async (row) => decode(await run([row]), labels),
    outputs: async (rows) => splitRows(await run(rows), labels.length),
    dispose: () => void session.release(),
  };
}
