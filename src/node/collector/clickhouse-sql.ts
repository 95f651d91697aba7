/**
 * Every ClickHouse statement the collector runs, in one place, over the `otel_logs` table exactly
 * as the OpenTelemetry Collector's ClickHouse exporter creates it (Map pipeline with `EventName`:
 * opentelemetry-collector-contrib `exporter/clickhouseexporter/internal/sqltemplates/logs_table.sql`
 * at commit e3bd2d1d648f1868f50a8f2c1b68f7ce451ee6eb, PR #43164). Values and identifiers are query
 * parameters (`{name:Type}`, `{db:Identifier}`), never spliced, except the TTL interval, which
 * ClickHouse does not take as a parameter in DDL and which is built from a checked integer.
 * The same text runs on a server (@clickhouse/client) and on embedded chdb.
 */

/** Columns the exporter's INSERT writes (`logs_insert.sql` plus EventName), in its order. */
export const OTEL_LOGS_INSERT_COLUMNS = [
  'Timestamp',
  'TraceId',
  'SpanId',
  'TraceFlags',
  'SeverityText',
  'SeverityNumber',
  'ServiceName',
  'Body',
  'ResourceSchemaUrl',
  'ResourceAttributes',
  'ScopeSchemaUrl',
  'ScopeName',
  'ScopeVersion',
  'ScopeAttributes',
  'LogAttributes',
  'EventName',
] as const;

/** `CREATE DATABASE` as the exporter runs it (`create_schema: true`). */
export const CREATE_DATABASE = 'CREATE DATABASE IF NOT EXISTS {db:Identifier}';

/**
 * The exporter's TTL expression (`GenerateTTLExpr(ttl, "TimestampTime")`; `column` for ferryml's own tables): whole days as
 * `toIntervalDay`, else hours, minutes, seconds. `ttl_only_drop_parts = 1` drops whole parts.
 */
export function ttlClause(ttlSeconds: number, column = 'TimestampTime'): string {
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 0) throw new RangeError(`TTL must be a whole number of seconds ≥ 0; got ${ttlSeconds}`);
  if (ttlSeconds === 0) return '';
  const [unit, n] =
    ttlSeconds % 86_400 === 0
      ? ['Day', ttlSeconds / 86_400]
      : ttlSeconds % 3600 === 0
        ? ['Hour', ttlSeconds / 3600]
        : ttlSeconds % 60 === 0
          ? ['Minute', ttlSeconds / 60]
          : ['Second', ttlSeconds];
  return `TTL ${column} + toInterval${unit}(${n})`;
}

/** The exporter's `otel_logs` DDL (MergeTree engine, no cluster), with the TTL of {@link ttlClause}. */
export function createLogsTable(ttlSeconds: number): string {
  return `CREATE TABLE IF NOT EXISTS {db:Identifier}.{table:Identifier} (
    Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    TimestampTime DateTime DEFAULT toDateTime(Timestamp),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    TraceFlags UInt8,
    SeverityText LowCardinality(String) CODEC(ZSTD(1)),
    SeverityNumber UInt8,
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    Body String CODEC(ZSTD(1)),
    ResourceSchemaUrl LowCardinality(String) CODEC(ZSTD(1)),
    ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ScopeSchemaUrl LowCardinality(String) CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)),
    ScopeVersion LowCardinality(String) CODEC(ZSTD(1)),
    ScopeAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    LogAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    EventName String CODEC(ZSTD(1)),

    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_scope_attr_key mapKeys(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_scope_attr_value mapValues(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_log_attr_key mapKeys(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_log_attr_value mapValues(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_body Body TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8
) ENGINE = MergeTree()
PARTITION BY toDate(TimestampTime)
PRIMARY KEY (ServiceName, TimestampTime)
ORDER BY (ServiceName, TimestampTime, Timestamp)
${ttlClause(ttlSeconds)}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1`;
}

/**
 * ferryml's own table of the batch ids its collector wrote (params: db, batches), SQLite's
 * `batches`: the first content hash per id (clickhouse-store.ts drops a later batch with that id
 * and hash at write time, as SQLite does), expired with the logs' TTL.
 */
