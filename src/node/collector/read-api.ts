/**
 * The read API (bearer admin token): `GET /api/models`, `/api/summary`, `/api/timeseries`,
 * `/api/records`, `/api/health`. Query parameters: `model` (required except for models/health),
 * `version` (default: all), `from` / `to` (epoch ms or ISO 8601; default: the last 24 hours),
 * `step` (timeseries bucket in ms; default: range / 60).
 */
import type { Database } from 'better-sqlite3';
import { HttpError } from './http.js';
import { DRIFT_FIELDS, SUMMARY_FIELDS, eventRows, latencyOf, mergeDrift, num, sumBy } from './queries.js';
import type { Range } from './queries.js';

const DAY = 86_400_000;

function time(v: string | null, fallback: number, name: string): number {
  if (v === null || v === '') return fallback;
  const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(n)) throw new HttpError(400, `${name} must be epoch milliseconds or an ISO 8601 date; got "${v}"`);
  return n;
}

/** Reads model/version/from/to from a query string. */
export function rangeOf(q: URLSearchParams, now = Date.now()): Range {
  const model = q.get('model');
  if (!model) throw new HttpError(400, 'query parameter "model" is required (see GET /api/models)');
  const to = time(q.get('to'), now + 60_000, 'to');
  const from = time(q.get('from'), to - DAY, 'from');
  if (from >= to) throw new HttpError(400, `"from" (${from}) must be before "to" (${to})`);
  return { model, version: q.get('version') || undefined, from, to };
}

/** Models and versions seen, with record counts, clients and first/last times. */
export function models(db: Database) {
  const rows = db
    .prepare(
      `SELECT model, version, count(*) AS records, count(DISTINCT session) AS sessions, min(time_ms) AS firstMs, max(time_ms) AS lastMs,
         group_concat(DISTINCT schema_hash) AS schemaHashes
       FROM logs WHERE model IS NOT NULL GROUP BY model, version ORDER BY model, version`,
    )
    .all() as Array<{ model: string; version: string | null; records: number; sessions: number; firstMs: number; lastMs: number; schemaHashes: string | null }>;
  const out = new Map<string, { name: string; versions: unknown[] }>();
  for (const r of rows) {
    const m = out.get(r.model) ?? { name: r.model, versions: [] };
    out.set(r.model, m);
    m.versions.push({ version: r.version, records: r.records, sessions: r.sessions, firstMs: r.firstMs, lastMs: r.lastMs, schemaHashes: r.schemaHashes?.split(',') ?? [] });
  }
  return { models: [...out.values()] };
}

