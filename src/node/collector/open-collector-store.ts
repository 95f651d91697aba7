/** Opens the store `--store` names: SQLite (default), a ClickHouse server, or embedded chdb. */
import { connectClickHouse, openChdb } from './clickhouse-connection.js';
import { openClickHouseStore } from './clickhouse-store.js';
import type { NormalizedCollectorOptions } from './options.js';
import { openSqliteStore } from './sqlite-store.js';
import type { Store } from './store-api.js';

/**
 * The collector's store. A ClickHouse server that does not answer, or a chdb directory that
 * cannot be opened, throws STORE_UNAVAILABLE naming the URL or directory (the CLI exits with it).
 */
export async function openCollectorStore(o: NormalizedCollectorOptions): Promise<Store> {
  if (o.store === 'sqlite') return openSqliteStore(o.db);
  const kind = o.store;
  const conn =
    kind === 'clickhouse'
      ? await connectClickHouse({ url: o.clickhouseUrl as string, username: o.clickhouseUser, password: o.clickhousePassword })
      : await openChdb(o.chdbPath as string);
  const location = kind === 'clickhouse' ? redact(o.clickhouseUrl as string) : (o.chdbPath as string);
  try {
    return await openClickHouseStore(conn, {
      kind,
      location,
      database: o.clickhouseDatabase,
      table: o.clickhouseTable,
      ttlSeconds: o.clickhouseTtlHours * 3600,
    });
  } catch (e) {
    await conn.close().catch(() => undefined);
    throw e;
  }
}

/** A URL without its password, for messages and the banner. */
function redact(url: string): string {
  const u = new URL(url);
  u.password = '';
  return u.toString().replace(/\/$/, '');
}
