/**
 * The worker entry (built as dist/ferryml-worker.js): runs the engine off the page's main
 * thread. The page validates and transforms rows and sends Float32Arrays here. Like the page,
 * the worker imports tfjs only when the model needs it (start-engine.ts).
 */
import { startEngine } from './start-engine.js';
import { serializeError } from './worker-protocol.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';
import type { Engine } from './types.js';

// The DOM lib types `self` as a Window; in a dedicated worker it is the worker's global scope.
const scope = globalThis as unknown as {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<ToWorker>) => void): void;
  close(): void;
};
const post = (message: FromWorker, transfer: Transferable[] = []) => scope.postMessage(message, transfer);

let engine: Promise<Engine> | undefined;

scope.addEventListener('message', (event) => {
  const message = event.data;
  if (message.type === 'init') {
    engine = startEngine(message.init, (report) => post({ type: 'report', report }));
    engine.then(
      (e) => post({ type: 'ready', report: e.report }),
      (error: unknown) => post({ type: 'failed', error: serializeError(error, 'BACKEND_INIT_FAILED') }),
    );
  } else if (message.type === 'run') {
    const { id, input, rows } = message;
    (async () => {
      if (!engine) throw new Error('run before init');
      return (await engine).run(input, rows);
    })().then(
      (output) => post({ type: 'result', id, output }, [output.buffer]),
      (error: unknown) => post({ type: 'error', id, error: serializeError(error, 'INFERENCE_FAILED') }),
    );
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a message from across the worker boundary: ignore unknown types
  } else if (message.type === 'dispose') {
    void (engine ?? Promise.reject(new Error('never started')))
      .then((e) => e.dispose())
      .catch(() => undefined)
      .finally(() => {
        post({ type: 'disposed' });
        scope.close();
      });
  }
});
