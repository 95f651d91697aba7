/**
 * The collector's alerting: every `everyS` seconds the rules are evaluated through the read API
 * (./evaluate.ts), the state advances (./state.ts), and receivers are told (./notify.ts):
 * Alertmanager gets every firing alert at each evaluation (it expects renewals) plus the ones that
 * just resolved; webhooks get only what fired or resolved. The state is saved through `save`
 * after each evaluation that changed it, before anyone is told, and a collector starts from the
 * state it saved last (`saved`), so a restart neither resolves nor re-fires what was firing.
 * Evaluation never throws into the server; its last error is in `/api/health`.
 */
import { messageOf } from '../../../errors.js';
import { evaluateRules } from './evaluate.js';
import type { AlertReader } from './evaluate.js';
import { createReceiver } from './notify.js';
import type { Receiver, RetryPolicy } from './notify.js';
import { alertmanagerAlerts, webhookPayload } from './payloads.js';
import type { AlertRule } from './rules.js';
import { encodeAlertSnapshot } from './snapshot.js';
import type { AlertSnapshot } from './snapshot.js';
import { alertKey, createAlertState } from './state.js';

/** What the engine needs. */
export interface AlertEngineOptions {
  rules: AlertRule[];
  everyS: number;
  /** Alertmanager base URL (alerts go to `${url}/api/v2/alerts`). */
  alertmanager: string | undefined;
  webhooks: readonly string[];
  retry: RetryPolicy;
  /** The collector's base URL, for dashboard links (known once it listens). */
  baseUrl: () => string;
  /** The state saved by the collector that ran before this one (none: start empty). */
  saved?: AlertSnapshot | undefined;
  /** Keeps the state (the store's `saveAlertState`); none: the state lives in memory only. */
  save?: ((state: string) => Promise<void>) | undefined;
}

/** Starts evaluating; `stop()` ends the timer and the retries. */
export function createAlertEngine(reader: AlertReader, o: AlertEngineOptions) {
  const state = createAlertState(o.saved);
  /** The text saved last: an evaluation that changed nothing writes nothing. */
  let savedText = o.saved ? encodeAlertSnapshot(state.snapshot()) : undefined;
  const am = o.alertmanager ? createReceiver('alertmanager', `${o.alertmanager.replace(/\/+$/, '')}/api/v2/alerts`, o.retry) : undefined;
  const hooks: Receiver[] = o.webhooks.map((u) => createReceiver('webhook', u, o.retry));
  const health = {
    evaluations: 0,
    /** Timer ticks skipped because an evaluation was still running (a slow store). */
    skippedTicks: 0,
    lastEvaluationAt: null as number | null,
    lastEvaluationMs: null as number | null,
    lastError: null as string | null,
    /** Why the state could not be saved at the last try (null: saved, or nothing to save). */
    lastSaveError: null as string | null,
  };
  let timer: ReturnType<typeof setInterval> | undefined;
  let stopped = false;

  // Evaluations run one at a time: a slow store (ClickHouse) must not let two overlap. A tick
  // that finds one running or queued is skipped, not queued: a backlog would run late with stale
  // clocks (Alertmanager's endsAt, now + 4 × every, already past: flapping) and after stop().
  let running: Promise<void> = Promise.resolve();
  let queued = 0;

  /**
   * One evaluation at `now`, default the clock when it starts (the timer calls it; tests may too,
   * and await it: an explicit call waits for the one running). Never rejects; after `stop()`, a no-op.
   */
  function evaluate(now?: number): Promise<void> {
    queued++;
    running = running.then(async () => {
      try {
        if (!stopped) await evaluateOnce(now ?? Date.now());
      } finally {
        queued--;
      }
    });
    return running;
  }

  function tick(): void {
    if (queued > 0) health.skippedTicks++;
    else void evaluate();
  }

  async function evaluateOnce(now: number): Promise<void> {
    const started = performance.now();
    try {
      const firing = new Set(state.firing().map((a) => a.key));
      const conditions = await evaluateRules(reader, o.rules, now, (name, model, version) => firing.has(alertKey(name, model, version, '')));
      if (stopped) return; // stopped while reading: the receivers are gone, tell no one
      const { fired, resolved } = state.update(conditions, now);
      await save();
      const firingNow = state.firing();
      if (am && (firingNow.length || resolved.length)) am.send(alertmanagerAlerts([...firingNow, ...resolved], now, 4 * o.everyS * 1000, o.baseUrl()));
      if (fired.length || resolved.length) for (const h of hooks) h.send(webhookPayload([...fired, ...resolved], now, o.baseUrl()));
      health.lastError = null;
    } catch (e) {
      health.lastError = `alert evaluation: ${messageOf(e)}`;
    }
    health.evaluations++;
    health.lastEvaluationAt = now;
    health.lastEvaluationMs = performance.now() - started;
  }

  /**
   * Saves the state when it changed. A store that fails is in `/api/health` and does not keep the
   * receivers from being told; the next evaluation saves again.
   */
  async function save(): Promise<void> {
    if (!o.save) return;
    const text = encodeAlertSnapshot(state.snapshot());
    if (text === savedText) return;
    try {
      await o.save(text);
      savedText = text;
      health.lastSaveError = null;
    } catch (e) {
      health.lastSaveError = `saving the alert state: ${messageOf(e)} (a restart now would resume from the state saved before; the next evaluation saves again)`;
    }
  }

  timer = setInterval(tick, o.everyS * 1000);
  timer.unref();

  return {
    evaluate,
    state,
    /** `/api/health`'s `alerts` object. */
    health: () => ({
      ...health,
      everyS: o.everyS,
      rules: o.rules.length,
      firing: state.firing().length,
      pending: state.pending().length,
      receivers: [...(am ? [am] : []), ...hooks].map((r) => ({ ...r.stats })),
    }),
    /** Resolves when every receiver's queue is empty. */
    idle: async () => {
      await Promise.all([...(am ? [am] : []), ...hooks].map((r) => r.idle()));
    },
    stop(): void {
      stopped = true;
      clearInterval(timer);
      timer = undefined;
      am?.stop();
      for (const h of hooks) h.stop();
    },
  };
}

/** The engine's type. */
export type AlertEngine = ReturnType<typeof createAlertEngine>;
