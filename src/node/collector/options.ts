/** The collector's options: one type, one defaults object, one normalizeOptions, one argv parser. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FerryError } from '../../errors.js';
import { checkNumber, optionError } from '../../check-options.js';
import { numberOption, parseCommand } from '../args.js';

/** Options of {@link startCollector}. */
export interface CollectorOptions {
  /** TCP port; 0 picks a free one. @default 4318 (the OTLP/HTTP port) */
  port?: number;
  /** Interface to listen on. @default "127.0.0.1" */
  host?: string;
  /** SQLite file (WAL mode); `":memory:"` for tests. @default "./telemetry.sqlite" */
  db?: string;
  /** Bearer token of the read API and dashboard. @default the contents of `tokenFile`, else $FERRYML_ADMIN_TOKEN, else generated */
  token?: string;
  /** A file holding the admin token (the command line takes this, never the token: argv is public in `ps`). */
  tokenFile?: string;
  /** Origins allowed to POST from a browser (CORS); `"*"` allows any. @default ["http://localhost:8080", "http://127.0.0.1:8080"] */
  origins?: readonly string[];
  /**
   * When set, POSTs must carry `X-Ferryml-Ingest-Key` with one of these keys (one per app; a
   * string may list several, comma-separated). `KEY=modelA|modelB` binds a key to those model
   * names (records of other models are refused with 403). Required when `host` is not loopback.
   * @default $FERRYML_INGEST_KEY, else none
   */
  ingestKey?: string | readonly string[];
  /** Days of records kept: older ones are deleted (at start, then hourly) and refused at ingest. @default 30 */
  retentionDays?: number;
  /** Largest attribute value (its JSON) in one record; a larger one answers 413. @default 32768 */
  maxAttributeBytes?: number;
  /** Largest record (attributes + body JSON); a larger one answers 413. @default 65536 */
  maxRecordBytes?: number;
  /** Largest accepted body, before and after gunzip. @default 1048576 (1 MiB) */
  maxBodyBytes?: number;
  /** Bound of the ingest queue in records; past it POSTs get 429 + Retry-After. @default 20000 */
  queueRecords?: number;
  /** Records written per SQLite transaction at most. @default 5000 */
  writeBatchRecords?: number;
  /** Seconds a 429 asks clients to wait. @default 2 */
  retryAfterS?: number;
  /** Alert rules are evaluated this often, in seconds (README "Alerts"). @default 60 */
  alertsEvery?: number;
  /** A JSON rules file merged over the shipped defaults (README "Alerts"). @default the defaults */
  alertRules?: string;
  /** Prometheus Alertmanager base URL: alerts are POSTed to `${url}/api/v2/alerts`. @default none */
  alertmanager?: string;
  /** Webhook URLs that get the ferryml alert payload. @default [] */
  webhooks?: readonly string[];
  /** First retry delay of a notification (doubles per try, 5 tries). @default 1000 */
  notifyRetryMs?: number;
  /**
   * Where records are kept: `sqlite` (the `db` file), `clickhouse` (a server at `clickhouseUrl`,
   * through @clickhouse/client) or `chdb` (embedded ClickHouse in `chdbPath`). @default "sqlite"
   */
  store?: 'sqlite' | 'clickhouse' | 'chdb';
  /** ClickHouse HTTP(S) URL, e.g. `http://clickhouse:8123` (`store: 'clickhouse'`). */
  clickhouseUrl?: string;
  /** ClickHouse database. @default "otel" (otel-collector.yaml's) */
  clickhouseDatabase?: string;
  /** The exporter's logs table. @default "otel_logs" */
  clickhouseTable?: string;
  /** ClickHouse user. @default $CLICKHOUSE_USER, else "default" */
  clickhouseUser?: string;
  /** A file holding the ClickHouse password. @default $CLICKHOUSE_PASSWORD, else none */
  clickhousePasswordFile?: string;
  /** TTL of the logs table when this collector creates it, in hours (0: none). @default 2160 (90 days, as otel-collector.yaml) */
  clickhouseTtlHours?: number;
  /** chdb data directory (`store: 'chdb'`); created when missing. */
  chdbPath?: string;
}

