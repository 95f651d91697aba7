/** The collector's options: one type, one defaults object, one normalizeOptions, one argv parser. */
import { randomBytes } from 'node:crypto';
import { FerryError } from '../../errors.js';

/** Options of {@link startCollector}. */
export interface CollectorOptions {
  /** TCP port; 0 picks a free one. @default 4318 (the OTLP/HTTP port) */
  port?: number;
  /** Interface to listen on. @default "127.0.0.1" */
  host?: string;
  /** SQLite file (WAL mode); `":memory:"` for tests. @default "./telemetry.sqlite" */
  db?: string;
  /** Bearer token of the read API and dashboard. @default $FERRYML_ADMIN_TOKEN, else generated */
  token?: string;
  /** Origins allowed to POST from a browser (CORS); `"*"` allows any. @default ["http://localhost:8080", "http://127.0.0.1:8080"] */
  origins?: readonly string[];
  /**
   * When set, POSTs must carry `X-Ferryml-Ingest-Key` with one of these keys (one per app; a
   * string may list several, comma-separated). @default $FERRYML_INGEST_KEY, else none
   */
  ingestKey?: string | readonly string[];
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
}

export type NormalizedCollectorOptions = Required<Omit<CollectorOptions, 'ingestKey' | 'alertRules' | 'alertmanager'>> & {
  alertRules: string | undefined;
  alertmanager: string | undefined;
  /** Accepted ingest keys; empty: no key needed. */
  ingestKeys: string[];
  tokenGenerated: boolean;
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
  alertsEvery: 60,
  notifyRetryMs: 1_000,
} as const;

function httpUrl(name: string, v: string): string {
  if (!/^https?:\/\/[^\s]+$/.test(v)) throw new FerryError('INVALID_OPTIONS', `collector --${name} must be an http(s) URL; got "${v}"`);
  return v;
}

function integer(name: string, v: number | undefined, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < min) throw new FerryError('INVALID_OPTIONS', `collector option --${name} must be an integer ≥ ${min}; got ${v}`);
  return v;
}

/** Fills defaults; throws INVALID_OPTIONS on caller mistakes. */
export function normalizeOptions(o: CollectorOptions = {}, env: NodeJS.ProcessEnv = process.env): NormalizedCollectorOptions {
  const token = o.token ?? env.FERRYML_ADMIN_TOKEN;
  if (token !== undefined && token.length < 8) throw new FerryError('INVALID_OPTIONS', 'collector --token must be at least 8 characters');
  const origins = (o.origins ?? collectorDefaults.origins).map((s) => s.trim().replace(/\/+$/, '')).filter(Boolean);
  for (const origin of origins) {
    if (origin !== '*' && !/^https?:\/\/[^/]+$/.test(origin)) {
      throw new FerryError('INVALID_OPTIONS', `collector --origins: "${origin}" is not an origin like "https://app.example.com" (scheme://host[:port], no path) or "*"`);
    }
  }
  return {
    port: integer('port', o.port, collectorDefaults.port, 0),
    host: o.host ?? collectorDefaults.host,
    db: o.db ?? collectorDefaults.db,
    token: token ?? randomBytes(18).toString('base64url'),
    tokenGenerated: token === undefined,
    origins,
    ingestKeys: [o.ingestKey ?? env.FERRYML_INGEST_KEY ?? []].flat().flatMap((k) => k.split(',')).map((k) => k.trim()).filter(Boolean),
    maxBodyBytes: integer('max-body-bytes', o.maxBodyBytes, collectorDefaults.maxBodyBytes, 1024),
    queueRecords: integer('queue-records', o.queueRecords, collectorDefaults.queueRecords, 1),
    writeBatchRecords: integer('write-batch-records', o.writeBatchRecords, collectorDefaults.writeBatchRecords, 1),
    retryAfterS: integer('retry-after', o.retryAfterS, collectorDefaults.retryAfterS, 0),
    alertsEvery: integer('alerts-every', o.alertsEvery, collectorDefaults.alertsEvery, 1),
    alertRules: o.alertRules,
    alertmanager: o.alertmanager === undefined ? undefined : httpUrl('alertmanager', o.alertmanager),
    webhooks: (o.webhooks ?? []).map((u) => httpUrl('webhook', u)),
    notifyRetryMs: integer('notify-retry-ms', o.notifyRetryMs, collectorDefaults.notifyRetryMs, 1),
  };
}

/** Usage text of `npm run collector` / `ferryml collector`. */
export const usage = `Usage: ferryml collector [options]   (npm run collector -- [options])

Receives OTLP/HTTP JSON logs from the ferryml SDK into SQLite and serves the read API and dashboard.

  --port N               port (default 4318; 0 = any free port)
  --host H               interface (default 127.0.0.1; 0.0.0.0 for all)
  --db FILE              SQLite file, WAL mode (default ./telemetry.sqlite)
  --token T              admin bearer token for /api and the dashboard
                         (default $FERRYML_ADMIN_TOKEN, else generated and printed)
  --origins A,B          CORS allowlist of page origins, or * (default http://localhost:8080,http://127.0.0.1:8080)
  --ingest-key K[,K2]    require X-Ferryml-Ingest-Key with one of these keys (one per app)
                         on POST /v1/logs (default $FERRYML_INGEST_KEY)
  --max-body-bytes N     largest body, also after gunzip (default 1048576)
  --queue-records N      ingest queue bound; beyond it 429 + Retry-After (default 20000)
  --retry-after S        seconds a 429 asks to wait (default 2)
  --alerts-every S       evaluate the alert rules every S seconds (default 60)
  --alert-rules FILE     JSON rules merged over the shipped defaults (README "Alerts")
  --alertmanager URL     post alerts to this Prometheus Alertmanager (API v2)
  --webhook URL          post the ferryml alert payload here (repeatable)
  --notify-retry-ms N    first retry delay of a notification, doubling, 5 tries (default 1000)`;

/** Parses command-line flags (`--name value` or `--name=value`) into options. */
export function parseArgs(argv: readonly string[]): CollectorOptions {
  const o: CollectorOptions = {};
  const num = (flag: string, v: string) => {
    if (!/^\d+$/.test(v)) throw new FerryError('INVALID_OPTIONS', `collector ${flag} expects a whole number; got "${v}"`);
    return Number(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = () => {
      const v = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new FerryError('INVALID_OPTIONS', `collector ${flag} needs a value\n\n${usage}`);
      return v;
    };
    switch (flag) {
      case '--port': o.port = num(flag, value()); break;
      case '--host': o.host = value(); break;
      case '--db': o.db = value(); break;
      case '--token': o.token = value(); break;
      case '--origins': o.origins = value().split(','); break;
      case '--ingest-key': o.ingestKey = value(); break;
      case '--max-body-bytes': o.maxBodyBytes = num(flag, value()); break;
      case '--queue-records': o.queueRecords = num(flag, value()); break;
      case '--write-batch-records': o.writeBatchRecords = num(flag, value()); break;
      case '--retry-after': o.retryAfterS = num(flag, value()); break;
      case '--alerts-every': o.alertsEvery = num(flag, value()); break;
      case '--alert-rules': o.alertRules = value(); break;
      case '--alertmanager': o.alertmanager = value(); break;
      case '--webhook': o.webhooks = [...(o.webhooks ?? []), value()]; break;
      case '--notify-retry-ms': o.notifyRetryMs = num(flag, value()); break;
      default: throw new FerryError('INVALID_OPTIONS', `collector: unknown option "${arg}"\n\n${usage}`);
    }
  }
  return o;
}
