/**
 * Delivery policy: one batch through retries (429/502/503/504/network/timeout, honouring Retry-After,
 * else exponential backoff with jitter, at most `maxAttempts` tries), 413 → split once, other
 * 4xx → drop and count, 5xx and exhausted retries → the IndexedDB queue, which is drained one
 * batch at a time with its own backoff. Every record ends up sent, stored or counted as dropped.
 */
import { messageOf } from '../errors.js';
import type { Batch } from './batcher.js';
import type { OfflineQueue } from './offline-queue.js';
import type { NormalizedTelemetryOptions } from './options.js';
import { batchBody, utf8Length } from './otlp.js';
import { backoffMs } from './retry.js';
import { post } from './transport.js';
import type { Outcome } from './transport.js';
import type { DropReason } from './types.js';

/** Counters shared by the telemetry modules. */
export interface Counters {
  sent: number;
  retries: number;
  offlineBatches: number;
  dropped: Record<DropReason, number>;
  /** Drops not yet reported in a `ferryml.telemetry.drops` record. */
  unreported: Partial<Record<DropReason, number>>;
  lastError: string | undefined;
}

/** Counts `n` dropped records (cumulative and for the next drops report) and notes why. */
export function countDrop(counters: Counters, reason: DropReason, n: number, why?: string): void {
  if (n <= 0) return;
  counters.dropped[reason] += n;
  counters.unreported[reason] = (counters.unreported[reason] ?? 0) + n;
  counters.lastError = `${why ?? reason}; ${n} record${n === 1 ? '' : 's'} dropped (${reason})`;
}

