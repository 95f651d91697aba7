/**
 * One model on the page (penguins or digits): loads it through the SDK's `loadModel`, swaps it
 * for a new load when the backend, channel or version changes (the old one keeps answering until
 * the new one is ready), times every call, and tells the panels when anything changed.
 */
import { compileSchema, isFerryError, loadModel } from './sdk.js';
import type { CompiledSchema, LoadModelOptions, Model, Prediction, TelemetryStats } from './sdk.js';

/** Which version to ask the registry for. */
export interface VersionRequest {
  /** Pin one version (rollback / roll forward). */
  version?: string;
  /** Follow a channel; `stable` applies the registry's rollout fraction. */
  channel?: string;
}

/** Where a slot stands. */
export type SlotState = { kind: 'loading'; since: number } | { kind: 'ready' } | { kind: 'error'; code: string; message: string };

/** What the page reads from and does with one model. */
export interface ModelSlot {
  readonly name: string;
  readonly model: Model | undefined;
  /** The loaded version's schema (for forms and validation as you type). */
  readonly schema: CompiledSchema | undefined;
  readonly state: SlotState;
  readonly request: VersionRequest;
  /** Loads again with `request` (defaults to the last one) and the page's current runtime options. */
  reload(request?: VersionRequest): Promise<void>;
  /** One prediction, timed on the page (queueing, worker round trip and decode included). */
  predict(row: Record<string, unknown>): Promise<{ prediction: Prediction; ms: number }>;
  /** The last per-call times in ms, oldest first. */
  latencies(): readonly number[];
  /** Telemetry counters of models this slot loaded before the current one (disposed since). */
  retired(): { sent: number; dropped: number };
  /** Calls `listener` after every change of state or model. */
  subscribe(listener: () => void): void;
}

const KEEP_LATENCIES = 50;

/** Creates a slot; `options()` gives the runtime and telemetry options at each load. */
export function createSlot(name: string, options: () => Omit<LoadModelOptions, 'name'>): ModelSlot {
  const listeners: Array<() => void> = [];
  const times: number[] = [];
  const inflight = new Set<Promise<unknown>>();
  const retiredTotals = { sent: 0, dropped: 0 };
  let model: Model | undefined;
  let schema: CompiledSchema | undefined;
  let state: SlotState = { kind: 'loading', since: Date.now() };
  let request: VersionRequest = {};
  let generation = 0;

  const notify = () => {
    for (const listener of listeners) listener();
  };

  async function retire(old: Model): Promise<void> {
    // Let calls already sent to the old model finish (bounded), then free its worker and tensors.
    await Promise.race([Promise.allSettled([...inflight]), new Promise((resolve) => setTimeout(resolve, 2000))]);
    const stats: TelemetryStats | undefined = old.telemetry?.stats();
    await old.dispose();
    if (stats) {
      retiredTotals.sent += stats.sent;
      retiredTotals.dropped += Object.values(stats.dropped).reduce((a, b) => a + b, 0);
    }
  }

  const slot: ModelSlot = {
    name,
    get model() {
      return model;
    },
    get schema() {
      return schema;
    },
    get state() {
      return state;
    },
    get request() {
      return request;
    },
    async reload(next = request) {
      const mine = ++generation;
      request = next;
      state = { kind: 'loading', since: Date.now() };
      notify();
      try {
        const loaded = await loadModel({ ...options(), name, ...next });
        if (mine !== generation) {
          await loaded.dispose();
          return;
        }
        const old = model;
        model = loaded;
        // The page's forms need the loaded version's own schema: the model carries it (verified, frozen).
        schema = compileSchema(loaded.schema);
        times.length = 0;
        state = { kind: 'ready' };
        notify();
        if (old) void retire(old).then(notify);
      } catch (error) {
        if (mine !== generation) return;
        state = isFerryError(error)
          ? { kind: 'error', code: error.code, message: error.message }
          : { kind: 'error', code: 'UNEXPECTED', message: error instanceof Error ? error.message : String(error) };
        notify();
      }
    },
    async predict(row) {
      const current = model;
      if (!current) throw new Error(`the ${name} model is not loaded yet`);
      const started = performance.now();
      const call = current.predict(row);
      inflight.add(call);
      try {
        const prediction = await call;
        const ms = performance.now() - started;
        times.push(ms);
        if (times.length > KEEP_LATENCIES) times.shift();
        return { prediction, ms };
      } finally {
        inflight.delete(call);
      }
    },
    latencies: () => times,
    retired: () => ({ ...retiredTotals }),
    subscribe(listener) {
      listeners.push(listener);
    },
  };
  return slot;
}
