/**
 * The ClickHouse store: the OpenTelemetry exporter's `otel_logs` table (created as the exporter
 * creates it when missing), written in the exporter's row format and read with the SQL of
 * `clickhouse-sql.ts`, deduplicated by `(session.id, ferryml.seq)` at read time. A batch id seen
 * before with the same content is dropped at write time, as on SQLite (`<table>_batches`), so both
 * stores count the same records. Two tables of ferryml's own sit beside the exporter's:
 * `<table>_batches` and `<table>_alert_state` (the alert engine's state, so a restart resumes).
 */
import { FerryError } from '../../errors.js';
import { batchContentHash } from './batch-hash.js';
import {
  CREATE_ALERT_STATE_TABLE,
  CREATE_DATABASE,
  SELECT_ALERT_STATE,
  SELECT_BATCHES,
  SELECT_COLUMNS,
  SELECT_DROPS,
  SELECT_EVENT_ROWS,
  SELECT_MODELS,
  SELECT_RECORDS,
  createBatchesTable,
  createLogsTable,
} from './clickhouse-sql.js';
import type { ClickHouseConnection } from './clickhouse-connection.js';
import { otelLogRows } from './clickhouse-rows.js';
import type { ParsedGroup } from './otlp-parse.js';
import { mapEvents } from './store-api.js';
import type { EventRow, ModelVersionRow, Range, Store } from './store-api.js';

