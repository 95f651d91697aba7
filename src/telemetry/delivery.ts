/**
 * Delivery policy: one batch through retries (429/502/503/504/network/timeout, honouring
 * Retry-After, else exponential backoff with jitter, at most `maxAttempts` tries), 413 → split
 * once, other 4xx → drop and count, 5xx and exhausted retries → the IndexedDB queue, which is
 * drained one batch at a time with its own backoff. While a server's Retry-After is in force for
 * the endpoint, new batches are not sent but stored (or held in memory with `offline: false`) until
 * it ends. Every record ends up sent, stored or counted as dropped, and counted once: copies of a
 * batch (page hide, lost answers) settle by batch id.
 */
import { messageOf } from '../errors.js';
import type { Batch } from './batcher.js';
import { endpointWait, holdEndpoint } from './endpoint-wait.js';
import { exclusive } from './exclusive.js';
import { fitsKeepalive, releaseKeepalive, reserveKeepalive } from './keepalive-budget.js';
import type { OfflineQueue } from './offline-queue.js';
import type { NormalizedTelemetryOptions } from './options.js';
import { batchBody, randomHex, utf8Length } from './otlp.js';
import { backoffMs } from './retry.js';
import { isSettled, settle } from './settled-batches.js';
import { later } from './timer.js';
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

