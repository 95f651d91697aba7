/**
 * `createTelemetry`: the runtime's reporting seam. Calls on the predict path only bump counters
 * in the open window; windows close on a timer (and on flush / page hide) into OTLP LogRecords,
 * which are batched by time, count and bytes and delivered by the policy in delivery.ts.
 */
import { FerryError, messageOf } from '../errors.js';
import { createBatcher } from './batcher.js';
import type { Batch } from './batcher.js';
import { countDrop, createDelivery } from './delivery.js';
import type { Counters } from './delivery.js';
import { dropsRecord, loadRecord, predictionRecord } from './events.js';
import { onLifecycle } from './lifecycle.js';
import { createMemoryQueue } from './memory-queue.js';
import { createOfflineQueue } from './offline-queue.js';
import { normalizeOptions } from './options.js';
import { encodeResource, randomHex, str, utf8Length } from './otlp.js';
import type { Telemetry, TelemetryContext, TelemetryOptions } from './types.js';
import { createWindows } from './windows.js';
import { runtimeAttributes } from './runtime-name.js';
import { isSettled } from './settled-batches.js';
import { later } from './timer.js';

/**
 * Starts telemetry for one loaded model. Throws `INVALID_OPTIONS` for caller mistakes; after
 * that nothing throws into the page. Drains batches stored by earlier page loads at start-up.
 * @example
 * const telemetry = createTelemetry({ endpoint: 'https://collector.example.com' },
 *   { model: 'penguins', version: '1.2.0', schemaHash, schema });
 */