/** Everything about one model (version) in a time range. */
export function summary(db: Database, r: Range, driftMinRows = 100) {
  const predict = eventRows(db, 'ferryml.predict.summary', r, SUMMARY_FIELDS);
  const errors = eventRows(db, 'ferryml.predict.error', r, { code: 'ferryml.error.code', count: 'ferryml.error.count' });
  const loads = eventRows(db, 'ferryml.model.load', r, { source: 'ferryml.load.source', backend: 'ferryml.backend', ms: 'ferryml.load.ms', bytes: 'ferryml.load.bytes', rejected: 'ferryml.backend.rejected' });
  const issues = eventRows(db, 'ferryml.validation.issue', r, { column: 'ferryml.column', code: 'ferryml.issue.code', count: 'ferryml.issue.count' });
  const drift = eventRows(db, 'ferryml.drift.window', r, DRIFT_FIELDS);
  const drops = eventRows(db, 'ferryml.telemetry.drops', r, {});
  const outputs = eventRows(db, 'ferryml.output.window', r, DRIFT_FIELDS);
  const strange = eventRows(db, 'ferryml.output.strange', r, { code: 'ferryml.output.code', count: 'ferryml.output.count' });
  const sampled = eventRows(db, 'ferryml.prediction', r, {});

  const latency = latencyOf(predict);
  const byCode = sumBy(errors, (e) => String(e.code));
  const errorCount = Object.values(byCode).reduce((a, b) => a + b, 0);
  const backends = Object.fromEntries(
    Object.entries(sumBy(predict, (p) => String(p.backend), (p) => num(p.calls))).map(([b, calls]) => [
      b,
      { calls, rows: sumBy(predict.filter((p) => p.backend === b), () => 'r', (p) => num(p.rows)).r ?? 0, share: latency.calls ? calls / latency.calls : 0 },
    ]),
  );
  // Any source value a client sends is counted and listed (a newer SDK may add one, e.g. 'local');
  // the three the shares below need are always present.
  const sources = { network: 0, cache: 0, offline: 0, ...sumBy(loads, (l) => String(l.source), () => 1) };
  // Mean load time over the loads that sent one (null when none did), not counting a missing one as 0 ms.
  const timed = loads.filter((l) => l.ms != null);
  const sourceMs = sumBy(timed, (l) => String(l.source), (l) => num(l.ms));
  const sourceTimed = sumBy(timed, (l) => String(l.source), () => 1);
  const bySource = Object.entries(sources)
    .filter(([, count]) => count > 0)
    .map(([source, count]) => ({ source, count, share: count / loads.length, meanMs: sourceTimed[source] ? (sourceMs[source] ?? 0) / (sourceTimed[source] ?? 1) : null }))
    .sort((a, b) => b.count - a.count || a.source.localeCompare(b.source));
  const rejected: Record<string, Record<string, number>> = {};
  for (const l of loads) {
    const list = safeJson(l.rejected);
    for (const x of Array.isArray(list) ? (list as Array<{ backend?: unknown; code?: unknown; reason?: unknown }>) : []) {
      const b = String(x.backend);
      // The SDK sends codes by default (free text only on opt-in): count by text when present.
      const why = String(x.reason ?? x.code);
      (rejected[b] ??= {})[why] = (rejected[b]?.[why] ?? 0) + 1;
    }
  }
  const dropRows = db
    .prepare(
      `SELECT key, sum(value) AS n FROM logs, json_each(logs.attributes)
       WHERE model = ? AND (? IS NULL OR version = ?) AND event = 'ferryml.telemetry.drops' AND time_ms >= ? AND time_ms < ? AND key LIKE 'ferryml.dropped.%' GROUP BY key`,
    )
    .all(r.model, r.version ?? null, r.version ?? null, r.from, r.to) as Array<{ key: string; n: number }>;

  const { histogram, ...lat } = latency;
  return {
    model: r.model,
    version: r.version ?? null,
    from: r.from,
    to: r.to,
    sessions: new Set([...predict, ...loads, ...drift].map((x) => x.session).filter((s) => s != null)).size,
    predictions: {
      calls: latency.calls,
      rows: latency.rows,
      errors: errorCount,
      errorRate: latency.calls + errorCount ? errorCount / (latency.calls + errorCount) : 0,
      errorsByCode: byCode,
      latency: { ...lat, histogram: { offset: 0, counts: histogram } },
      backends,
      sampledRecords: sampled.length,
    },
    loads: {
      count: loads.length,
      sources,
      bySource,
      cacheHitShare: loads.length ? sources.cache / loads.length : 0,
      offlineShare: loads.length ? sources.offline / loads.length : 0,
      backends: sumBy(loads, (l) => String(l.backend), () => 1),
      rejectedBackends: rejected,
      meanMs: timed.length ? timed.reduce((s, l) => s + num(l.ms), 0) / timed.length : null,
    },
    validation: Object.entries(sumBy(issues, (i) => JSON.stringify([String(i.column), String(i.code)])))
      .map(([k, count]) => {
        const [column, code] = JSON.parse(k) as [string, string];
        return { column, code, count };
      })
      .sort((a, b) => b.count - a.count),
    drift: mergeDrift(drift, driftMinRows),
    // Watched outputs (class shares, confidence, values) against the bundle's output baseline.
    outputDrift: mergeDrift(outputs, driftMinRows),
    strangeOutputs: sumBy(strange, (x) => String(x.code)),
    drops: Object.fromEntries(dropRows.map((d) => [d.key.slice('ferryml.dropped.'.length), d.n])),
    dropReports: drops.length,
  };
}

