/**
 * The collector's storage seam. The read API, the dashboard and anything that evaluates
 * telemetry (alert rules) read through a {@link Store}; SQLite (`sqlite-store.ts`, the default)
 * and ClickHouse over the OpenTelemetry exporter's `otel_logs` table (`clickhouse-store.ts`,
 * through `@clickhouse/client` or embedded chdb) implement it. Stores only select rows; every
 * sum, histogram merge and PSI is computed once, in `queries.ts`, so both give the same JSON.
 */
import type { Database } from 'better-sqlite3';
import type { ParsedGroup } from './otlp-parse.js';

/**
 * Which records a query covers. `version`: a string selects that version, `null` the records
 * sent without one, `undefined` all versions (a no-version row of `/metrics` or an alert must
 * not read every version's records as its own).
 */
export interface Range {
  model: string;
  version: string | null | undefined;
  from: number;
  to: number;
}

/**
 * One record of an event: `t` (epoch ms), `version`, `session`, `schemaHash` (null when the
 * record has none), then one entry per requested attribute alias (null when absent). Attribute
 * values are as the store keeps them: typed JSON on SQLite, the exporter's strings on ClickHouse;
 * `queries.ts` reads both (`num`, `arr`, `String`).
 */
export type EventRow = Record<string, unknown>;

/** One model version as `GET /api/models` lists it. */
export interface ModelVersionRow {
  model: string;
  version: string | null;
  records: number;
  sessions: number;
  firstMs: number;
  lastMs: number;
  /** Distinct schema hashes, sorted. */
  schemaHashes: string[];
}

/** What `GET /api/records` selects: newest first, optionally one model and/or event. */
export interface RecordsQuery {
  model: string | null;
  event: string | null;
  limit: number;
}

/** A storage backend of the collector. Reads are deduplicated: a record stored twice counts once. */
export interface Store {
  /** `sqlite`, `clickhouse` (a server, through @clickhouse/client) or `chdb` (embedded). */
  readonly kind: 'sqlite' | 'clickhouse' | 'chdb';
  /** Where the data lives, for the start-up banner (file, URL or directory; no password). */
  readonly location: string;
  /** The SQLite handle (SQLite store only): migrations and tests look inside. */
  readonly db?: Database;
  /** Schema version: SQLite's `user_version`, or the exporter table's name on ClickHouse. */
  schemaVersion(): number | string;
  /**
   * Writes groups and resolves once the store acknowledged them (a 200 is sent only then);
   * per group, whether it was new (false: a batch id already stored, where the store knows).
   */
  write(groups: readonly ParsedGroup[], receivedMs?: number): Promise<boolean[]>;
  /** Models and versions seen, sorted by model then version (nulls first). */
  models(): Promise<ModelVersionRow[]>;
  /**
   * Records of several events in a range, in one read: per event name, its records in time order
   * with the attributes asked for it (`alias → attribute key`).
   */
  eventRows<E extends string>(range: Range, events: Readonly<Record<E, Readonly<Record<string, string>>>>): Promise<Record<E, EventRow[]>>;
  /** Sum of every `ferryml.dropped.<reason>` attribute of `ferryml.telemetry.drops` records, by reason. */
  drops(range: Range): Promise<Record<string, number>>;
  /** The newest raw records, attributes and resource as stored. */
  records(q: RecordsQuery): Promise<Array<Record<string, unknown>>>;
  /**
   * Deletes records timed before `beforeMs` (`--retention-days`); returns how many. SQLite only:
   * ClickHouse expires rows by the table's TTL, and this returns 0.
   */
  prune(beforeMs: number): number;
  /** Store-specific counters for `/api/health` (duplicate records on SQLite, batch id conflicts on both). */
  counts(): Record<string, number>;
  /**
   * The alert engine's state as last saved (an opaque JSON text, alerts/snapshot.ts), or null when
   * none was: a restarted collector resumes its firing and pending alerts from it.
   */
  loadAlertState(): Promise<string | null>;
  /** Replaces the saved alert state; resolves once the store has it. */
  saveAlertState(state: string): Promise<void>;
  /** Releases the connection or file; pending writes were awaited by the caller. */
  close(): Promise<void>;
}

/** Builds the per-event answer of {@link Store.eventRows} from a function of one event. */
export function mapEvents<E extends string>(
  events: Readonly<Record<E, Readonly<Record<string, string>>>>,
  rows: (event: E, fields: Readonly<Record<string, string>>) => EventRow[],
): Record<E, EventRow[]> {
  const out = {} as Record<E, EventRow[]>;
  for (const event of Object.keys(events) as E[]) out[event] = rows(event, events[event]);
  return out;
}
