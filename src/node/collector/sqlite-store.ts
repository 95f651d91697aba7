/**
 * The SQLite store (the default): `store.ts` opens the file and writes; the reads behind the
 * read API are here. Duplicates are dropped at write time (batch ids), so reads need no dedupe.
 */
import { openStore } from './store.js';
import { mapEvents } from './store-api.js';
import type { EventRow, ModelVersionRow, Range, Store } from './store-api.js';

// Ties in time come out in the order a client emitted them (session, then seq), as on ClickHouse.
const ORDER = `ORDER BY time_ms, session, CAST(json_extract(attributes, '$."ferryml.seq"') AS INTEGER), id`;

/**
 * The parameters of `(? OR version IS ?)`: every version (1), or the one given, where `IS` matches
 * a NULL version to `null` (records sent without one), as `=` would not.
 */
const versionParams = (r: Range): [number, string | null] => (r.version === undefined ? [1, null] : [0, r.version]);

/** Opens (creating, migrating) a SQLite file as a {@link Store}. */
export function openSqliteStore(file: string): Store {
  const s = openStore(file);
  const { db } = s;
  const eventStatement = db.prepare(
    `SELECT time_ms AS t, version, session, schema_hash AS schemaHash, attributes FROM logs
     WHERE model = ? AND (? OR version IS ?) AND event = ? AND time_ms >= ? AND time_ms < ? ${ORDER}`,
  );

  /**
   * The attributes JSON is parsed here rather than with `json_extract`, which would cut a string
   * at an embedded NUL: stored strings must come back verbatim.
   */
  const oneEvent = (event: string, r: Range, fields: Readonly<Record<string, string>>): EventRow[] => {
    const rows = eventStatement.all(r.model, ...versionParams(r), event, r.from, r.to) as Array<{
      t: number;
      version: string | null;
      session: unknown;
      schemaHash: unknown;
      attributes: string;
    }>;
    const entries = Object.entries(fields);
    return rows.map((row) => {
      const attrs = JSON.parse(row.attributes) as Record<string, unknown>;
      const out: EventRow = { t: row.t, version: row.version, session: row.session, schemaHash: row.schemaHash };
      for (const [alias, key] of entries) out[alias] = attrs[key];
      return out;
    });
  };

  return {
    kind: 'sqlite',
    location: file,
    db,
    schemaVersion: s.schemaVersion,
    write: async (groups, receivedMs) => s.write(groups, receivedMs),
    models: async () => {
      const rows = db
        .prepare(
          `SELECT model, version, count(*) AS records, count(DISTINCT session) AS sessions, min(time_ms) AS firstMs, max(time_ms) AS lastMs,
             json_group_array(DISTINCT schema_hash) AS schemaHashes
           FROM logs WHERE model IS NOT NULL GROUP BY model, version ORDER BY model, version`,
        )
        .all() as Array<Omit<ModelVersionRow, 'schemaHashes'> & { schemaHashes: string }>;
      return rows.map((r) => ({ ...r, schemaHashes: (JSON.parse(r.schemaHashes) as Array<string | null>).filter((h): h is string => h !== null).sort() }));
    },
    eventRows: async (r, events) => mapEvents(events, (event, fields) => oneEvent(event, r, fields)),
    drops: async (r) => {
      const rows = db
        .prepare(
          `SELECT key, sum(value) AS n FROM logs, json_each(logs.attributes)
           WHERE model = ? AND (? OR version IS ?) AND event = 'ferryml.telemetry.drops' AND time_ms >= ? AND time_ms < ? AND key LIKE 'ferryml.dropped.%' GROUP BY key`,
        )
        .all(r.model, ...versionParams(r), r.from, r.to) as Array<{ key: string; n: number }>;
      return Object.fromEntries(rows.map((d) => [d.key.slice('ferryml.dropped.'.length), d.n]));
    },
    records: async (q) => {
      const rows = db
        .prepare(
          `SELECT id, time_ms AS timeMs, batch_id AS batchId, model, version, session, event, severity, trace_id AS traceId, span_id AS spanId, body, attributes, resource
           FROM logs WHERE (? IS NULL OR model = ?) AND (? IS NULL OR event = ?) ORDER BY id DESC LIMIT ?`,
        )
        .all(q.model, q.model, q.event, q.event, q.limit) as Array<Record<string, unknown>>;
      return rows.map((x) => ({ ...x, body: safeJson(x.body) ?? null, attributes: safeJson(x.attributes), resource: safeJson(x.resource) }));
    },
    prune: (beforeMs) => s.prune(beforeMs),
    counts: () => ({ ...s.dedupe }),
    loadAlertState: async () => s.loadAlertState(),
    saveAlertState: async (state) => s.saveAlertState(state),
    close: async () => void s.close(),
  };
}

function safeJson(v: unknown): unknown {
  try {
    return typeof v === 'string' ? JSON.parse(v) : v;
  } catch {
    return undefined;
  }
}
