/**
 * The page side of worker mode: an {@link Engine} whose tfjs runs in a dedicated module Worker.
 * The page never imports tfjs; weights and feature batches are transferred, not copied.
 */
import { FerryError } from '../errors.js';
import { deserializeError } from './worker-protocol.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';
import type { PixelData } from '../schema/image.js';
import { transferImages } from './transfer-images.js';
import { detectionDecoder } from './detection-decoder.js';
import type { Engine, EngineInit, EngineReport, ModelMemory } from './types.js';

interface Pending {
  resolve(output: Float32Array): void;
  reject(error: FerryError): void;
}

/**
 * The SDK's own worker script. Keep the expression below in one piece, `new Worker(new URL(<literal>,
 * import.meta.url), {…})`: rollup.config.mjs rewrites the URL to the emitted `ferryml-worker.js`
 * relative to whichever chunk this code lands in, and an app's Vite or webpack 5 build recognises
 * the same expression in dist/ and bundles the worker with it. Run from source, it is the TypeScript entry.
 */
const startOwnWorker = () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'ferryml' });

/**
 * Starts the worker (`true`: the SDK's own) at once and brings the model up there when `init`
 * is ready: the worker's script loads and evaluates while the bundle downloads. Rejects like
 * `createEngine`, or `WORKER_FAILED`, or `ABORTED`, or with `init`'s own rejection (the worker
 * is then terminated).
 */
