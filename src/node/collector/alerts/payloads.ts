/**
 * What receivers get. Alertmanager: its API v2 `postableAlerts` (POST /api/v2/alerts), labels
 * `alertname`, `model`, `version`, `feature` (when the rule has one), `severity`. Webhooks: the
 * documented ferryml payload (README "Alerts"), one per evaluation that changed something.
 */
import type { Alert } from './state.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** Numbers in annotations: short and exact enough to read (PSI 0.4123, rate 0.0500, 12.3 ms). */
const show = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(4));

/** The dashboard page of one model version. */
export function dashboardLink(base: string, a: Alert): string {
  const q = new URLSearchParams({ model: a.labels.model, ...(a.labels.version ? { version: a.labels.version } : {}) });
  return `${base}/dashboard#${q}`;
}

/**
 * Alertmanager API v2 alerts. A firing alert says `endsAt` = now + `holdMs` (Prometheus sends
 * 4 evaluation intervals), renewed at each evaluation: if the collector stops, Alertmanager
 * resolves it by itself. A resolved alert carries its real `endsAt`.
 */
export function alertmanagerAlerts(alerts: readonly Alert[], now: number, holdMs: number, base: string) {
  return alerts.map((a) => {
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(a.labels)) if (v !== '') labels[k] = v;
    return {
      labels,
      annotations: {
        summary: `${a.labels.model}@${a.labels.version}${a.labels.feature ? ` ${a.labels.feature}` : ''}: ${a.summary}`,
        value: show(a.value),
        threshold: show(a.threshold),
        dashboard: dashboardLink(base, a),
      },
      startsAt: iso(a.startsAt ?? a.activeSince),
      endsAt: iso(a.status === 'resolved' && a.endsAt !== undefined ? a.endsAt : now + holdMs),
      generatorURL: dashboardLink(base, a),
    };
  });
}

/** One alert in the webhook payload. */
export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Alert['labels'];
  summary: string;
  value: number;
  threshold: number;
  startsAt: string;
  endsAt: string | null;
  dashboardUrl: string;
}

/** The webhook payload (`version` "1"): the alerts that fired or resolved in one evaluation. */
export interface WebhookPayload {
  version: '1';
  source: 'ferryml-collector';
  /** The collector's base URL. */
  collector: string;
  sentAt: string;
  alerts: WebhookAlert[];
}

/** Builds the webhook payload for `alerts` (fired or resolved ones). */
export function webhookPayload(alerts: readonly Alert[], now: number, base: string): WebhookPayload {
  return {
    version: '1',
    source: 'ferryml-collector',
    collector: base,
    sentAt: iso(now),
    alerts: alerts.map((a) => ({
      status: a.status === 'resolved' ? 'resolved' : 'firing',
      labels: { ...a.labels },
      summary: a.summary,
      value: a.value,
      threshold: a.threshold,
      startsAt: iso(a.startsAt ?? a.activeSince),
      endsAt: a.endsAt === undefined ? null : iso(a.endsAt),
      dashboardUrl: dashboardLink(base, a),
    })),
  };
}
