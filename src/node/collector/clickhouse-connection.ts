/**
 * Two ways to run the same ClickHouse SQL: a server or cluster through the official
 * `@clickhouse/client` (HTTP), or embedded ClickHouse through `chdb` in this process. Both are
 * loaded only when `--store` asks for them. Results come back as JSONEachRow objects.
 */
import { FerryError, messageOf } from '../../errors.js';
import { loadChdb } from './chdb-load.js';
import type { ChdbSession } from './chdb-load.js';
import { isNotInstalled, requireOptionalPeer } from './optional-peer.js';

/** What the ClickHouse store needs from an engine. */
export interface ClickHouseConnection {
  /** A SELECT with query parameters; rows as objects. */
  query(sql: string, params: Record<string, unknown>): Promise<Array<Record<string, unknown>>>;
  /** A statement without result rows (DDL). */
  command(sql: string, params: Record<string, unknown>): Promise<void>;
  /** Inserts rows (objects keyed by column) into `db.table`; resolves once the engine acknowledged them. */
  insert(db: string, table: string, rows: ReadonlyArray<Record<string, unknown>>): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link connectClickHouse}. */
export interface ClickHouseServerOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  /** Per-request timeout. @default 10000 (the exporter's `timeout: 10s`) */
  timeoutMs?: number;
}

const unavailable = (where: string, e: unknown) =>
  new FerryError('STORE_UNAVAILABLE', `ClickHouse at ${where} failed: ${messageOf(e)}`, { cause: e, details: { where } });

/**
 * Connects to a ClickHouse server and checks it answers (with the credentials: `SELECT 1`).
 * Throws STORE_UNAVAILABLE naming the URL when it does not.
 */
export async function connectClickHouse(o: ClickHouseServerOptions): Promise<ClickHouseConnection> {
  let mod: typeof import('@clickhouse/client');
  try {
    mod = requireOptionalPeer('@clickhouse/client') as typeof import('@clickhouse/client');
  } catch (e) {
    const why = isNotInstalled(e, '@clickhouse/client')
      ? 'needs the @clickhouse/client package (an optional peer dependency of ferryml), which is not installed'
      : `could not load @clickhouse/client (${messageOf(e).split('\n')[0]})`;
    throw new FerryError('STORE_UNAVAILABLE', `--store clickhouse ${why}; install it next to ferryml: npm install @clickhouse/client@^1.23`, {
      cause: e,
      details: { package: '@clickhouse/client' },
    });
  }
  const url = new URL(o.url);
  const shown = `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`; // never the password
  const client = mod.createClient({ url: o.url, username: o.username ?? 'default', password: o.password ?? '', request_timeout: o.timeoutMs ?? 10_000 });
  const ping = await client.ping({ select: true });
  if (!ping.success) {
    await client.close();
    throw new FerryError(
      'STORE_UNAVAILABLE',
      `cannot reach ClickHouse at ${shown}: ${ping.error.message}; check --clickhouse-url, --clickhouse-user and --clickhouse-password-file, and that the server is up`,
      { cause: ping.error, details: { url: shown } },
    );
  }
  const wrap = async <T>(run: () => Promise<T>) => {
    try {
      return await run();
    } catch (e) {
      throw unavailable(shown, e);
    }
  };
  return {
    query: (sql, params) => wrap(async () => (await client.query({ query: sql, query_params: params, format: 'JSONEachRow' })).json<Record<string, unknown>>()),
    command: (sql, params) => wrap(async () => void (await client.command({ query: sql, query_params: params }))),
    // wait_end_of_query: the server answers only after the rows are written (the 200 after the ack).
    insert: (db, table, rows) =>
      wrap(
        async () =>
          void (await client.insert({
            table: `${db}.${table}`,
            values: rows,
            format: 'JSONEachRow',
            clickhouse_settings: { wait_end_of_query: 1 },
          })),
      ),
    close: () => client.close(),
  };
}

/** Opens (creating) an embedded ClickHouse data directory through chdb. */
export async function openChdb(path: string): Promise<ClickHouseConnection> {
  const chdb = await loadChdb();
  let session: ChdbSession;
  try {
    session = new chdb.Session(path);
    await session.queryAsync('SELECT 1');
  } catch (e) {
    throw new FerryError('STORE_UNAVAILABLE', `cannot open the chdb data directory ${path}: ${(e as Error).message}; check --chdb-path`, {
      cause: e,
      details: { path },
    });
  }
  const where = `chdb:${path}`;
  const wrap = async <T>(run: () => Promise<T>) => {
    try {
      return await run();
    } catch (e) {
      throw unavailable(where, e);
    }
  };
  return {
    query: (sql, params) =>
      wrap(async () => {
        const text = (await session.queryBindAsync(sql, params, { format: 'JSONEachRow' })).text();
        return text === ''
          ? []
          : text
              .trimEnd()
              .split('\n')
              .map((line) => JSON.parse(line) as Record<string, unknown>);
      }),
    command: (sql, params) => wrap(async () => void (await session.queryBindAsync(sql, params, { format: 'JSONEachRow' }))),
    insert: (db, table, rows) =>
      wrap(async () => {
        if (rows.length === 0) return;
        let body = '';
        for (const r of rows) body += `${JSON.stringify(r)}\n`;
        await session.insert({ table: `${db}.${table}`, values: Buffer.from(body), format: 'JSONEachRow' });
      }),
    close: async () => session.close(),
  };
}
