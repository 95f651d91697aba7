/**
 * The collector's HTTP server: OTLP/HTTP JSON ingest with a CORS allowlist, the bearer-token
 * read API, and the dashboard. `startCollector` is what `ferryml collector` (`npm run collector`
 * in the repository), `npm start` and the tests call; the package does not export it.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DASHBOARD_CSS, DASHBOARD_HTML } from './dashboard.js';
import { UPLOT_ASSETS, dashboardProblem, problemPage, readDashboardScript, readUplot } from './dashboard-assets.js';
import { messageOf } from '../../errors.js';
import { HttpError, sendJson } from './http.js';
import { createIngest, safeEqual } from './ingest.js';
import type { IngestStats } from './ingest.js';
import { normalizeOptions } from './options.js';
import type { CollectorOptions, NormalizedCollectorOptions } from './options.js';
import { createIngestQueue } from './queue.js';
import { openCollectorStore } from './open-collector-store.js';
import { models, rangeOf, records, summary, timeseries } from './read-api.js';
import { createAlertEngine } from './alerts/engine.js';
import type { AlertEngine } from './alerts/engine.js';
import type { AlertReader } from './alerts/evaluate.js';
import { loadRules } from './alerts/rules.js';
import { decodeAlertSnapshot } from './alerts/snapshot.js';
import type { AlertSnapshot } from './alerts/snapshot.js';
import { collectMetrics, exposition } from './metrics.js';
import type { Store } from './store-api.js';

/** A running collector. */
export interface Collector {
  /** Base URL, e.g. `http://127.0.0.1:4318` (POST `${url}/v1/logs`). */
  url: string;
  port: number;
  /** The admin bearer token (generated when none was given). */
  token: string;
  options: NormalizedCollectorOptions;
  /** Where records are kept (SQLite by default; ClickHouse or chdb with `store`). */
  store: Store;
  stats: IngestStats;
  /** Deletes records older than the retention now (it also runs at start and hourly); returns how many (SQLite; ClickHouse expires rows by its TTL). */
  prune(): number;
  /** Alert rules, state and receivers (README "Alerts"). */
  alerts: AlertEngine;
  /** Stops accepting, writes what is queued, closes the store. */
  close(): Promise<void>;
}

/** The API paths (bearer token). */
const API_PATHS = ['/api/models', '/api/summary', '/api/timeseries', '/api/records', '/api/health', '/api/alerts'];
/** Every path served with GET (and HEAD); POST /v1/logs is the one other. */
const GET_PATHS = new Set(['/', '/dashboard', '/dashboard.js', '/dashboard.css', ...Object.keys(UPLOT_ASSETS), ...API_PATHS, '/metrics', '/healthz']);
/**
 * An unknown path is a 404 that lists what is served: a client posting to `/v1/logs/v1/logs` (an
 * `endpoint` that already ended in `/v1/logs`) learns where to post, not that it should GET.
 */
const notFound = (path: string) =>
  new HttpError(
    404,
    `no such path ${path}; this collector serves POST /v1/logs (OTLP/HTTP JSON logs), GET /dashboard, ${API_PATHS.join(', ')}, /metrics, /healthz`,
  );

const PAGE_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:",
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-cache',
};

/**
 * Opens the store and listens. A store that cannot be opened or reached rejects with
 * STORE_UNAVAILABLE (naming the file, URL or directory) before anything listens.
 * @example
 * const c = await startCollector({ port: 0, db: ':memory:', origins: ['http://localhost:8080'] });
 * console.log(`${c.url}/v1/logs`, c.token);
 */
