// ferryml's own worker, with faults a test picks by the size of a call's output (3 values a row
// for the test's mlp; the page cannot reach inside a worker any other way):
// - 7 rows: the output's buffer cannot be transferred (as with an engine's shared buffer or
//   WebAssembly memory): postMessage throws DataCloneError when asked to transfer it;
// - 9 rows: the output cannot be sent at all;
// - 13 rows: the worker dies on the call: no answer, then an uncaught error.
import '../../src/runtime/worker.js';

const scope = globalThis as unknown as { postMessage(message: unknown, transfer?: Transferable[]): void };
const send = scope.postMessage.bind(scope);
scope.postMessage = (message: unknown, transfer: Transferable[] = []) => {
  const m = message as { type: string; output?: Float32Array };
  const rows = m.type === 'result' ? m.output!.length / 3 : 0;
  if (rows === 9 || (rows === 7 && transfer.length > 0)) throw new DOMException('ArrayBuffer is not detachable', 'DataCloneError');
  if (rows === 13)
    return void setTimeout(() => {
      throw new Error('boom in the worker');
    });
  send(message, transfer);
};