function safeJson(v: unknown): unknown {
  try {
    return typeof v === 'string' ? JSON.parse(v) : v;
  } catch {
    return undefined;
  }
}

/**
 * Buckets of `step` ms starting at `from` (only buckets with records are listed; `t` is the
 * bucket's start in epoch ms): latency percentiles, calls per backend, errors by code, PSI per
 * version and feature.
 */
export function timeseries(db: Database, r: Range, stepParam: string | null, driftMinRows = 100) {
  const step = stepParam ? Number(stepParam) : Math.max(1000, Math.ceil((r.to - r.from) / 60));
  if (!Number.isFinite(step) || step < 1000) throw new HttpError(400, `step must be a number of ms ≥ 1000; got "${stepParam}"`);
  if ((r.to - r.from) / step > 10_000) throw new HttpError(400, `range / step gives more than 10000 buckets; use a larger step`);
  const bucket = (t: unknown) => r.from + Math.floor((num(t) - r.from) / step) * step;
  const group = <T extends Record<string, unknown>>(rows: T[]) => {
    const m = new Map<number, T[]>();
    for (const x of rows) {
      const b = bucket(x.t);
      const list = m.get(b);
      if (list) list.push(x);
      else m.set(b, [x]);
    }
    return m;
  };
  const predict = group(eventRows(db, 'ferryml.predict.summary', r, SUMMARY_FIELDS));
  const errors = group(eventRows(db, 'ferryml.predict.error', r, { code: 'ferryml.error.code', count: 'ferryml.error.count' }));
  const drift = group(eventRows(db, 'ferryml.drift.window', r, DRIFT_FIELDS));
  const times = [...new Set([...predict.keys(), ...errors.keys(), ...drift.keys()])].sort((a, b) => a - b);
  return {
    step,
    points: times.map((t) => {
      const p = predict.get(t) ?? [];
      const l = latencyOf(p);
      return {
        t,
        calls: l.calls,
        rows: l.rows,
        p50: l.p50,
        p95: l.p95,
        errors: (errors.get(t) ?? []).reduce((s, e) => s + num(e.count), 0),
        errorsByCode: sumBy(errors.get(t) ?? [], (e) => String(e.code)),
        backends: sumBy(p, (x) => String(x.backend), (x) => num(x.calls)),
        // A list, not a map by feature: with all versions selected a feature occurs once per version.
        drift: mergeDrift(drift.get(t) ?? [], driftMinRows).map((d) => ({ version: d.version, feature: d.feature, rows: d.rows, psi: d.psi, status: d.status })),
      };
    }),
  };
}

/** The newest raw records (verbatim attributes), for debugging and audits. */
export function records(db: Database, q: URLSearchParams) {
  const limit = Math.min(1000, Math.max(1, Number(q.get('limit') ?? 100) || 100));
  const rows = db
    .prepare(
      `SELECT id, time_ms AS timeMs, batch_id AS batchId, model, version, session, event, severity, trace_id AS traceId, span_id AS spanId, body, attributes, resource
       FROM logs WHERE (? IS NULL OR model = ?) AND (? IS NULL OR event = ?) ORDER BY id DESC LIMIT ?`,
    )
    .all(q.get('model'), q.get('model'), q.get('event'), q.get('event'), limit) as Array<Record<string, unknown>>;
  return { records: rows.map((x) => ({ ...x, body: safeJson(x.body) ?? null, attributes: safeJson(x.attributes), resource: safeJson(x.resource) })) };
}
