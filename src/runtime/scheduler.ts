/**
 * Micro-batching: concurrent requests are coalesced into one batch (at most `maxBatch` rows),
 * flushed at the end of the current task (`maxDelayMs` 0) or after `maxDelayMs`, one batch in
 * flight at a time so requests arriving meanwhile form the next batch. Each request can be
 * aborted or time out on its own; it is then settled at once and skipped (or its share of a
 * running batch ignored), never dropped silently.
 */
import { FerryError } from '../errors.js';

/** One caller's rows waiting for a batch. */
export interface Request {
  rows: readonly unknown[];
  /** Settled already (aborted, timed out, or done): a batch skips it. */
  done: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  /** Removes the abort listener and timer; set by the scheduler. */
  cleanup?: () => void;
}

/** Options of {@link createScheduler}. */
export interface SchedulerOptions {
  /** Rows per batch at most (one request never exceeds it: split bigger ones first). */
  maxBatch: number;
  /** How long the first queued request waits for company; 0 flushes at the end of the current task. */
  maxDelayMs: number;
  /** Runs one batch and settles its requests (skipping `done` ones); may be synchronous. A throw rejects every open request of the batch. */
  runBatch: (requests: Request[], rows: number) => void | Promise<void>;
}

/** Per-request options. */
export interface EnqueueOptions {
  signal?: AbortSignal | undefined;
  /** Rejects with `TIMEOUT` after this many ms (0: never). */
  timeoutMs?: number | undefined;
}

/** A micro-batching queue; see the module doc. */
export function createScheduler(options: SchedulerOptions) {
  const { maxBatch, maxDelayMs, runBatch } = options;
  let queue: Request[] = [];
  let queuedRows = 0;
  let inFlight = false;
  let soon = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const settle = (request: Request) => {
    request.done = true;
    request.cleanup?.();
  };

  const finish = () => {
    inFlight = false;
    if (queue.length > 0) flush();
  };

  function flush(): void {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (inFlight) return;
    const batch: Request[] = [];
    let rows = 0;
    while (queue.length > 0) {
      const next = queue[0]!;
      if (!next.done && rows + next.rows.length > maxBatch && batch.length > 0) break;
      queue.shift();
      queuedRows -= next.rows.length;
      if (!next.done) {
        batch.push(next);
        rows += next.rows.length;
      }
    }
    if (batch.length === 0) return;
    inFlight = true;
    const failAll = (error: unknown) => {
      for (const r of batch) {
        if (!r.done) {
          settle(r);
          r.reject(error);
        }
      }
    };
    let result: void | Promise<void>;
    try {
      result = runBatch(batch, rows);
    } catch (error) {
      failAll(error);
      return finish();
    }
    if (result instanceof Promise) result.catch(failAll).finally(finish);
    else finish();
  }

  // A full batch, or no delay wanted: flush once the caller's current task is done.
  const schedule = () => {
    if (inFlight) return; // finish() flushes what queued meanwhile
    if (queuedRows >= maxBatch || maxDelayMs <= 0) {
      if (!soon) {
        soon = true;
        queueMicrotask(() => {
          soon = false;
          flush();
        });
      }
    } else if (timer === undefined) {
      timer = setTimeout(() => {
        timer = undefined;
        flush();
      }, maxDelayMs);
    }
  };

  return {
    /** Queues `request`; it settles through its own resolve/reject. */
    enqueue(request: Request, { signal, timeoutMs }: EnqueueOptions = {}): void {
      if (signal?.aborted) {
        return request.reject(new FerryError('ABORTED', 'predict() was aborted before it ran', { cause: signal.reason }));
      }
      if (signal || timeoutMs) {
        const resolve = request.resolve;
        const reject = request.reject;
        let timer: ReturnType<typeof setTimeout> | undefined;
        const onAbort = () => {
          if (request.done) return;
          settle(request);
          reject(new FerryError('ABORTED', 'predict() was aborted by its AbortSignal', { cause: signal?.reason }));
        };
        if (timeoutMs) {
          timer = setTimeout(() => {
            if (request.done) return;
            settle(request);
            reject(new FerryError('TIMEOUT', `predict() did not finish within its ${timeoutMs} ms timeout`, { details: { timeoutMs } }));
          }, timeoutMs);
        }
        signal?.addEventListener('abort', onAbort, { once: true });
        request.cleanup = () => {
          if (timer !== undefined) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        };
        request.resolve = (value) => {
          settle(request);
          resolve(value);
        };
        request.reject = (error) => {
          settle(request);
          reject(error);
        };
      }
      queue.push(request);
      queuedRows += request.rows.length;
      schedule();
    },
    /** Rejects everything queued with `error` (used by dispose); a running batch finishes. */
    clear(error: FerryError): void {
      const pending = queue;
      queue = [];
      queuedRows = 0;
      for (const r of pending) {
        if (!r.done) {
          settle(r);
          r.reject(error);
        }
      }
    },
  };
}

/** The scheduler returned by {@link createScheduler}. */
export type Scheduler = ReturnType<typeof createScheduler>;