/** Delivery bound to one endpoint; `protect` ends retry waits early (page hidden, dispose). */
export function createDelivery(o: NormalizedTelemetryOptions, counters: Counters, queue: OfflineQueue | undefined, isClosed: () => boolean) {
  const sleepers = new Set<() => void>();
  /** Batches in flight without keepalive: on page hide a copy goes to IndexedDB (dedupe makes that safe). */
  const unprotected = new Set<Batch>();
  let drainTimer: ReturnType<typeof setTimeout> | undefined;
  let drainDelay = o.offline?.minDelayMs ?? 0;
  /** With no offline queue: batches held in memory until the server's Retry-After ends. */
  let held: Batch[] = [];
  let releaseTimer: ReturnType<typeof setTimeout> | undefined;
  const heldRecords = () => held.reduce((n, b) => n + b.records.length, 0);
  // One drain per queue: an IndexedDB queue is shared by name (models of this page, other tabs); a memory queue is ours alone.
  const lockName = `ferryml-telemetry-drain:${queue?.kind === 'indexeddb' ? o.offline!.dbName : randomHex(8)}:${o.url}`;

  const drop = (reason: DropReason, n: number, why?: string) => countDrop(counters, reason, n, why);

  const sleep = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const wake = () => {
        clearTimeout(t);
        sleepers.delete(wake);
        resolve(true);
      };
      const t = later(() => {
        sleepers.delete(wake);
        resolve(false);
      }, ms);
      sleepers.add(wake);
    });

  /** One POST; uses keepalive while the page's in-flight keepalive bytes stay within budget. */
  async function attempt(batch: Batch): Promise<Outcome> {
    const body = batchBody(batch.resource, batch.id, batch.records);
    const size = utf8Length(body);
    const keepalive = reserveKeepalive(size, o.keepaliveBytes);
    if (!keepalive) unprotected.add(batch);
    try {
      const r = await post(o.url, o.headers, body, keepalive, o.requestTimeoutMs);
      // The server's Retry-After holds every later send to this endpoint: new batches, drains, `online`.
      if (r.kind === 'retry' && r.afterMs !== undefined) holdEndpoint(o.url, r.afterMs);
      return r;
    } finally {
      if (keepalive) releaseKeepalive(size);
      else unprotected.delete(batch);
    }
  }

  /** Stores batches in the offline queue (or counts them lost when there is none); drains after `delayMs` (at the earliest). */
  async function park(batches: Batch[], why: string, delayMs = drainDelay): Promise<void> {
    const n = batches.reduce((s, b) => s + b.records.length, 0);
    if (!queue) return void drop('undeliverable', n, why);
    try {
      const r = await queue.put(batches, o.url);
      counters.offlineBatches = r.batches;
      drop('offline_full', r.evictedRecords, 'offline queue full');
      counters.lastError = why;
      scheduleDrain(delayMs);
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
  /** A 413 for a batch that may still be split; its records then travel as the halves. */
  const splittable = (b: Batch, r: Outcome) => r.kind === 'too_large' && !b.split && b.records.length > 1;

  /** Counts a batch's final answer (sent, refused, still too large) once: a copy of it may have been counted already. */
  function count(b: Batch, r: Outcome): void {
    if (!settle(b.id)) return;
    const n = b.records.length;
    if (r.kind === 'ok') {
      const refused = Math.min(r.rejected, n);
      counters.sent += n - refused;
      drop('rejected', refused, `collector refused part of batch ${b.id}: ${r.message}`);
    } else if (r.kind === 'rejected') drop('rejected', n, `POST ${o.url}: ${r.status} ${r.message}`);
    else if (r.kind === 'too_large') drop('too_large', n, `413 from ${o.url} after splitting`);
  }

  /**
   * A batch that may not be sent before the server's Retry-After: stored in the offline queue and
   * drained when the wait ends, or (no queue) held in memory and sent then (dispose() counts it).
   */
  function hold(batch: Batch): Promise<void> | void {
    const why = `POST ${o.url}: waiting out the collector's Retry-After`;
    if (queue) return park([batch], why, 0);
    held.push(batch);
    counters.lastError = why;
    void release();
  }

  /** Sends the batches held in memory once the Retry-After has passed (else re-arms its timer). */
  async function release(): Promise<void> {
    if (!held.length || isClosed()) return;
    clearTimeout(releaseTimer);
    const ms = endpointWait(o.url);
    if (ms > 0) releaseTimer = later(() => void release(), ms);
    else {
      const batches = held;
      held = [];
      await Promise.all(batches.map((b) => deliver(b)));
    }
  }

  /**
   * Sends one batch through the whole policy (`first`: its first attempt, already under way).
   * Resolves when it is sent, stored or counted.
   */
  async function deliver(batch: Batch, first?: Promise<Outcome>): Promise<void> {
    if (!first && endpointWait(o.url) > 0) return hold(batch);
    for (let tries = 1; ; tries++) {
      const r = await (tries === 1 && first ? first : attempt(batch));
      if (splittable(batch, r)) {
        if (settle(batch.id)) await Promise.all(splitHalves(batch).map((h) => deliver(h)));
        return;
      }
      if (r.kind === 'ok' || r.kind === 'rejected' || r.kind === 'too_large') {
        count(batch, r);
        if (r.kind === 'ok' && counters.offlineBatches > 0) void drain();
        return;
      }
      if (r.kind === 'defer') return park([batch], `POST ${o.url}: ${r.status} ${r.message}`);
      const why = `POST ${o.url}: ${r.status === 'network' ? 'network error' : r.status === 'timeout' ? `no answer in ${o.requestTimeoutMs} ms` : r.status}`;
      // A Retry-After beyond our cap is still honoured: by the offline queue (drained after it), not by waiting here.
      if (tries >= o.maxAttempts || isClosed() || (r.afterMs ?? 0) > o.retryMaxMs) return park([batch], why);
      counters.retries++;
      if (await sleep(r.afterMs ?? backoffMs(tries, o.retryBaseMs, o.retryMaxMs))) return park([batch], `${why}; page hidden while waiting to retry`);
    }
  }

  /**
   * Page hidden: the batch goes out with keepalive and, at once, into IndexedDB (an outbox). The
   * page may never run again to retry a failed send (offline, then discarded), but the stored
   * copy survives for the next load; a send that is answered removes the copy. During a server's
   * Retry-After nothing is sent: the batch is only stored (held in memory with no queue).
   */
  async function hide(batch: Batch): Promise<void> {
    if (queue?.kind !== 'indexeddb' || endpointWait(o.url) > 0) return deliver(batch);
    const stored = queue.put([batch], o.url).then(
      (r) => {
        counters.offlineBatches = r.batches;
        drop('offline_full', r.evictedRecords, 'offline queue full');
        return r.keys;
      },
      (e: unknown) => void (counters.lastError = `page hidden: IndexedDB failed: ${messageOf(e)}`),
    );
    // Started in this task: a request not started before the page unloads never is.
    const sent = attempt(batch);
    const keys = await stored;
    // Nothing stored: the usual policy (its retries end stored or counted).
    if (!keys) return deliver(batch, sent);
    const r = await sent;
    if (r.kind === 'retry' || r.kind === 'defer') {
      counters.lastError = `page hidden: POST ${o.url} failed (${r.status}); stored for later`;
      scheduleDrain(drainDelay);
      return;
    }
    await deliver(batch, sent);
    for (const key of keys) await queue.remove(key);
    counters.offlineBatches = await queue.count(o.url);
  }

  /** Drains after `ms`, never before the server's Retry-After. */
  function scheduleDrain(ms: number): void {
    if (!queue || isClosed()) return;
    clearTimeout(drainTimer);
    drainTimer = later(() => void drain(), Math.max(ms, endpointWait(o.url)));
  }

  /** Sends stored batches oldest first, one at a time, until the queue is empty, a send fails or the server asked to wait. */
  async function drainQueue(q: OfflineQueue): Promise<void> {
    for (let item = await q.oldest(o.url); item && !isClosed(); item = await q.oldest(o.url)) {
      const { key, batch } = item;
      // A copy of a batch this page already settled (stored on hide while the original was in flight): removed unsent.
      if (isSettled(batch.id)) {
        await q.remove(key);
        continue;
      }
      if (endpointWait(o.url) > 0) return void scheduleDrain(0);
      const r = await attempt(batch);
      if (r.kind === 'retry' || r.kind === 'defer') {
        counters.retries++;
        scheduleDrain(drainDelay);
        drainDelay = Math.min(drainDelay * 2, o.offline!.maxDelayMs);
        return;
      }
      await q.remove(key);
      // The halves go to the queue's end; park counts what they evict, or all of them if IndexedDB fails.
      if (splittable(batch, r)) {
        if (settle(batch.id)) await park(splitHalves(batch), `413 from ${o.url}: batch ${batch.id} split in two`);
      } else count(batch, r);
      drainDelay = o.offline!.minDelayMs;
    }
  }

  /** Drains the offline queue unless it is already being drained (then waits for that drain, or tries later if another tab has it). */
  async function drain(): Promise<void> {
    if (!queue || isClosed()) return;
    clearTimeout(drainTimer);
    try {
      if (!(await exclusive(lockName, queue.kind === 'indexeddb', () => drainQueue(queue)))) scheduleDrain(drainDelay);
      // On every path, a drain that failed at start-up included.
      counters.offlineBatches = await queue.count(o.url);
    } catch (e) {
      counters.lastError = `offline queue: ${messageOf(e)}`;
    }
  }

  return {
    deliver,
    hide,
    drain,
    park,
    release,
    /** Records held in memory for a Retry-After (no offline queue). */
    heldRecords,
    /** Page hidden or disposing: end retry waits (those batches go to IndexedDB) and copy unprotected in-flight batches there. */
    async protect(): Promise<void> {
      for (const wake of [...sleepers]) wake();
      if (unprotected.size) await park([...unprotected], 'page hidden with a request in flight');
    },
    /** True when `bytes` more would still fit the page's keepalive budget. */
    fitsKeepalive: (bytes: number) => fitsKeepalive(bytes, o.keepaliveBytes),
    /** Online again: retry stored batches now (unless the server asked to wait longer). */
    online(): void {
      drainDelay = o.offline?.minDelayMs ?? 0;
      void drain();
    },
    stop(): void {
      clearTimeout(drainTimer);
      clearTimeout(releaseTimer);
    },
  };
}