export function createTelemetry(options: TelemetryOptions, context: TelemetryContext): Telemetry {
  const o = normalizeOptions(options);
  const columns = context.schema.columns.map((c) => c.name);
  for (const name of o.rawValues) {
    if (!columns.includes(name)) {
      throw new FerryError('INVALID_OPTIONS', `telemetry option "rawValues" names "${name}", which is not a column of the schema (${columns.join(', ')})`, {
        details: { option: 'rawValues', got: name, expected: columns },
      });
    }
  }
  const traceId = randomHex(16);
  let spanId = randomHex(8);
  const resource = encodeResource([
    str('service.name', o.serviceName),
    str('ml.model.name', context.model),
    str('ml.model.version', context.version),
    str('ml.schema.hash', context.schemaHash),
    str('session.id', traceId),
    str('telemetry.sdk.name', 'ferryml'),
    str('telemetry.sdk.language', 'webjs'),
    ...runtimeAttributes(),
  ]);
  const counters: Counters = {
    sent: 0,
    retries: 0,
    offlineBatches: 0,
    dropped: { queue_full: 0, offline_full: 0, rejected: 0, too_large: 0, undeliverable: 0, storage_error: 0, disposed: 0 },
    unreported: {},
    lastError: undefined,
  };
  let closed = false;
  const batcher = createBatcher({ maxRecords: o.maxBatchRecords, maxBytes: o.maxBatchBytes, maxQueue: o.maxQueueRecords });
  // No IndexedDB (edge runtimes, Node): undelivered batches wait in memory for the next flush.
  const memoryQueue = o.offline && typeof indexedDB === 'undefined' ? createMemoryQueue(o.offline) : undefined;
  const queue = o.offline ? (memoryQueue ?? createOfflineQueue(o.offline)) : undefined;
  const delivery = createDelivery(o, counters, queue, () => closed);
  const windows = createWindows(context.schema, o, context);
  const summary = windows.summary;
  /** Deliveries under way, each with the records it carries (counted lost if it can never finish). */
  const pending = new Map<Promise<void>, number>();
  let windowTimer: ReturnType<typeof setTimeout> | undefined;
  let flushTimer: ReturnType<typeof setTimeout> | undefined;

  const guard = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      counters.lastError = `${what}: ${messageOf(e)}`;
    }
  };
  const track = (p: Promise<void>, records = 0) => {
    const q = p.catch((e: unknown) => void (counters.lastError = `delivery: ${messageOf(e)}`));
    pending.set(q, records);
    void q.finally(() => pending.delete(q));
  };
  /**
   * Waits for every delivery under way. `q` never rejects, but awaiting it can: workerd refuses a
   * promise an ended request made ("can never settle"), so a delivery left running past its
   * response would make every later flush() reject. It is let go, its records counted lost.
   */
  const settle = async () => {
    while (pending.size) {
      for (const [q, records] of [...pending]) {
        try {
          await q;
        } catch (e) {
          pending.delete(q);
          const why = `a delivery begun by an earlier request never finished (${messageOf(e)}): pass flush() to ctx.waitUntil`;
          if (records > 0) countDrop(counters, 'undeliverable', records, why);
          else counters.lastError = why;
        }
      }
    }
  };
  let seq = 0;
  const next = () => ++seq;
  const ids = () => ({ traceId, spanId, seq: next });

  /** Queues one record; event records (loads, sampled predictions) count against `maxQueueRecords`. */
  function enqueue(record: string, bounded = true): void {
    const size = utf8Length(record);
    if (size > o.maxBatchBytes) countDrop(counters, 'too_large', 1, `a ${size}-byte record exceeds maxBatchBytes (${o.maxBatchBytes})`);
    else if (!batcher.push(record, size, bounded)) countDrop(counters, 'queue_full', 1, `memory queue full (${o.maxQueueRecords} records)`);
    if (closed) return;
    if (batcher.due) sendNow();
    else if (flushTimer === undefined && batcher.length) flushTimer = later(sendNow, o.flushIntervalMs);
  }

  function closeWindows(): void {
    clearTimeout(windowTimer);
    windowTimer = undefined;
    for (const r of windows.close(ids())) enqueue(r, false);
    spanId = randomHex(8);
  }

  /** The next batch from memory, with a drops report prepended when there are unreported drops. */
  function nextBatch(): Batch | undefined {
    const taken = batcher.take();
    const drops = Object.keys(counters.unreported).length ? dropsRecord(counters.unreported, Date.now(), ids()) : undefined;
    if (!taken && !drops) return undefined;
    counters.unreported = {};
    const records = taken?.records ?? [];
    if (drops) records.unshift(drops);
    return { id: randomHex(16), resource, records, bytes: (taken?.bytes ?? 0) + (drops ? utf8Length(drops) : 0), split: false };
  }

  function sendNow(): void {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    for (let b = nextBatch(); b; b = nextBatch()) track(delivery.deliver(b), b.records.length);
  }

  // UTF-8 bytes, as the keepalive budget counts them (a model name in CJK is 3 bytes a character).
  const resourceBytes = utf8Length(resource);

  /** Page hidden (or disposing): send what fits the page's keepalive budget (a copy stored too), store the rest. */
  function hidden(): void {
    guard('flush on hide', () => {
      closeWindows();
      clearTimeout(flushTimer);
      flushTimer = undefined;
      const overflow: Batch[] = [];
      track(delivery.protect());
      for (let b = nextBatch(); b; b = nextBatch()) {
        // The body adds the resource, the envelope (~150 bytes) and a comma per record.
        if (delivery.fitsKeepalive(b.bytes + resourceBytes + b.records.length + 256)) track(delivery.hide(b), b.records.length);
        else overflow.push(b);
      }
      if (overflow.length)
        track(
          delivery.park(overflow, 'page hidden: keepalive budget spent, stored for later'),
          overflow.reduce((n, b) => n + b.records.length, 0),
        );
    });
  }

  const removeListeners = onLifecycle({ hidden, online: () => delivery.online() });
  if (queue) track(delivery.drain());

  const armWindow = () => {
    if (windowTimer === undefined) windowTimer = later(() => guard('window', closeWindows), o.windowMs);
  };

  // The clock object read once: `performance` is an accessor on the global object (a getter call
  // per read in Node, an attribute getter in browsers).
  const clock = performance;
  // The batch in flight (the runtime's scheduler runs one at a time): its latency weight from the
  // summary's sampler (0: not timed), and whether it sends a `ferryml.prediction` record.
  let batchWeight = 0;
  let batchSampled = false;

  /** One batch finished: counted, its latency weighed by `weight` (0: not timed), sent on as a prediction record when `sample`d. */
  function done(count: number, latencyMs: number, backend: string, weight: number, sample: boolean, output: (() => unknown) | undefined): void {
    summary.predicted(count, latencyMs, backend, weight);
    armWindow();
    // The runtime reports a batch right before it resolves the batch's calls: drift values wait
    // for a task after that. (Rows of a batch that failed or was all rejected wait for the next
    // batch or the window's close; only a finished batch marks a point where the caller is done.)
    windows.settled();
    if (sample) {
      guard('sampled prediction', () => {
        const out = o.rawOutputs && output ? output() : undefined;
        const inputs = windows.takeInputs();
        enqueue(predictionRecord({ rows: count, latencyMs, backend, sampleRate: o.sampleRate, ...(inputs ? { inputs } : {}), output: out }, Date.now(), ids()));
      });
    }
  }

  return {
    observe: windows.observe,
    modelLoaded(event) {
      if (!closed) guard('modelLoaded', () => enqueue(loadRecord(event, Date.now(), ids(), o)));
    },
    start() {
      if (closed) return NaN;
      batchWeight = summary.sample();
      batchSampled = o.sampleRate > 0 && Math.random() < o.sampleRate;
      // A prediction record carries its latency, so a sampled batch is timed too (weight 0 if the summary did not pick it).
      return batchWeight > 0 || batchSampled ? clock.now() : NaN;
    },
    finished(started, count, backend, output) {
      if (closed) return;
      // NaN (not timed) fails the comparison: no clock read.
      const latencyMs = started >= 0 ? clock.now() - started : 0;
      done(count, latencyMs, backend, started >= 0 ? batchWeight : 0, batchSampled, output);
    },
    predicted(count, latencyMs, backend, output) {
      if (!closed) done(count, latencyMs, backend, 1, o.sampleRate > 0 && Math.random() < o.sampleRate, output);
    },
    outputs(values, rows, width) {
      if (closed) return;
      // Per batch: no closure for guard() here.
      try {
        windows.outputs(values, rows, width);
      } catch (e) {
        counters.lastError = `outputs: ${messageOf(e)}`;
      }
    },
    failed(code) {
      if (closed) return;
      summary.failed(code);
      armWindow();
    },
    issues(list) {
      if (closed) return;
      guard('issues', () => summary.issues(list));
      armWindow();
    },
    async flush() {
      if (closed) return;
      guard('flush', () => {
        closeWindows();
        sendNow();
        // Batches held in memory have no later (an isolate may end after this request): retry them now
        // (unless the collector's Retry-After is still in force: then they stay where they are).
        if (memoryQueue && counters.offlineBatches > 0) track(delivery.drain());
        track(delivery.release(), delivery.heldRecords());
      });
      await settle();
    },
    stats() {
      return {
        queued: batcher.length + delivery.heldRecords(),
        offlineBatches: counters.offlineBatches,
        offlineStore: queue?.kind ?? 'off',
        sent: counters.sent,
        dropped: { ...counters.dropped },
        retries: counters.retries,
        lastDrift: { ...windows.lastDrift },
        driftHeld: windows.heldDrift(),
        lastOutputDrift: { ...windows.lastOutputDrift },
        strangeOutputs: { ...windows.strangeOutputs },
        lastError: counters.lastError,
      };
    },
    async dispose() {
      if (closed) return;
      removeListeners();
      clearTimeout(flushTimer);
      // Set first so deliveries in flight store their batch instead of waiting to retry.
      closed = true;
      delivery.stop();
      hidden();
      await settle();
      countDrop(counters, 'disposed', batcher.length, 'disposed with records queued');
      countDrop(counters, 'disposed', delivery.heldRecords(), "disposed during the collector's Retry-After (offline: false)");
      // Copies of batches that were delivered after all (stored while in flight) are not lost.
      if (memoryQueue) countDrop(counters, 'disposed', memoryQueue.records(isSettled), 'disposed with undelivered batches held in memory (no IndexedDB here)');
    },
  };
}