export function createBatchesTable(ttlSeconds: number): string {
  return `CREATE TABLE IF NOT EXISTS {db:Identifier}.{batches:Identifier} (
    BatchId String,
    Hash String,
    ReceivedMs Int64,
    ReceivedTime DateTime DEFAULT toDateTime(intDiv(ReceivedMs, 1000))
) ENGINE = MergeTree()
ORDER BY BatchId
${ttlClause(ttlSeconds, 'ReceivedTime')}`;
}

/** The first hash stored per batch id of `ids` (params: db, batches, ids). */
export const SELECT_BATCHES = `SELECT BatchId AS id, argMin(Hash, ReceivedMs) AS hash FROM {db:Identifier}.{batches:Identifier}
  WHERE BatchId IN {ids:Array(String)} GROUP BY BatchId`;

/**
 * ferryml's own table of the alert engine's state (params: db, alerts): one JSON snapshot
 * (alerts/snapshot.ts) per save; the newest counts, older ones are merged away.
 */
export const CREATE_ALERT_STATE_TABLE = `CREATE TABLE IF NOT EXISTS {db:Identifier}.{alerts:Identifier} (
    Id UInt8,
    SavedMs Int64,
    State String
) ENGINE = ReplacingMergeTree(SavedMs)
ORDER BY Id`;

/** The alert state saved last (params: db, alerts). */
export const SELECT_ALERT_STATE = 'SELECT State AS state FROM {db:Identifier}.{alerts:Identifier} ORDER BY SavedMs DESC LIMIT 1';

// Column expressions shared by the reads. A missing key is NULL (a Map answers '' for it), as
// SQLite's columns are; the version is the record's attribute, else the resource's (otlp-parse.ts).
const opt = (map: string, key: string) => `if(mapContains(${map}, '${key}'), ${map}['${key}'], NULL)`;
const MODEL = opt('ResourceAttributes', 'ml.model.name');
const VERSION = `if(mapContains(LogAttributes, 'ml.model.version'), LogAttributes['ml.model.version'], ${opt('ResourceAttributes', 'ml.model.version')})`;
const SESSION = opt('ResourceAttributes', 'session.id');
const SCHEMA_HASH = opt('ResourceAttributes', 'ml.schema.hash');
const EVENT = `if(EventName != '', EventName, ${opt('LogAttributes', 'event.name')})`;
const SEQ = `toInt64OrNull(LogAttributes['ferryml.seq'])`;

/**
 * At-least-once delivery stores some records twice (a retried batch, two collectors); every read
 * keeps one row per key, as SQLite's unique index stores one: `(session.id, ferryml.seq)`, which
 * the SDK puts on every record (a seq without a session is not a key: SQLite's unique index
 * treats NULLs as distinct, and two clients would collide). Any other record is its own row, as
 * on SQLite: a batch resent with the same id and content is dropped whole at write time
 * (clickhouse-store.ts, like SQLite's batch-id check), so records of one batch that differ only in
 * time, or not at all, stay apart.
 */
const DEDUPE_KEY = `if(${SEQ} IS NOT NULL AND mapContains(ResourceAttributes, 'session.id'),
    concat('s', ResourceAttributes['session.id'], '\\0', toString(${SEQ})),
  concat('r', toString(rowNumberInAllBlocks())))`;

/** The deduplicated records of the ferryml models, optionally one model in a time range. */
function deduped(where: string): string {
  return `(SELECT *, ${MODEL} AS model, ${VERSION} AS version, ${SESSION} AS session, ${EVENT} AS event
    FROM {db:Identifier}.{table:Identifier}
    WHERE mapContains(ResourceAttributes, 'ml.model.name') ${where}
    LIMIT 1 BY ${DEDUPE_KEY})`;
}

