/**
 * The dashboard's alerts panel (firing and recent alerts from `/api/alerts`, all models) and the
 * model's outputs (output drift, strange outputs by code). Alert labels are client-derived
 * strings (model, version, feature): textContent only.
 */
import { driftStatus } from '../../../telemetry/psi.js';
import type { Alert } from '../alerts/state.js';
import type { AlertsAnswer, Summary } from './api-types.js';
import { byId, fmt, table } from './tables.js';
import type { Cell } from './tables.js';

const when = (ms: number | undefined): string => (ms == null ? '–' : new Date(ms).toLocaleString());

/** Fills the alerts and outputs tables from /api/alerts and the model's summary. */
export function alertTables(alerts: AlertsAnswer, s: Summary): void {
  const row = (a: Alert): Cell[] => [
    { text: a.labels.alertname, cls: a.labels.severity === 'critical' ? 'alert' : 'warn' },
    a.labels.model,
    a.labels.version || '–',
    a.labels.feature || '–',
    a.labels.severity,
    { text: fmt(a.value, 4), num: true },
    { text: fmt(a.threshold, 4), num: true },
    when(a.startsAt),
  ];
  const head = ['alert', 'model', 'version', 'feature / code', 'severity', 'value', 'threshold'];
  table(byId('alerts-firing', HTMLTableElement), [...head, 'since'], alerts.firing.map(row), 'Firing now');
  const resolved = alerts.recent.filter((a) => a.status === 'resolved').slice(0, 20);
  table(
    byId('alerts-recent', HTMLTableElement),
    [...head, 'fired', 'resolved'],
    resolved.map((a) => [...row(a), when(a.endsAt)]),
    'Recently resolved',
  );
  table(
    byId('output-drift', HTMLTableElement),
    ['version', 'output', 'rows', 'PSI'],
    s.outputDrift.map((d) => [
      d.version ?? '–',
      d.feature,
      d.rows,
      { text: fmt(d.psi, 3), cls: d.psi == null ? 'insufficient' : driftStatus(d.psi), num: true },
    ]),
  );
  table(
    byId('strange', HTMLTableElement),
    ['code', 'rows'],
    Object.entries(s.strangeOutputs).map(([code, n]): Cell[] => [{ text: code, cls: 'alert' }, n]),
  );
}