type StoreOptionKeys = 'clickhouseUrl' | 'clickhouseUser' | 'clickhousePasswordFile' | 'chdbPath';

export type NormalizedCollectorOptions = Required<Omit<CollectorOptions, 'ingestKey' | 'tokenFile' | 'alertRules' | 'alertmanager' | StoreOptionKeys>> & {
  alertRules: string | undefined;
  alertmanager: string | undefined;
  /** Accepted ingest keys; empty: no key needed. */
  ingestKeys: string[];
  /** Model names a key may report on; a key absent here may report on any. */
  ingestKeyModels: Record<string, string[]>;
  tokenGenerated: boolean;
  clickhouseUrl: string | undefined;
  clickhouseUser: string;
  clickhousePassword: string | undefined;
  chdbPath: string | undefined;
};

/** Documented defaults (token and ingest key come from the environment). */
export const collectorDefaults = {
  port: 4318,
  host: '127.0.0.1',
  db: './telemetry.sqlite',
  origins: ['http://localhost:8080', 'http://127.0.0.1:8080'],
  maxBodyBytes: 1024 * 1024,
  queueRecords: 20_000,
  writeBatchRecords: 5_000,
  retryAfterS: 2,
  retentionDays: 30,
  maxAttributeBytes: 32 * 1024,
  maxRecordBytes: 64 * 1024,
  alertsEvery: 60,
  notifyRetryMs: 1_000,
  store: 'sqlite',
  clickhouseDatabase: 'otel',
  clickhouseTable: 'otel_logs',
  clickhouseTtlHours: 2160,
} as const;

/** True for addresses only this machine can reach. */
export const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** `KEY` or `KEY=modelA|modelB` entries → keys, and the models each bound key may report on. */
function ingestKeysOf(raw: string | readonly string[]): { keys: string[]; models: Record<string, string[]> } {
  const keys: string[] = [];
  const models: Record<string, string[]> = {};
  for (const entry of [raw]
    .flat()
    .flatMap((k) => k.split(','))
    .map((k) => k.trim())
    .filter(Boolean)) {
    const eq = entry.indexOf('=');
    const key = eq < 0 ? entry : entry.slice(0, eq).trim();
    if (key.length < 8) throw new FerryError('INVALID_OPTIONS', `collector --ingest-key: a key must be at least 8 characters (got one of ${key.length})`);
    keys.push(key);
    if (eq >= 0) {
      const names = entry
        .slice(eq + 1)
        .split('|')
        .map((m) => m.trim())
        .filter(Boolean);
      if (!names.length)
        throw new FerryError('INVALID_OPTIONS', `collector --ingest-key "${key}=": name the models after "=", separated by "|" (e.g. key=penguins|digits)`);
      models[key] = names;
    }
  }
  return { keys, models };
}

function httpUrl(name: string, v: string): string {
  if (!/^https?:\/\/[^\s]+$/.test(v)) throw new FerryError('INVALID_OPTIONS', `collector --${name} must be an http(s) URL; got "${v}"`);
  return v;
}