export function createWorkerEngine(
  url: URL | true,
  init: EngineInit | Promise<EngineInit>,
  onChange?: (report: EngineReport) => void,
  signal?: AbortSignal,
): Promise<Engine> {
  const worker = url === true ? startOwnWorker() : new Worker(url, { type: 'module', name: 'ferryml' });
  const where = url === true ? "the SDK's own ferryml-worker.js (next to its chunks)" : url.href;
  const post = (message: ToWorker, transfer: Transferable[] = []) => worker.postMessage(message, transfer);
  const pending = new Map<number, Pending>();
  // Pixel reads and memory questions, each answered by its id.
  const asked = new Map<number, { resolve(value: unknown): void; reject(error: FerryError): void }>();
  let finalMemory: ModelMemory | undefined;
  let report: EngineReport | undefined;
  let broken: FerryError | undefined;
  let nextId = 1;
  let onDisposed: (() => void) | undefined;
  let started: { resolve(engine: Engine): void; reject(error: FerryError): void } | undefined;

  const breakAll = (error: FerryError) => {
    broken ??= error;
    started?.reject(error);
    for (const p of pending.values()) p.reject(error);
    pending.clear();
    for (const a of asked.values()) a.reject(error);
    asked.clear();
    worker.terminate();
    onDisposed?.();
  };

  /** Posts a question with a fresh id; settles with the worker's answer, or rejects when the worker breaks. */
  const ask = <T>(send: (id: number) => void): Promise<T> => {
    if (broken) return Promise.reject(broken);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      asked.set(id, { resolve, reject });
      try {
        send(id);
      } catch (error) {
        asked.delete(id);
        reject(error);
      }
    });
  };

  const engine: Engine = {
    get report() {
      return report!;
    },
    run(input, rows) {
      if (broken) return Promise.reject(broken);
      const id = nextId++;
      return new Promise<Float32Array>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        try {
          post({ type: 'run', id, input, rows }, [input.buffer]);
        } catch (error) {
          // Not sent (a detached buffer: DataCloneError): nothing will answer this id.
          pending.delete(id);
          reject(
            new FerryError('INFERENCE_FAILED', `This call's ${rows} input rows could not be sent to the model's worker: ${String(error)}`, {
              details: { rows, worker: where },
              cause: error,
            }),
          );
        }
      });
    },
    memory() {
      if (finalMemory) return Promise.resolve(finalMemory);
      return ask<ModelMemory>((id) => post({ type: 'memory', id }));
    },
    // The worker runs tfjs models; their detection outputs are decoded here on the page.
    detectionDecoder,
    withPixels: (schema) =>
      transferImages(schema, (source) =>
        // Transferred, not copied: the page's ImageBitmap is detached and its VideoFrame closed as
        // soon as this posts. A source that is already closed cannot be transferred (DataCloneError).
        ask<PixelData | undefined>((id) => post({ type: 'pixels', id, source }, [source])).catch((error: unknown) => {
          if (error instanceof DOMException) return undefined;
          throw error;
        }),
      ),
    async dispose() {
      if (broken) return;
      const done = new Promise<void>((resolve) => (onDisposed = resolve));
      post({ type: 'dispose' });
      // The worker frees its tensors and answers; a wedged worker is terminated anyway.
      await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 2000))]);
      breakAll(new FerryError('DISPOSED', 'This model was disposed; load it again to predict'));
    },
  };

  worker.addEventListener('message', (event: MessageEvent<FromWorker>) => {
    const message = event.data;
    switch (message.type) {
      case 'ready':
        report = message.report;
        return started?.resolve(engine);
      case 'failed':
        return void breakAll(deserializeError(message.error));
      case 'result':
      case 'error': {
        const p = pending.get(message.id);
        pending.delete(message.id);
        if (message.type === 'result') p?.resolve(message.output);
        else p?.reject(deserializeError(message.error));
        return;
      }
      case 'report':
        report = message.report;
        return onChange?.(report);
      case 'facts':
        report = message.report;
        return;
      case 'pixels':
      case 'memory': {
        const a = asked.get(message.id);
        asked.delete(message.id);
        return a?.resolve(message.type === 'pixels' ? message.pixels : message.memory);
      }
      case 'disposed':
        if (message.memory) finalMemory = message.memory;
        return onDisposed?.();
    }
  });
  worker.addEventListener('error', (event) => {
    event.preventDefault();
    if (report !== undefined) {
      // Running: an uncaught error in the worker (its own code, or what the app put in a worker of
      // its own). Its state is unknown from here: every call waiting on it fails, and so do later ones.
      const at = event.filename ? ` (${event.filename}:${event.lineno}:${event.colno})` : '';
      return void breakAll(
        new FerryError(
          'WORKER_FAILED',
          `The model's worker ${where} failed while running: ${event.message || 'an uncaught error'}${at}; the calls waiting on it are failed and the model must be loaded again (loadModel)`,
          { details: { url: where, phase: 'running', message: event.message, filename: event.filename, line: event.lineno, column: event.colno } },
        ),
      );
    }
    const why = event.message || 'the script could not be loaded or evaluated (check the URL and that it is served as JavaScript)';
    breakAll(
      new FerryError('WORKER_FAILED', `The ferryml worker ${where} failed: ${why}; pass worker: { url } pointing at a served ferryml-worker.js`, {
        details: { url: where, phase: 'starting' },
      }),
    );
  });
  worker.addEventListener('messageerror', () =>
    breakAll(new FerryError('WORKER_FAILED', `A message from the ferryml worker ${where} could not be deserialized`)),
  );

  const onAbort = () => breakAll(new FerryError('ABORTED', 'loadModel() was aborted while the model was starting in its worker', { cause: signal?.reason }));
  return new Promise<Engine>((resolve, reject) => {
    started = { resolve, reject };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(init).then(
      (ready) => {
        if (broken) return;
        const weights = ready.artifacts.weightData;
        const transfer = weights === undefined ? [] : Array.isArray(weights) ? weights : [weights];
        post({ type: 'init', init: ready }, transfer);
      },
      (error: unknown) =>
        breakAll(
          error instanceof FerryError
            ? error
            : new FerryError('WORKER_FAILED', `The model could not be handed to its worker: ${String(error)}`, { cause: error }),
        ),
    );
  }).finally(() => {
    started = undefined;
    // Once running, the model outlives the load's signal.
    signal?.removeEventListener('abort', onAbort);
  });
}