/** Options of {@link openClickHouseStore}. */
export interface ClickHouseStoreOptions {
  kind: 'clickhouse' | 'chdb';
  /** URL (no password) or data directory, for messages. */
  location: string;
  database: string;
  table: string;
  /** TTL of a table this store creates, in seconds (0: none); an existing table keeps its own. */
  ttlSeconds: number;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/** The parameters of the version filter (`VERSION_IS` in clickhouse-sql.ts): all, one, or none sent. */
const versionParams = (r: Range) => ({ allVersions: r.version === undefined ? 1 : 0, version: r.version ?? null });
const nullableNumber = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/**
 * Creates the database and table when missing (as the exporter's `create_schema: true` does),
 * checks an existing table has the exporter's columns, and returns the store.
 */
export async function openClickHouseStore(conn: ClickHouseConnection, o: ClickHouseStoreOptions): Promise<Store> {
  for (const [flag, v] of [
    ['--clickhouse-database', o.database],
    ['--clickhouse-table', o.table],
  ] as const) {
    if (!NAME.test(v)) throw new FerryError('INVALID_OPTIONS', `collector ${flag} "${v}" must be a plain ClickHouse identifier (letters, digits, _)`);
  }
  const at = { db: o.database, table: o.table };
  const own = { db: o.database, batches: `${o.table}_batches`, alerts: `${o.table}_alert_state` };
  await conn.command(CREATE_DATABASE, { db: o.database });
  await conn.command(createLogsTable(o.ttlSeconds), at);
  await conn.command(createBatchesTable(o.ttlSeconds), own);
  await conn.command(CREATE_ALERT_STATE_TABLE, own);
  const columns = new Map((await conn.query(SELECT_COLUMNS, { db: o.database, table: o.table })).map((c) => [String(c.name), String(c.type)]));
  const needed = {
    Timestamp: 'DateTime64(9)',
    ResourceAttributes: 'Map(LowCardinality(String), String)',
    ScopeAttributes: 'Map(LowCardinality(String), String)',
    LogAttributes: 'Map(LowCardinality(String), String)',
    EventName: 'String',
  };
  for (const [name, type] of Object.entries(needed)) {
    if (columns.get(name) !== type) {
      throw new FerryError(
        'STORE_UNAVAILABLE',
        `${o.location}: ${o.database}.${o.table} is not the OpenTelemetry ClickHouse exporter's logs table: column ${name} is ${columns.get(name) ?? 'missing'}, expected ${type} (an exporter table from before EventName needs: ALTER TABLE ${o.database}.${o.table} ADD COLUMN EventName String)`,
      );
    }
  }

  // One query for all the events a read needs: each query scans and deduplicates the range once.
  const eventRows: Store['eventRows'] = async (r, events) => {
    const names = Object.keys(events) as Array<keyof typeof events>;
    const keys = [...new Set(names.flatMap((e) => Object.values(events[e])))];
    const rows = await conn.query(SELECT_EVENT_ROWS, { ...at, model: r.model, ...versionParams(r), events: names, from: r.from, to: r.to, keys });
    const byEvent = new Map<string, Array<Record<string, unknown>>>(names.map((e) => [e, []]));
    for (const x of rows) byEvent.get(String(x.event))?.push(x);
    return mapEvents(events, (event, fields) => {
      const entries = Object.entries(fields);
      return (byEvent.get(event) ?? []).map((x) => {
        const a = x.a as Record<string, string>;
        const out: EventRow = { t: Number(x.t), version: x.version ?? null, session: x.session ?? null, schemaHash: x.schemaHash ?? null };
        for (const [alias, key] of entries) out[alias] = a[key];
        return out;
      });
    });
  };

  const counts = { batchIdConflicts: 0 };
  /**
   * SQLite's batch-id rule (store.ts): a batch id stored before with the same content (times left
   * out) is a duplicate, dropped whole; with other content a conflict, stored and counted.
   */
  const write: Store['write'] = async (groups, receivedMs = Date.now()) => {
    const ids = [...new Set(groups.flatMap((g) => (g.batchId === undefined ? [] : [g.batchId])))];
    const first = new Map<string, string>();
    if (ids.length) for (const x of await conn.query(SELECT_BATCHES, { ...own, ids })) first.set(String(x.id), String(x.hash));
    const fresh: boolean[] = [];
    const keep: ParsedGroup[] = [];
    const added: Array<Record<string, unknown>> = [];
    for (const g of groups) {
      if (g.batchId !== undefined) {
        const hash = batchContentHash(g);
        const seen = first.get(g.batchId);
        if (seen === hash) {
          fresh.push(false);
          continue;
        }
        if (seen === undefined) {
          first.set(g.batchId, hash);
          added.push({ BatchId: g.batchId, Hash: hash, ReceivedMs: receivedMs });
        } else counts.batchIdConflicts++;
      }
      keep.push(g);
      fresh.push(true);
    }
    // Records first: an id is kept only once its records are, so a failed insert is retried whole.
    if (keep.length) await conn.insert(o.database, o.table, otelLogRows(keep));
    if (added.length) await conn.insert(o.database, own.batches, added);
    return fresh;
  };
  let lastSavedMs = 0;

  return {
    kind: o.kind,
    location: o.location,
    schemaVersion: () => `${o.database}.${o.table}`,
    write,
    models: async () =>
      (await conn.query(SELECT_MODELS, at)).map((x): ModelVersionRow => ({
        model: String(x.model),
        version: (x.version as string | null) ?? null,
        records: Number(x.records),
        sessions: Number(x.sessions),
        firstMs: Number(x.firstMs),
        lastMs: Number(x.lastMs),
        schemaHashes: x.schemaHashes as string[],
      })),
    eventRows,
    drops: async (r) => {
      const rows = await conn.query(SELECT_DROPS, { ...at, model: r.model, ...versionParams(r), from: r.from, to: r.to });
      return Object.fromEntries(rows.map((x) => [String(x.reason), Number(x.n)]));
    },
    records: async (q) =>
      (await conn.query(SELECT_RECORDS, { ...at, model: q.model, event: q.event, limit: q.limit })).map((x) => ({
        id: null,
        timeMs: Number(x.timeMs),
        batchId: x.batchId ?? null,
        model: x.model ?? null,
        version: x.version ?? null,
        session: x.session ?? null,
        event: x.event ?? null,
        severity: nullableNumber(x.severity),
        traceId: x.traceId ?? null,
        spanId: x.spanId ?? null,
        body: x.body === '' ? null : x.body,
        attributes: x.attributes,
        resource: x.resource,
      })),
    // Retention is the table's TTL (otel-collector.yaml `ttl`, --clickhouse-ttl-hours).
    prune: () => 0,
    counts: () => ({ ...counts }),
    loadAlertState: async () => {
      const [row] = await conn.query(SELECT_ALERT_STATE, own);
      return row === undefined ? null : String(row.state);
    },
    saveAlertState: async (state) => {
      // SavedMs orders the saves (the newest is read back): strictly increasing within a process.
      lastSavedMs = Math.max(Date.now(), lastSavedMs + 1);
      await conn.insert(o.database, own.alerts, [{ Id: 1, SavedMs: lastSavedMs, State: state }]);
    },
    close: () => conn.close(),
  };
}