/** The store options, checked: a ClickHouse store needs its URL or directory, the password comes from a file. */
function storeOptions(o: CollectorOptions, env: NodeJS.ProcessEnv) {
  const store = o.store ?? collectorDefaults.store;
  if (!['sqlite', 'clickhouse', 'chdb'].includes(store))
    throw new FerryError('INVALID_OPTIONS', `collector --store must be sqlite, clickhouse or chdb; got "${store}"`);
  if (store === 'clickhouse') {
    if (!o.clickhouseUrl) throw new FerryError('INVALID_OPTIONS', 'collector --store clickhouse needs --clickhouse-url, e.g. http://clickhouse:8123');
    try {
      if (!/^https?:$/.test(new URL(o.clickhouseUrl).protocol)) throw new Error('not http(s)');
    } catch {
      throw new FerryError(
        'INVALID_OPTIONS',
        `collector --clickhouse-url "${o.clickhouseUrl}" must be an http:// or https:// URL (ClickHouse's HTTP interface, port 8123 or 8443)`,
      );
    }
  }
  if (store === 'chdb' && !o.chdbPath)
    throw new FerryError('INVALID_OPTIONS', 'collector --store chdb needs --chdb-path DIR (the embedded ClickHouse data directory)');
  let password = env.CLICKHOUSE_PASSWORD;
  if (o.clickhousePasswordFile !== undefined) {
    try {
      password = readFileSync(o.clickhousePasswordFile, 'utf8').trim();
    } catch (e) {
      throw new FerryError('INVALID_OPTIONS', `collector --clickhouse-password-file ${o.clickhousePasswordFile} cannot be read (${(e as Error).message})`);
    }
  }
  return {
    store,
    clickhouseUrl: o.clickhouseUrl,
    clickhouseDatabase: o.clickhouseDatabase ?? collectorDefaults.clickhouseDatabase,
    clickhouseTable: o.clickhouseTable ?? collectorDefaults.clickhouseTable,
    clickhouseUser: o.clickhouseUser ?? env.CLICKHOUSE_USER ?? 'default',
    clickhousePassword: password,
    clickhouseTtlHours: integer('clickhouseTtlHours', o.clickhouseTtlHours, collectorDefaults.clickhouseTtlHours, 0),
    chdbPath: o.chdbPath,
  };
}

const SCOPE = 'collector';
const integer = (option: string, value: number | undefined, fallback: number, min: number) =>
  checkNumber(SCOPE, option, value, fallback, { integer: true, min });

function readTokenFile(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw new FerryError(
      'INVALID_OPTIONS',
      `collector --token-file ${file} cannot be read (${(e as Error).message}); write the admin token into it, or set FERRYML_ADMIN_TOKEN`,
    );
  }
}

/** Fills defaults; throws INVALID_OPTIONS on caller mistakes. */
export function normalizeOptions(o: CollectorOptions = {}, env: NodeJS.ProcessEnv = process.env): NormalizedCollectorOptions {
  const token = o.token ?? readTokenFile(o.tokenFile) ?? env.FERRYML_ADMIN_TOKEN;
  if (token !== undefined && token.length < 8) throw optionError(SCOPE, 'token', 'at least 8 characters', `${token.length} characters`);
  const origins = (o.origins ?? collectorDefaults.origins).map((s) => s.trim().replace(/\/+$/, '')).filter(Boolean);
  for (const origin of origins) {
    if (origin !== '*' && !/^https?:\/\/[^/]+$/.test(origin)) {
      throw optionError(SCOPE, 'origins', 'origins like "https://app.example.com" (scheme://host[:port], no path) or "*"', origin);
    }
  }
  const host = o.host ?? collectorDefaults.host;
  const ingest = ingestKeysOf(o.ingestKey ?? env.FERRYML_INGEST_KEY ?? []);
  if (!isLoopback(host) && ingest.keys.length === 0) {
    throw new FerryError(
      'INVALID_OPTIONS',
      `collector --host ${host} is reachable from other machines: give it --ingest-key KEY (or FERRYML_INGEST_KEY) so not just anyone can write into the database`,
    );
  }
  return {
    port: integer('port', o.port, collectorDefaults.port, 0),
    host,
    db: o.db ?? collectorDefaults.db,
    token: token ?? randomBytes(18).toString('base64url'),
    tokenGenerated: token === undefined,
    origins,
    ingestKeys: ingest.keys,
    ingestKeyModels: ingest.models,
    retentionDays: integer('retentionDays', o.retentionDays, collectorDefaults.retentionDays, 1),
    maxAttributeBytes: integer('maxAttributeBytes', o.maxAttributeBytes, collectorDefaults.maxAttributeBytes, 256),
    maxRecordBytes: integer('maxRecordBytes', o.maxRecordBytes, collectorDefaults.maxRecordBytes, 1024),
    maxBodyBytes: integer('maxBodyBytes', o.maxBodyBytes, collectorDefaults.maxBodyBytes, 1024),
    queueRecords: integer('queueRecords', o.queueRecords, collectorDefaults.queueRecords, 1),
    writeBatchRecords: integer('writeBatchRecords', o.writeBatchRecords, collectorDefaults.writeBatchRecords, 1),
    retryAfterS: integer('retryAfterS', o.retryAfterS, collectorDefaults.retryAfterS, 0),
    alertsEvery: integer('alertsEvery', o.alertsEvery, collectorDefaults.alertsEvery, 1),
    alertRules: o.alertRules,
    alertmanager: o.alertmanager === undefined ? undefined : httpUrl('alertmanager', o.alertmanager),
    webhooks: (o.webhooks ?? []).map((u) => httpUrl('webhook', u)),
    notifyRetryMs: integer('notifyRetryMs', o.notifyRetryMs, collectorDefaults.notifyRetryMs, 1),
    ...storeOptions(o, env),
  };
}