/** Delivery bound to one endpoint; `wakeAll` ends retry waits early (page hidden, dispose). */
export function createDelivery(o: NormalizedTelemetryOptions, counters: Counters, queue: OfflineQueue | undefined, isClosed: () => boolean) {
  let keepaliveInFlight = 0;
  const sleepers = new Set<() => void>();
  /** Batches in flight without keepalive: on page hide a copy goes to IndexedDB (dedupe makes that safe). */
  const unprotected = new Set<Batch>();
  let drainTimer: ReturnType<typeof setTimeout> | undefined;
  let drainDelay = o.offline?.minDelayMs ?? 0;
  let draining: Promise<void> | undefined;

  const drop = (reason: DropReason, n: number, why?: string) => countDrop(counters, reason, n, why);

  const sleep = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const wake = () => {
        clearTimeout(t);
        sleepers.delete(wake);
        resolve(true);
      };
      const t = setTimeout(() => {
        sleepers.delete(wake);
        resolve(false);
      }, ms);
      sleepers.add(wake);
    });

  /** One POST; uses keepalive while the in-flight keepalive bytes stay within budget. */
  async function attempt(batch: Batch): Promise<Outcome> {
    const body = batchBody(batch.resource, batch.id, batch.records);
    const size = utf8Length(body);
    const keepalive = keepaliveInFlight + size <= o.keepaliveBytes;
    if (keepalive) keepaliveInFlight += size;
    else unprotected.add(batch);
    try {
      return await post(o.url, o.headers, body, keepalive, o.requestTimeoutMs);
    } finally {
      if (keepalive) keepaliveInFlight -= size;
      else unprotected.delete(batch);
    }
  }

  /** Stores batches in the IndexedDB queue (or counts them lost when there is none). */
  async function park(batches: Batch[], why: string, notBeforeMs = 0): Promise<void> {
    const n = batches.reduce((s, b) => s + b.records.length, 0);
    if (!queue) return void drop('undeliverable', n, why);
    try {
      const r = await queue.put(batches, o.url);
      counters.offlineBatches = r.batches;
      drop('offline_full', r.evictedRecords, 'offline queue full');
      counters.lastError = why;
      scheduleDrain(Math.max(drainDelay, notBeforeMs));
    } catch (e) {
      drop('storage_error', n, `${why}; IndexedDB failed: ${messageOf(e)}`);
    }
  }

  const splitHalves = (b: Batch): Batch[] => {
    const mid = Math.ceil(b.records.length / 2);
    return [b.records.slice(0, mid), b.records.slice(mid)].map((records, i) => ({
      id: `${b.id}-${i ? 'b' : 'a'}`,
      resource: b.resource,
      records,
      bytes: records.reduce((s, r) => s + utf8Length(r), 0),
      split: true,
    }));
  };

  const accepted = (b: Batch, r: { rejected: number; message: string }) => {
    counters.sent += b.records.length - Math.min(r.rejected, b.records.length);
    drop('rejected', Math.min(r.rejected, b.records.length), `collector refused part of batch ${b.id}: ${r.message}`);
  };

  /** Sends one batch through the whole policy. Resolves when it is sent, stored or counted. */
  async function deliver(batch: Batch): Promise<void> {
    for (let tries = 1; ; tries++) {
      const r = await attempt(batch);
      if (r.kind === 'ok') {
        accepted(batch, r);
        if (counters.offlineBatches > 0) void drain();
        return;
      }
      if (r.kind === 'too_large') {
        if (batch.split || batch.records.length < 2) return void drop('too_large', batch.records.length, `413 from ${o.url} after splitting`);
        await Promise.all(splitHalves(batch).map(deliver));
        return;
      }
      if (r.kind === 'rejected') return void drop('rejected', batch.records.length, `POST ${o.url}: ${r.status} ${r.message}`);
      if (r.kind === 'defer') return park([batch], `POST ${o.url}: ${r.status} ${r.message}`);
      const why = `POST ${o.url}: ${r.status === 'network' ? 'network error' : r.status === 'timeout' ? `no answer in ${o.requestTimeoutMs} ms` : r.status}`;
      // A Retry-After beyond our cap is still honoured: by the IndexedDB queue, not by waiting here.
      if (tries >= o.maxAttempts || isClosed() || (r.afterMs ?? 0) > o.retryMaxMs) return park([batch], why, r.afterMs);
      counters.retries++;
      if (await sleep(r.afterMs ?? backoffMs(tries, o.retryBaseMs, o.retryMaxMs))) return park([batch], `${why}; page hidden while waiting to retry`);
    }
  }

  function scheduleDrain(ms: number): void {
    if (!queue || isClosed()) return;
    clearTimeout(drainTimer);
    drainTimer = setTimeout(() => void drain(), ms);
    (drainTimer as { unref?: () => void }).unref?.();
  }

  /** Sends stored batches oldest first, one at a time, until the queue is empty or a send fails. */
  function drain(): Promise<void> {
    if (!queue || isClosed()) return Promise.resolve();
    return (draining ??= (async () => {
      clearTimeout(drainTimer);
      try {
        for (let item = await queue.oldest(o.url); item && !isClosed(); item = await queue.oldest(o.url)) {
          const r = await attempt(item.batch);
          if (r.kind === 'retry' || r.kind === 'defer') {
            counters.retries++;
            scheduleDrain(Math.max(drainDelay, r.kind === 'retry' ? (r.afterMs ?? 0) : 0));
            drainDelay = Math.min(drainDelay * 2, o.offline!.maxDelayMs);
            return;
          }
          await queue.remove(item.key);
          if (r.kind === 'ok') accepted(item.batch, r);
          else if (r.kind === 'rejected') drop('rejected', item.batch.records.length, `POST ${o.url}: ${r.status} ${r.message}`);
          else if (item.batch.split || item.batch.records.length < 2) drop('too_large', item.batch.records.length, `413 from ${o.url}`);
          else await queue.put(splitHalves(item.batch), o.url);
          drainDelay = o.offline!.minDelayMs;
        }
        counters.offlineBatches = await queue.count(o.url);
      } catch (e) {
        counters.lastError = `offline queue: ${messageOf(e)}`;
      } finally {
        draining = undefined;
      }
    })());
  }

  return {
    deliver,
    drain,
    park,
    /** Page hidden or disposing: end retry waits (those batches go to IndexedDB) and copy unprotected in-flight batches there. */
    async protect(): Promise<void> {
      for (const wake of [...sleepers]) wake();
      if (unprotected.size) await park([...unprotected], 'page hidden with a request in flight');
    },
    /** True when `bytes` more would still fit the keepalive budget. */
    fitsKeepalive: (bytes: number) => keepaliveInFlight + bytes <= o.keepaliveBytes,
    /** Online again: retry stored batches now. */
    online(): void {
      drainDelay = o.offline?.minDelayMs ?? 0;
      void drain();
    },
    stop(): void {
      clearTimeout(drainTimer);
    },
  };
}