export async function startCollector(options: CollectorOptions = {}): Promise<Collector> {
  const o = normalizeOptions(options);
  // The rules file is read before the store opens, so a mistake in it leaves nothing open.
  const rules = loadRules(o.alertRules);
  const store = await openCollectorStore(o);
  const stats: IngestStats = { requests: 0, accepted: 0, rejected: 0, duplicateBatches: 0, throttled: 0 };
  const queue = createIngestQueue(store, { maxRecords: o.queueRecords, writeBatchRecords: o.writeBatchRecords });
  const ingest = createIngest(o, queue, stats);
  const prune = () => store.prune(Date.now() - o.retentionDays * 86_400_000);
  let saved: AlertSnapshot | undefined;
  try {
    prune();
    // The alert state the previous collector on this store saved: firing stays firing.
    const text = await store.loadAlertState();
    saved = text === null ? undefined : decodeAlertSnapshot(text, store.location);
  } catch (e) {
    await store.close(); // nothing listens yet: a failed start must not keep the file open
    throw e;
  }
  const pruneTimer = setInterval(() => {
    try {
      prune();
    } catch (e) {
      console.error(`ferryml collector: retention delete failed (will retry in an hour): ${(e as Error).message}`);
    }
  }, 3_600_000);
  pruneTimer.unref();
  const anyOrigin = o.origins.includes('*');
  // Alerts and /metrics read through the read API's functions, not SQL of their own: the seam a
  // second store (ClickHouse) plugs into for both.
  const reader: AlertReader = { models: () => models(store), summary: (r) => summary(store, r) };
  let baseUrl = '';
  const alerts = createAlertEngine(reader, {
    rules,
    everyS: o.alertsEvery,
    alertmanager: o.alertmanager,
    webhooks: o.webhooks,
    retry: { attempts: 5, baseMs: o.notifyRetryMs, maxMs: 30_000, timeoutMs: 10_000 },
    baseUrl: () => baseUrl,
    saved,
    save: (text) => store.saveAlertState(text),
  });
  const psiWindowS = rules.find((r) => r.kind === 'input_psi')?.windowS ?? 3600;

  const cors = (req: IncomingMessage): Record<string, string> | undefined => {
    const origin = req.headers.origin;
    if (origin === undefined) return {}; // not a cross-origin browser request (curl, collectors, same-origin)
    if (!anyOrigin && !o.origins.includes(origin)) return undefined;
    // Retry-After is not a CORS-safelisted response header: without exposing it a page cannot honour it.
    return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin', 'Access-Control-Expose-Headers': 'Retry-After' };
  };

  const authorized = (req: IncomingMessage) => {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    return m !== null && safeEqual((m[1] as string).trim(), o.token);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://collector');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/v1/logs') {
      const c = cors(req);
      if (!c) throw new HttpError(403, `origin ${req.headers.origin} is not in the collector's --origins allowlist`);
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          ...c,
          'Access-Control-Allow-Methods': 'POST',
          'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? 'Content-Type',
          'Access-Control-Max-Age': '600',
        });
        return void res.end();
      }
      if (req.method !== 'POST') throw new HttpError(405, 'use POST', { Allow: 'POST, OPTIONS' });
      return ingest(req, res, c);
    }
    if (!GET_PATHS.has(path)) throw notFound(path);
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, `${path} answers GET only`, { Allow: 'GET, HEAD' });
    if (path === '/healthz') return void sendJson(res, 200, { ok: true });
    if (path === '/metrics') {
      if (!authorized(req))
        throw new HttpError(401, 'send Authorization: Bearer <admin token> (Prometheus: authorization.credentials in the scrape config)', {
          'WWW-Authenticate': 'Bearer realm="ferryml"',
        });
      let text: string;
      try {
        text = exposition(await collectMetrics(reader, Date.now(), psiWindowS, alerts.state.firing()));
      } catch (e) {
        throw new HttpError(503, `the ${store.kind} store could not answer: ${messageOf(e)}`, { 'Retry-After': String(o.retryAfterS) });
      }
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' });
      return void res.end(req.method === 'HEAD' ? undefined : text);
    }
    if (path.startsWith('/api/')) {
      if (!authorized(req))
        throw new HttpError(401, 'send Authorization: Bearer <admin token> (printed by the collector at start)', {
          'WWW-Authenticate': 'Bearer realm="ferryml"',
        });
      const q = url.searchParams;
      // A store that fails (ClickHouse down, a disk error) is a 503 with its cause: retry later.
      const read = async (run: () => Promise<unknown>) => {
        let body: unknown;
        try {
          body = await run();
        } catch (e) {
          if (e instanceof HttpError) throw e;
          throw new HttpError(503, `the ${store.kind} store could not answer: ${messageOf(e)}`, { 'Retry-After': String(o.retryAfterS) });
        }
        sendJson(res, 200, body);
      };
      switch (path) {
        case '/api/models':
          return read(() => models(store));
        case '/api/summary':
          return read(() => summary(store, rangeOf(q)));
        case '/api/timeseries':
          return read(() => timeseries(store, rangeOf(q), q.get('step')));
        case '/api/records':
          return read(() => records(store, q));
        case '/api/health':
          return void sendJson(res, 200, {
            ...stats,
            ...store.counts(),
            queued: queue.size,
            store: store.kind,
            schemaVersion: store.schemaVersion(),
            retentionDays: o.retentionDays,
            alerts: alerts.health(),
          });
        case '/api/alerts':
          return void sendJson(res, 200, { firing: alerts.state.firing(), pending: alerts.state.pending(), recent: alerts.state.recent(), rules });
        default:
          throw notFound(path);
      }
    }
    const page = (type: string, body: string | Buffer, status = 200) => {
      res.writeHead(status, { 'Content-Type': type, ...PAGE_HEADERS });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    switch (path) {
      case '/':
        res.writeHead(302, { Location: '/dashboard' });
        return void res.end();
      case '/dashboard': {
        // Every file the page loads is checked first: one that cannot be read gets a page saying so.
        const problem = await dashboardProblem();
        if (problem !== undefined) console.error(`ferryml collector: ${problem}`);
        return void (problem === undefined ? page('text/html; charset=utf-8', DASHBOARD_HTML) : page('text/html; charset=utf-8', problemPage(problem), 500));
      }
      case '/dashboard.js':
        return void page('text/javascript; charset=utf-8', await readDashboardScript());
      case '/dashboard.css':
        return void page('text/css; charset=utf-8', DASHBOARD_CSS);
      case '/assets/uPlot.esm.js':
      case '/assets/uPlot.min.css':
        return void page(path.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8', await readUplot(UPLOT_ASSETS[path] as string));
      default:
        throw notFound(path);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const err = e instanceof HttpError ? e : new HttpError(500, `internal error: ${messageOf(e)}`);
      if (res.headersSent) return void res.destroy();
      sendJson(res, err.status, { code: err.status, message: err.message }, err.headers);
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  }).catch(async (e: unknown) => {
    await store.close();
    alerts.stop(); // no evaluation timer outlives a collector that never listened
    throw e;
  });
  const port = (server.address() as AddressInfo).port;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host === '0.0.0.0' ? '127.0.0.1' : o.host;
  baseUrl = `http://${host}:${port}`;
  return {
    url: `http://${host}:${port}`,
    port,
    token: o.token,
    options: o,
    store,
    stats,
    prune,
    alerts,
    close: async () => {
      clearInterval(pruneTimer);
      alerts.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await queue.flushAll();
      await store.close();
    },
  };
}
