/**
 * The read API (bearer admin token): `GET /api/models`, `/api/summary`, `/api/timeseries`,
 * `/api/records`, `/api/health`. Query parameters: `model` (required except for models/health),
 * `version` (absent: all versions; empty, `version=`: the records sent without a version, the
 * `version=""` of `/metrics` and alert labels), `from` / `to` (epoch ms or ISO 8601, UTC unless
 * a zone is given; default: the last 24 hours), `step` (timeseries bucket in ms; default: range / 60). Every answer is read through a
 * {@link Store}, so it is the same JSON on SQLite and on ClickHouse.
 */
import { HttpError } from './http.js';
import { DRIFT_FIELDS, SUMMARY_FIELDS, latencyOf, mergeDrift, num, sumBy } from './queries.js';
import type { ModelVersionRow, Range, Store } from './store-api.js';

const DAY = 86_400_000;
const ERROR_FIELDS = { code: 'ferryml.error.code', count: 'ferryml.error.count' };

// ISO 8601 as `Date.parse` reads it: a date, optionally a time, optionally a zone.
const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Epoch ms, or an ISO 8601 date. A date-time without a zone is UTC, as a date alone is:
 * `Date.parse` would read it in the server's time zone, so one URL would mean other hours on
 * another server. Other date formats (`Date.parse`'s own guesses) are refused.
 */
function time(v: string | null, fallback: number, name: string): number {
  if (v === null || v === '') return fallback;
  const iso = ISO.exec(v);
  const n = /^\d+$/.test(v) ? Number(v) : iso ? Date.parse(`${iso[1]}T${iso[2] ?? '00:00'}${(iso[3] ?? 'Z').replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')}`) : NaN;
  if (!Number.isFinite(n)) throw new HttpError(400, `${name} must be epoch milliseconds or an ISO 8601 date (UTC unless it names a zone); got "${v}"`);
  return n;
}

/** Reads model/version/from/to from a query string; `version=` (empty) is "no version", not "all". */
export function rangeOf(q: URLSearchParams, now = Date.now()): Range {
  const model = q.get('model');
  if (!model) throw new HttpError(400, 'query parameter "model" is required (see GET /api/models)');
  const to = time(q.get('to'), now + 60_000, 'to');
  const from = time(q.get('from'), to - DAY, 'from');
  if (from >= to) throw new HttpError(400, `"from" (${from}) must be before "to" (${to})`);
  const version = q.get('version');
  return { model, version: version === null ? undefined : version === '' ? null : version, from, to };
}

/** Models and versions seen, with record counts, clients and first/last times. */
export async function models(store: Store) {
  const out = new Map<string, { name: string; versions: Array<Omit<ModelVersionRow, 'model'>> }>();
  for (const r of await store.models()) {
    const m = out.get(r.model) ?? { name: r.model, versions: [] };
    out.set(r.model, m);
    m.versions.push({ version: r.version, records: r.records, sessions: r.sessions, firstMs: r.firstMs, lastMs: r.lastMs, schemaHashes: r.schemaHashes });
  }
  return { models: [...out.values()] };
}

/** Everything about one model (version) in a time range. */
export async function summary(store: Store, r: Range, driftMinRows = 100) {
  const [rows, dropped] = await Promise.all([
    store.eventRows(r, {
      'ferryml.predict.summary': SUMMARY_FIELDS,
      'ferryml.predict.error': ERROR_FIELDS,
      'ferryml.model.load': {
        source: 'ferryml.load.source',
        backend: 'ferryml.backend',
        ms: 'ferryml.load.ms',
        bytes: 'ferryml.load.bytes',
        rejected: 'ferryml.backend.rejected',
      },
      'ferryml.validation.issue': { column: 'ferryml.column', code: 'ferryml.issue.code', count: 'ferryml.issue.count' },
      'ferryml.drift.window': DRIFT_FIELDS,
      'ferryml.telemetry.drops': {},
      'ferryml.output.window': DRIFT_FIELDS,
      'ferryml.output.strange': { code: 'ferryml.output.code', count: 'ferryml.output.count' },
      'ferryml.prediction': {},
    }),
    store.drops(r),
  ]);
  const {
    'ferryml.predict.summary': predict,
    'ferryml.predict.error': errors,
    'ferryml.model.load': loads,
    'ferryml.validation.issue': issues,
    'ferryml.drift.window': drift,
    'ferryml.telemetry.drops': drops,
    'ferryml.output.window': outputs,
    'ferryml.output.strange': strange,
    'ferryml.prediction': sampled,
  } = rows;

  const latency = latencyOf(predict);
  const byCode = sumBy(errors, (e) => String(e.code));
  const errorCount = Object.values(byCode).reduce((a, b) => a + b, 0);
  const backends = Object.fromEntries(
    Object.entries(
      sumBy(
        predict,
        (p) => String(p.backend),
        (p) => num(p.calls),
      ),
    ).map(([b, calls]) => [
      b,
      {
        calls,
        rows:
          sumBy(
            predict.filter((p) => p.backend === b),
            () => 'r',
            (p) => num(p.rows),
          ).r ?? 0,
        share: latency.calls ? calls / latency.calls : 0,
      },
    ]),
  );
  // Any source value a client sends is counted and listed (a newer SDK may add one, e.g. 'local');
  // the three the shares below need are always present.
  const sources = {
    network: 0,
    cache: 0,
    offline: 0,
    ...sumBy(
      loads,
      (l) => String(l.source),
      () => 1,
    ),
  };
  // Mean load time over the loads that sent one (null when none did), not counting a missing one as 0 ms.
  const timed = loads.filter((l) => l.ms != null);
  const sourceMs = sumBy(
    timed,
    (l) => String(l.source),
    (l) => num(l.ms),
  );
  const sourceTimed = sumBy(
    timed,
    (l) => String(l.source),
    () => 1,
  );
  const bySource = Object.entries(sources)
    .filter(([, count]) => count > 0)
    .map(([source, count]) => ({
      source,
      count,
      share: count / loads.length,
      meanMs: sourceTimed[source] ? (sourceMs[source] ?? 0) / (sourceTimed[source] ?? 1) : null,
    }))
    .sort((a, b) => b.count - a.count || a.source.localeCompare(b.source));
  const rejected: Record<string, Record<string, number>> = {};
  for (const l of loads) {
    const list = safeJson(l.rejected);
    for (const x of Array.isArray(list) ? (list as Array<{ backend?: unknown; code?: unknown; reason?: unknown }>) : []) {
      const b = String(x.backend);
      // The SDK sends codes by default (free text only on opt-in): count by text when present.
      const why = String(x.reason ?? x.code);
      const byWhy = (rejected[b] ??= {});
      byWhy[why] = (byWhy[why] ?? 0) + 1;
    }
  }

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
      backends: sumBy(
        loads,
        (l) => String(l.backend),
        () => 1,
      ),
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
    drops: dropped,
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
export async function timeseries(store: Store, r: Range, stepParam: string | null, driftMinRows = 100) {
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
  const rows = await store.eventRows(r, {
    'ferryml.predict.summary': SUMMARY_FIELDS,
    'ferryml.predict.error': ERROR_FIELDS,
    'ferryml.drift.window': DRIFT_FIELDS,
  });
  const predict = group(rows['ferryml.predict.summary']);
  const errors = group(rows['ferryml.predict.error']);
  const drift = group(rows['ferryml.drift.window']);
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
        backends: sumBy(
          p,
          (x) => String(x.backend),
          (x) => num(x.calls),
        ),
        // A list, not a map by feature: with all versions selected a feature occurs once per version.
        drift: mergeDrift(drift.get(t) ?? [], driftMinRows).map((d) => ({
          version: d.version,
          feature: d.feature,
          rows: d.rows,
          psi: d.psi,
          status: d.status,
        })),
      };
    }),
  };
}

/**
 * The newest raw records as stored: attributes typed as sent on SQLite, the exporter's strings on
 * ClickHouse (`id` is SQLite's row id, null on ClickHouse).
 */
export async function records(store: Store, q: URLSearchParams) {
  const limit = Math.min(1000, Math.max(1, Number(q.get('limit') ?? 100) || 100));
  return { records: await store.records({ model: q.get('model'), event: q.get('event'), limit }) };
}
