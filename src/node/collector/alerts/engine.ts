/**
 * The collector's alerting: every `everyS` seconds the rules are evaluated through the read API
 * (./evaluate.ts), the state advances (./state.ts), and receivers are told (./notify.ts):
 * Alertmanager gets every firing alert at each evaluation (it expects renewals) plus the ones that
 * just resolved; webhooks get only what fired or resolved. Evaluation never throws into the
 * server; its last error is in `/api/health`.
 */
import { messageOf } from '../../../errors.js';
import { evaluateRules } from './evaluate.js';
import type { AlertReader } from './evaluate.js';
import { createReceiver } from './notify.js';
import type { Receiver, RetryPolicy } from './notify.js';
import { alertmanagerAlerts, webhookPayload } from './payloads.js';
import type { AlertRule } from './rules.js';
import { createAlertState } from './state.js';

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
}

/** Starts evaluating; `stop()` ends the timer and the retries. */
export function createAlertEngine(reader: AlertReader, o: AlertEngineOptions) {
  const state = createAlertState();
  const am = o.alertmanager ? createReceiver('alertmanager', `${o.alertmanager.replace(/\/+$/, '')}/api/v2/alerts`, o.retry) : undefined;
  const hooks: Receiver[] = o.webhooks.map((u) => createReceiver('webhook', u, o.retry));
  const health = { evaluations: 0, lastEvaluationAt: null as number | null, lastEvaluationMs: null as number | null, lastError: null as string | null };
  let timer: ReturnType<typeof setInterval> | undefined;

  // Evaluations run one at a time: a slow store (ClickHouse) must not let two overlap.
  let running: Promise<void> = Promise.resolve();

  /** One evaluation at `now` (the timer calls it; tests may too, and await it). Never rejects. */
  function evaluate(now = Date.now()): Promise<void> {
    running = running.then(() => evaluateOnce(now));
    return running;
  }

  async function evaluateOnce(now: number): Promise<void> {
    const started = performance.now();
    try {
      const { fired, resolved } = state.update(await evaluateRules(reader, o.rules, now), now);
      const firing = state.firing();
      if (am && (firing.length || resolved.length)) am.send(alertmanagerAlerts([...firing, ...resolved], now, 4 * o.everyS * 1000, o.baseUrl()));
      if (fired.length || resolved.length) for (const h of hooks) h.send(webhookPayload([...fired, ...resolved], now, o.baseUrl()));
      health.lastError = null;
    } catch (e) {
      health.lastError = `alert evaluation: ${messageOf(e)}`;
    }
    health.evaluations++;
    health.lastEvaluationAt = now;
    health.lastEvaluationMs = performance.now() - started;
  }

  timer = setInterval(() => void evaluate(), o.everyS * 1000);
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
      clearInterval(timer);
      timer = undefined;
      am?.stop();
      for (const h of hooks) h.stop();
    },
  };
}

/** The engine's type. */
export type AlertEngine = ReturnType<typeof createAlertEngine>;
