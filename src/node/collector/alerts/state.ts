/**
 * Alert state, as Prometheus keeps it: a condition that starts holding is `pending`; once it has
 * held for the rule's `forS` it is `firing`; a firing alert whose condition no longer holds (or
 * is no longer measured) is `resolved`, with `endsAt` (a firing `no_data` alert stays measured
 * until data comes back: ./evaluate.ts). A pending one that stops holding is
 * forgotten. Recent alerts (firing and resolved) are kept, bounded, for the dashboard. A state may
 * start from a saved snapshot (./snapshot.ts): a restarted collector resumes where it stopped.
 */
import type { Condition } from './evaluate.js';
import type { AlertSnapshot } from './snapshot.js';

/** One alert instance: a rule for one model version (and feature or code). */
export interface Alert {
  /** `alertname|model|version|feature`. */
  key: string;
  status: 'pending' | 'firing' | 'resolved';
  labels: { alertname: string; model: string; version: string; feature: string; severity: string };
  summary: string;
  value: number;
  threshold: number;
  /** When the condition started holding (epoch ms). */
  activeSince: number;
  /** When it fired (epoch ms); undefined while pending. */
  startsAt: number | undefined;
  /** When it resolved (epoch ms). */
  endsAt: number | undefined;
}

/** What changed in one evaluation. */
export interface Transitions {
  fired: Alert[];
  resolved: Alert[];
}

const RECENT = 200;

/** An alert's identity: `alertname|model|version|feature`. */
export const alertKey = (alertname: string, model: string, version: string, feature: string): string => [alertname, model, version, feature].join('|');

const copy = (a: Alert): Alert => ({ ...a, labels: { ...a.labels } });

/** The alert state of one collector, empty or resumed from `saved`. */
export function createAlertState(saved?: AlertSnapshot) {
  const live = new Map<string, Alert>();
  for (const a of saved?.live ?? []) if (a.status !== 'resolved') live.set(a.key, copy(a));
  const recent: Alert[] = (saved?.recent ?? []).slice(0, RECENT).map(copy);

  const remember = (a: Alert) => {
    const i = recent.findIndex((r) => r.key === a.key && r.startsAt === a.startsAt);
    if (i >= 0) recent.splice(i, 1);
    recent.unshift(copy(a));
    if (recent.length > RECENT) recent.length = RECENT;
  };

  return {
    /** Applies one evaluation's conditions at `now`; returns what fired and what resolved. */
    update(conditions: readonly Condition[], now: number): Transitions {
      const fired: Alert[] = [];
      const resolved: Alert[] = [];
      const holding = new Set<string>();
      for (const c of conditions) {
        const key = alertKey(c.rule.name, c.model, c.version, c.feature);
        const a = live.get(key);
        if (!c.active) continue;
        holding.add(key);
        if (a) {
          a.value = c.value;
          a.threshold = c.threshold;
        }
        const alert =
          a ??
          ({
            key,
            status: 'pending',
            labels: { alertname: c.rule.name, model: c.model, version: c.version, feature: c.feature, severity: c.rule.severity },
            summary: c.rule.summary,
            value: c.value,
            threshold: c.threshold,
            activeSince: now,
            startsAt: undefined,
            endsAt: undefined,
          } satisfies Alert);
        live.set(key, alert);
        if (alert.status === 'pending' && now - alert.activeSince >= c.rule.forS * 1000) {
          alert.status = 'firing';
          alert.startsAt = now;
          fired.push(alert);
          remember(alert);
        } else if (alert.status === 'firing') remember(alert);
      }
      for (const [key, a] of live) {
        if (holding.has(key)) continue;
        live.delete(key);
        if (a.status !== 'firing') continue;
        a.status = 'resolved';
        a.endsAt = now;
        resolved.push(a);
        remember(a);
      }
      return { fired, resolved };
    },
    /** Alerts firing now. */
    firing: (): Alert[] => [...live.values()].filter((a) => a.status === 'firing'),
    /** Alerts pending now (condition holds, `for` not yet reached). */
    pending: (): Alert[] => [...live.values()].filter((a) => a.status === 'pending'),
    /** The newest firing and resolved alerts, newest first. */
    recent: (): Alert[] => recent.map((a) => ({ ...a })),
    /** Everything a restarted collector needs to resume (copies). */
    snapshot: (): AlertSnapshot => ({ live: [...live.values()].map(copy), recent: recent.map(copy) }),
  };
}

/** The alert state's type. */
export type AlertState = ReturnType<typeof createAlertState>;
