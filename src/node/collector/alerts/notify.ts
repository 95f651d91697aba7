/**
 * Delivery of alert notifications to one receiver (an Alertmanager or a webhook): payloads go out
 * one at a time in order, each retried with exponential backoff and full jitter on network
 * errors, timeouts, 408, 429 and 5xx; other 4xx are final. Nothing here is awaited by ingest or by
 * the evaluation: `send` queues and returns. The queue is bounded; what is dropped is counted.
 * Counters are what `/api/health` shows under `alerts.receivers`.
 */
import { messageOf } from '../../../errors.js';

/** How a receiver retries. */
export interface RetryPolicy {
  /** Tries per payload, the first included. */
  attempts: number;
  /** First backoff; doubles per try (full jitter). */
  baseMs: number;
  maxMs: number;
  /** Per request. */
  timeoutMs: number;
}

/** A receiver's counters (shown in `/api/health`). */
export interface ReceiverStats {
  kind: 'alertmanager' | 'webhook';
  url: string;
  /** Payloads delivered (2xx). */
  sent: number;
  /** Payloads given up on (tries exhausted, or a final 4xx). */
  failed: number;
  /** Tries that were retries. */
  retries: number;
  /** Payloads dropped because the queue was full. */
  dropped: number;
  /** Payloads waiting (the one in flight included). */
  queued: number;
  lastError: string | null;
  lastErrorAt: number | null;
  lastSentAt: number | null;
}

const MAX_QUEUE = 100;
const RETRYABLE = (status: number) => status === 408 || status === 429 || status >= 500;

/** A receiver at `url`: `send(body)` queues a JSON POST. */
export function createReceiver(kind: ReceiverStats['kind'], url: string, policy: RetryPolicy) {
  const stats: ReceiverStats = { kind, url, sent: 0, failed: 0, retries: 0, dropped: 0, queued: 0, lastError: null, lastErrorAt: null, lastSentAt: null };
  const queue: string[] = [];
  let running: Promise<void> | undefined;
  let stopped = false;
  const timers = new Set<{ timer: ReturnType<typeof setTimeout>; resolve: () => void }>();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          timers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      timers.add(entry);
    });
  const failure = (message: string) => {
    stats.lastError = message;
    stats.lastErrorAt = Date.now();
  };

  /** One payload, with retries; true when delivered. */
  async function deliver(body: string): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      let retryable = true;
      try {
        const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body, signal: AbortSignal.timeout(policy.timeoutMs) });
        const text = await res.text().catch(() => '');
        if (res.ok) return true;
        retryable = RETRYABLE(res.status);
        failure(`POST ${url}: HTTP ${res.status} ${text.slice(0, 200)}`.trim());
      } catch (e) {
        failure(`POST ${url}: ${messageOf(e)}`);
      }
      if (!retryable || attempt >= policy.attempts || stopped) return false;
      stats.retries++;
      await sleep(Math.random() * Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1)));
    }
  }

  async function drain(): Promise<void> {
    for (let body = queue[0]; body !== undefined && !stopped; body = queue[0]) {
      const ok = await deliver(body);
      queue.shift();
      stats.queued = queue.length;
      if (ok) {
        stats.sent++;
        stats.lastSentAt = Date.now();
      } else stats.failed++;
    }
    running = undefined;
  }

  return {
    stats,
    /** Queues `payload` (JSON-serialised now); returns at once. */
    send(payload: unknown): void {
      if (stopped) return;
      if (queue.length >= MAX_QUEUE) {
        // The oldest waiting (not the one in flight) makes room: newer state supersedes it.
        queue.splice(1, 1);
        stats.dropped++;
      }
      queue.push(JSON.stringify(payload));
      stats.queued = queue.length;
      running ??= drain();
    },
    /** Resolves when the queue is empty (tests, shutdown). */
    idle: async (): Promise<void> => {
      while (running) await running;
    },
    /** Stops retrying; what is queued is left undelivered (counted as failed only if it was tried). */
    stop(): void {
      stopped = true;
      for (const t of timers) {
        clearTimeout(t.timer);
        t.resolve();
      }
      timers.clear();
    },
  };
}

/** A receiver's type. */
export type Receiver = ReturnType<typeof createReceiver>;