/** Usage text of `ferryml collector` (also `npm run collector` in the repository). */
export const usage = `Usage: npx ferryml collector [options]

Receives OTLP/HTTP JSON logs from the ferryml SDK into SQLite (or ClickHouse: --store) and serves the read API and dashboard.
SQLite needs better-sqlite3 installed next to ferryml (npm install better-sqlite3@12; 13 crashes on Node 20);
--store clickhouse needs @clickhouse/client (npm install @clickhouse/client@1).

  --port N               port (default 4318; 0 = any free port)
  --host H               interface (default 127.0.0.1; 0.0.0.0 for all)
  --db FILE              SQLite file, WAL mode (default ./telemetry.sqlite)
  --token-file FILE      file holding the admin bearer token for /api and the dashboard
                         (default $FERRYML_ADMIN_TOKEN, else generated and printed;
                         never on the command line, where \`ps\` shows it to every user)
  --origins A,B          CORS allowlist of page origins, or * (default http://localhost:8080,http://127.0.0.1:8080)
  --ingest-key K[,K2]    require X-Ferryml-Ingest-Key with one of these keys (one per app)
                         on POST /v1/logs (default $FERRYML_INGEST_KEY); K=modelA|modelB binds
                         a key to those models; required when --host is not loopback
  --retention-days N     keep N days of records: older ones are deleted hourly and refused (default 30)
  --max-attribute-bytes N  largest attribute value in a record, else 413 (default 32768)
  --max-record-bytes N   largest record (attributes + body), else 413 (default 65536)
  --max-body-bytes N     largest body, also after gunzip (default 1048576)
  --queue-records N      ingest queue bound; beyond it 429 + Retry-After (default 20000)
  --retry-after S        seconds a 429 asks to wait (default 2)
  --stop-with-stdin      stop when stdin closes (npm start: the collector never outlives its parent)
  --alerts-every S       evaluate the alert rules every S seconds (default 60)
  --alert-rules FILE     JSON rules merged over the shipped defaults (README "Alerts")
  --alertmanager URL     post alerts to this Prometheus Alertmanager (API v2)
  --webhook URL          post the ferryml alert payload here (repeatable)
  --notify-retry-ms N    first retry delay of a notification, doubling, 5 tries (default 1000)
  --store S              sqlite (default), clickhouse or chdb: where records are kept and read
  --clickhouse-url URL   ClickHouse HTTP interface (--store clickhouse), e.g. http://clickhouse:8123
  --clickhouse-database D   database of the exporter's logs table (default otel)
  --clickhouse-table T   the OpenTelemetry exporter's logs table (default otel_logs)
  --clickhouse-user U    (default $CLICKHOUSE_USER, else default)
  --clickhouse-password-file F   file holding the password (default $CLICKHOUSE_PASSWORD)
  --clickhouse-ttl-hours H   TTL of a table the collector creates (default 2160 = 90 days; 0 = none)
  --chdb-path DIR        embedded ClickHouse data directory (--store chdb; chdb is installed on first use)`;

