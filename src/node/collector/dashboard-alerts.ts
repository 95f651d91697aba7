/**
 * `GET /dashboard-alerts.js`: the dashboard's alerts panel (firing and recent alerts from
 * `/api/alerts`, all models) and the model's outputs (output drift, strange outputs by code).
 * Alert labels are client-derived strings (model, version, feature): textContent only.
 */

/** The module's source. */
export const DASHBOARD_ALERTS_JS = `import { fmt, int, table } from '/dashboard-tables.js';

const when = (ms) => (ms == null ? '–' : new Date(ms).toLocaleString());
const status = (psi) => (psi == null ? 'insufficient' : psi >= 0.25 ? 'alert' : psi >= 0.1 ? 'warn' : 'ok');

/** Fills the alerts and outputs tables from /api/alerts and the model's summary. */
export function alertTables($, alerts, s) {
  const row = (a) => [{ text: a.labels.alertname, cls: a.labels.severity === 'critical' ? 'alert' : 'warn' }, a.labels.model, a.labels.version || '–', a.labels.feature || '–', a.labels.severity, { text: fmt(a.value, 4), num: true }, { text: fmt(a.threshold, 4), num: true }, when(a.startsAt)];
  table($('alerts-firing'), ['alert', 'model', 'version', 'feature / code', 'severity', 'value', 'threshold', 'since'], alerts.firing.map(row), 'Firing now');
  table($('alerts-recent'), ['alert', 'model', 'version', 'feature / code', 'severity', 'value', 'threshold', 'fired', 'resolved'],
    alerts.recent.filter((a) => a.status === 'resolved').slice(0, 20).map((a) => [...row(a), when(a.endsAt)]), 'Recently resolved');
  table($('output-drift'), ['version', 'output', 'rows', 'PSI'], s.outputDrift.map((d) => [d.version ?? '–', d.feature, d.rows, { text: fmt(d.psi, 3), cls: status(d.psi), num: true }]));
  table($('strange'), ['code', 'rows'], Object.entries(s.strangeOutputs).map(([code, n]) => [{ text: code, cls: 'alert' }, n]));
}`;