// The TimestampTime bounds let ClickHouse skip partitions and granules (it is the primary key).
const IN_RANGE = `AND ResourceAttributes['ml.model.name'] = {model:String}
      AND TimestampTime >= toDateTime(intDiv({from:Int64}, 1000)) AND TimestampTime <= toDateTime(intDiv({to:Int64}, 1000))
      AND Timestamp >= fromUnixTimestamp64Milli({from:Int64}) AND Timestamp < fromUnixTimestamp64Milli({to:Int64})`;

/**
 * The version filter (params: allVersions, version): every version, or the one given, where a
 * NULL `version` selects the records sent without one (SQLite's `(? OR version IS ?)`).
 */
const VERSION_IS = `({allVersions:UInt8} = 1 OR (version IS NULL AND {version:Nullable(String)} IS NULL) OR version = {version:Nullable(String)})`;

/** `GET /api/models`: models and versions seen (params: db, table). */
export const SELECT_MODELS = `SELECT model, version, count() AS records, uniqExact(session) AS sessions,
    min(toUnixTimestamp64Milli(Timestamp)) AS firstMs, max(toUnixTimestamp64Milli(Timestamp)) AS lastMs,
    arraySort(groupUniqArrayIf(${SCHEMA_HASH}, mapContains(ResourceAttributes, 'ml.schema.hash'))) AS schemaHashes
  FROM ${deduped('')}
  GROUP BY model, version ORDER BY model, version NULLS FIRST`;

/**
 * Some events' records in a range with the wanted attributes (params: db, table, model,
 * allVersions, version (NULL: records without one), events, from, to, keys). Ordered by time, then session and seq: ties
 * come out in the order a client emitted them, on either store.
 */
export const SELECT_EVENT_ROWS = `SELECT event, toUnixTimestamp64Milli(Timestamp) AS t, version, session, ${SCHEMA_HASH} AS schemaHash,
    mapFilter((k, v) -> has({keys:Array(String)}, k), LogAttributes) AS a
  FROM ${deduped(IN_RANGE)}
  WHERE ${VERSION_IS} AND has({events:Array(String)}, event)
  ORDER BY t, session NULLS FIRST, ${SEQ} NULLS FIRST`;

/** Telemetry drops by reason (params: db, table, model, allVersions, version, from, to). */
export const SELECT_DROPS = `SELECT substring(kv.1, length('ferryml.dropped.') + 1) AS reason, sum(toFloat64OrZero(kv.2)) AS n
  FROM ${deduped(IN_RANGE)}
  ARRAY JOIN arrayFilter(x -> startsWith(x.1, 'ferryml.dropped.'), arrayZip(mapKeys(LogAttributes), mapValues(LogAttributes))) AS kv
  WHERE ${VERSION_IS} AND event = 'ferryml.telemetry.drops'
  GROUP BY reason ORDER BY reason`;

/** `GET /api/records`: newest first (params: db, table, model (NULL: all), event (NULL: all), limit). */
export const SELECT_RECORDS = `SELECT toUnixTimestamp64Milli(Timestamp) AS timeMs,
    ${opt('ScopeAttributes', 'ferryml.batch.id')} AS batchId, model, version, session, event, SeverityNumber AS severity,
    nullIf(TraceId, '') AS traceId, nullIf(SpanId, '') AS spanId, Body AS body, LogAttributes AS attributes, ResourceAttributes AS resource
  FROM ${deduped('')}
  WHERE ({model:Nullable(String)} IS NULL OR model = {model:Nullable(String)}) AND ({event:Nullable(String)} IS NULL OR event = {event:Nullable(String)})
  ORDER BY Timestamp DESC, session DESC NULLS LAST, ${SEQ} DESC NULLS LAST LIMIT {limit:UInt32}`;

/** The columns of the table as it exists (to check it is the exporter's, whoever created it). */
export const SELECT_COLUMNS = `SELECT name, type FROM system.columns WHERE database = {db:String} AND table = {table:String} ORDER BY position`;

/** The table's DDL as the server keeps it (for the TTL check in tests and the start-up banner). */
export const SHOW_CREATE = 'SHOW CREATE TABLE {db:Identifier}.{table:Identifier}';