/** Parses command-line flags (`--name value` or `--name=value`) into options, with the one CLI parser. */
export function parseArgs(argv: readonly string[]): CollectorOptions {
  const text = { type: 'string' } as const;
  const { values, positionals } = parseCommand(
    [...argv],
    {
      port: text,
      host: text,
      db: text,
      token: text,
      'token-file': text,
      origins: text,
      'ingest-key': text,
      'max-body-bytes': text,
      'queue-records': text,
      'write-batch-records': text,
      'retry-after': text,
      'retention-days': text,
      'max-attribute-bytes': text,
      'max-record-bytes': text,
      'alerts-every': text,
      'alert-rules': text,
      alertmanager: text,
      webhook: { type: 'string', multiple: true },
      'notify-retry-ms': text,
      store: text,
      'clickhouse-url': text,
      'clickhouse-database': text,
      'clickhouse-table': text,
      'clickhouse-user': text,
      'clickhouse-password-file': text,
      'clickhouse-ttl-hours': text,
      'chdb-path': text,
    },
    usage,
  );
  if (positionals.length > 0)
    throw new FerryError('INVALID_OPTIONS', `collector: unexpected argument "${positionals[0]}"\n\n${usage}`, { details: { got: positionals } });
  if (values.token !== undefined) {
    throw new FerryError(
      'INVALID_OPTIONS',
      'collector --token is refused: a command line is visible to every local user (ps); set FERRYML_ADMIN_TOKEN or use --token-file FILE',
    );
  }
  const o: CollectorOptions = {};
  const num = (name: string, v: string | undefined) => numberOption(v, name, (n) => Number.isInteger(n) && n >= 0);
  const set = <K extends keyof CollectorOptions>(key: K, value: CollectorOptions[K] | undefined) => {
    if (value !== undefined) o[key] = value;
  };
  set('port', num('port', values.port));
  set('host', values.host);
  set('db', values.db);
  set('tokenFile', values['token-file']);
  set('origins', values.origins?.split(','));
  set('ingestKey', values['ingest-key']);
  set('maxBodyBytes', num('max-body-bytes', values['max-body-bytes']));
  set('queueRecords', num('queue-records', values['queue-records']));
  set('writeBatchRecords', num('write-batch-records', values['write-batch-records']));
  set('retryAfterS', num('retry-after', values['retry-after']));
  set('retentionDays', num('retention-days', values['retention-days']));
  set('maxAttributeBytes', num('max-attribute-bytes', values['max-attribute-bytes']));
  set('maxRecordBytes', num('max-record-bytes', values['max-record-bytes']));
  set('alertsEvery', num('alerts-every', values['alerts-every']));
  set('alertRules', values['alert-rules']);
  set('alertmanager', values.alertmanager);
  set('webhooks', values.webhook);
  set('notifyRetryMs', num('notify-retry-ms', values['notify-retry-ms']));
  set('store', values.store as CollectorOptions['store']);
  set('clickhouseUrl', values['clickhouse-url']);
  set('clickhouseDatabase', values['clickhouse-database']);
  set('clickhouseTable', values['clickhouse-table']);
  set('clickhouseUser', values['clickhouse-user']);
  set('clickhousePasswordFile', values['clickhouse-password-file']);
  set('clickhouseTtlHours', num('clickhouse-ttl-hours', values['clickhouse-ttl-hours']));
  set('chdbPath', values['chdb-path']);
  return o;
}
