/**
 * Concurrent loads of the same bundle share one download: the first caller starts the task,
 * later callers join it. Each caller can abort on its own (it gets `ABORTED` at once); the task
 * itself is aborted only when every caller waiting on it has aborted, and is then no longer joined.
 */
import { FerryError } from '../errors.js';

interface Inflight<T> {
  promise: Promise<T>;
  controller: AbortController;
  waiting: number;
  listeners: Set<(value: unknown) => void>;
}

/** A group of shareable tasks keyed by string. */
export interface InflightGroup<T> {
  /**
   * Runs `start` unless a task with `key` is running, then waits for it.
   * @param onEvent receives what the task passes to its `emit` (progress) while this caller waits.
   */
  join(
    key: string,
    start: (signal: AbortSignal, emit: (value: unknown) => void) => Promise<T>,
    signal: AbortSignal | undefined,
    onEvent?: (value: unknown) => void,
  ): Promise<T>;
  /** Keys of running tasks (tests, diagnostics). */
  keys(): string[];
}

/** A new, empty group. */
export function createInflightGroup<T>(): InflightGroup<T> {
  const running = new Map<string, Inflight<T>>();
  return {
    keys: () => [...running.keys()],
    join(key, start, signal, onEvent) {
      if (signal?.aborted) return Promise.reject(abortError(key, signal));
      let task = running.get(key);
      if (!task) {
        const controller = new AbortController();
        const listeners = new Set<(value: unknown) => void>();
        const emit = (value: unknown) => listeners.forEach((l) => l(value));
        const created: Inflight<T> = { controller, listeners, waiting: 0, promise: Promise.resolve().then(() => start(controller.signal, emit)) };
        task = created;
        running.set(key, created);
        const forget = () => {
          if (running.get(key) === created) running.delete(key);
        };
        created.promise.then(forget, forget);
      }
      const t = task;
      t.waiting++;
      if (onEvent) t.listeners.add(onEvent);
      return new Promise<T>((resolve, reject) => {
        let left = false;
        const leave = () => {
          if (left) return false;
          left = true;
          t.waiting--;
          if (onEvent) t.listeners.delete(onEvent);
          signal?.removeEventListener('abort', onAbort);
          return true;
        };
        function onAbort() {
          if (!leave()) return;
          if (t.waiting === 0) {
            t.controller.abort(signal?.reason);
            // Nobody waits for it any more, but it settles only at its next look at the signal (some
            // steps, hashing or reading the cache, never look): a caller arriving meanwhile ("Cancel",
            // then "Retry") must start afresh, not inherit an abort that was never its own.
            if (running.get(key) === t) running.delete(key);
          }
          reject(abortError(key, signal!));
        }
        signal?.addEventListener('abort', onAbort, { once: true });
        t.promise.then(
          (value) => {
            if (leave()) resolve(value);
          },
          (error: unknown) => {
            if (leave()) reject(error);
          },
        );
      });
    },
  };
}

function abortError(key: string, signal: AbortSignal): FerryError {
  return new FerryError('ABORTED', `loading ${key} was aborted by the caller's signal`, { cause: signal.reason, details: { bundle: key } });
}
