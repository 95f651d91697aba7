/**
 * The worker entry (built as dist/ferryml-worker.js): runs the engine off the page's main
 * thread. The page validates and transforms rows and sends Float32Arrays here; ImageBitmaps and
 * VideoFrames are transferred here to be drawn and read (then closed), off the page. Like the page,
 * the worker imports tfjs only when the model needs it (start-engine.ts).
 */
import { startEngine } from './start-engine.js';
import { serializeError } from './worker-protocol.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';
import type { Engine, EngineReport, ModelMemory } from './types.js';
import { drawPixels, naturalSize } from '../schema/image.js';
import type { PixelData, Scratch } from '../schema/image.js';

// The DOM lib types `self` as a Window; in a dedicated worker it is the worker's global scope.
const scope = globalThis as unknown as {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<ToWorker>) => void): void;
  close(): void;
};
const post = (message: FromWorker, transfer: Transferable[] = []) => scope.postMessage(message, transfer);

/**
 * A run's output back to the page: its buffer transferred; a buffer that cannot be transferred (one
 * an engine shares, or WebAssembly memory) goes as a copy, and an output that cannot be sent at all
 * as the call's error, so the page's call never waits for an answer that is not coming.
 */
function sendResult(id: number, output: Float32Array): void {
  try {
    return post({ type: 'result', id, output }, [output.buffer]);
  } catch {
    // Not transferable: copied below.
  }
  try {
    post({ type: 'result', id, output: output.slice() });
  } catch (error) {
    post({
      type: 'error',
      id,
      error: {
        code: 'INFERENCE_FAILED',
        message: `The worker could not send this call's output (${output.length} values) back to the page: ${error instanceof Error ? error.message : String(error)}`,
        details: { length: output.length },
      },
    });
  }
}

let engine: Promise<Engine> | undefined;
/** The report the page last got (ready, report or facts). */
let posted: EngineReport | undefined;
/** The canvas image sources are drawn on to read their pixels. */
const scratch: Scratch = { canvas: undefined };
const NO_TFJS: ModelMemory = { realm: 'worker', tfjs: false, tensors: 0, bytes: 0, dataBuffers: 0, gpuBytes: 0 };

scope.addEventListener('message', (event) => {
  const message = event.data;
  if (message.type === 'init') {
    // A quiet change (facts only, not a change of engine) reaches the page's copy at once, not with the next result.
    engine = startEngine(message.init, (report, quiet) => post({ type: quiet ? 'facts' : 'report', report: (posted = report) }));
    engine.then(
      (e) => post({ type: 'ready', report: (posted = e.report) }),
      (error: unknown) => post({ type: 'failed', error: serializeError(error, 'BACKEND_INIT_FAILED') }),
    );
  } else if (message.type === 'run') {
    const { id, input, rows } = message;
    (async () => {
      if (!engine) throw new Error('run before init');
      const e = await engine;
      const output = await e.run(input, rows);
      // A run may change the engine's facts quietly (the tree kernel's WebAssembly kernel came up): the page's copy follows, before the result.
      if (e.report !== posted) post({ type: 'facts', report: (posted = e.report) });
      return output;
    })().then(
      (output) => sendResult(id, output),
      (error: unknown) => post({ type: 'error', id, error: serializeError(error, 'INFERENCE_FAILED') }),
    );
  } else if (message.type === 'pixels') {
    const { id, source } = message;
    let pixels: PixelData | undefined;
    try {
      const [sw, sh] = naturalSize(source);
      pixels = sw >= 1 && sh >= 1 ? drawPixels(source, sw, sh, scratch) : undefined;
    } catch {
      // A source that cannot be drawn or read (cross-origin): the page reports INVALID_IMAGE.
      pixels = undefined;
    } finally {
      // Ours now: a VideoFrame holds decoder memory until closed, an ImageBitmap its pixels.
      source.close();
    }
    const data = pixels?.data as Uint8ClampedArray | undefined;
    post({ type: 'pixels', id, pixels }, data ? [data.buffer] : []);
  } else if (message.type === 'memory') {
    const { id } = message;
    void (async () => (await engine?.catch(() => undefined))?.memory?.())().then((memory) =>
      post({ type: 'memory', id, memory: { ...(memory ?? NO_TFJS), realm: 'worker' } }),
    );
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a message from across the worker boundary: ignore unknown types
  } else if (message.type === 'dispose') {
    let memory: ModelMemory | undefined;
    void (engine ?? Promise.reject(new Error('never started')))
      .then(async (e) => {
        await e.dispose();
        memory = { ...((await e.memory?.()) ?? NO_TFJS), realm: 'worker', disposed: true };
      })
      .catch(() => undefined)
      .finally(() => {
        post(memory ? { type: 'disposed', memory } : { type: 'disposed' });
        scope.close();
      });
  }
});
