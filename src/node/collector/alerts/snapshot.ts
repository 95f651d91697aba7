/**
 * The alert state as a store keeps it: one JSON text (`{ "version": 1, "live": […], "recent": […] }`)
 * written after each evaluation that changed it and read once at start, so a restarted collector
 * resumes: firing alerts keep their `startsAt` (and are renewed in Alertmanager, not resolved),
 * pending ones keep the time their condition started holding, resolved ones stay resolved.
 * JSON has no `undefined`: times not set yet are `null` in the text.
 */
import { FerryError } from '../../../errors.js';
import type { Alert } from './state.js';

/** The state a store saves: the live (pending and firing) alerts and the recent list. */
export interface AlertSnapshot {
  live: Alert[];
  recent: Alert[];
}

const VERSION = 1;
const STATUSES: ReadonlySet<string> = new Set(['pending', 'firing', 'resolved']);

/** The snapshot as the text a store keeps. */
export function encodeAlertSnapshot(s: AlertSnapshot): string {
  const plain = (a: Alert) => ({ ...a, startsAt: a.startsAt ?? null, endsAt: a.endsAt ?? null });
  return JSON.stringify({ version: VERSION, live: s.live.map(plain), recent: s.recent.map(plain) });
}

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** One saved alert, checked; a message naming the field when it is not one. */
function decodeAlert(v: unknown, path: string): Alert | string {
  const a = v as Record<string, unknown> | null;
  if (typeof a !== 'object' || a === null) return `${path} is not an object`;
  const labels = a.labels as Record<string, unknown> | null;
  if (typeof a.key !== 'string') return `${path}.key is not a string`;
  if (typeof a.status !== 'string' || !STATUSES.has(a.status)) return `${path}.status is ${JSON.stringify(a.status)}`;
  if (typeof labels !== 'object' || labels === null) return `${path}.labels is not an object`;
  for (const k of ['alertname', 'model', 'version', 'feature', 'severity']) if (typeof labels[k] !== 'string') return `${path}.labels.${k} is not a string`;
  if (!isTime(a.activeSince)) return `${path}.activeSince is not a time`;
  for (const k of ['startsAt', 'endsAt']) if (a[k] !== null && !isTime(a[k])) return `${path}.${k} is neither a time nor null`;
  return {
    key: a.key,
    status: a.status as Alert['status'],
    labels: { ...(labels as Alert['labels']) },
    summary: typeof a.summary === 'string' ? a.summary : '',
    value: typeof a.value === 'number' ? a.value : Number.NaN,
    threshold: typeof a.threshold === 'number' ? a.threshold : Number.NaN,
    activeSince: a.activeSince,
    startsAt: isTime(a.startsAt) ? a.startsAt : undefined,
    endsAt: isTime(a.endsAt) ? a.endsAt : undefined,
  };
}

/**
 * Reads a saved snapshot (`where`: the store, for the message). Throws DATA_INVALID naming what is
 * wrong when the text is not one this collector wrote, with what to do about it.
 */
export function decodeAlertSnapshot(text: string, where: string): AlertSnapshot {
  const fail = (what: string): never => {
    throw new FerryError(
      'DATA_INVALID',
      `${where}: the saved alert state cannot be read (${what}); a newer ferryml may have written it (upgrade), or delete it to start with no alerts firing (SQLite: DELETE FROM alert_state; ClickHouse: TRUNCATE TABLE of the store's *_alert_state table)`,
      { details: { where } },
    );
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return fail(`not JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null) return fail('not a JSON object');
  const doc = parsed as { version?: unknown; live?: unknown; recent?: unknown };
  if (doc.version !== VERSION) return fail(`format version ${JSON.stringify(doc.version)}, this collector reads ${VERSION}`);
  const list = (v: unknown, name: string): Alert[] => {
    if (!Array.isArray(v)) return fail(`"${name}" is not an array`);
    return v.map((x, i) => {
      const a = decodeAlert(x, `${name}[${i}]`);
      return typeof a === 'string' ? fail(a) : a;
    });
  };
  return { live: list(doc.live, 'live'), recent: list(doc.recent, 'recent') };
}
