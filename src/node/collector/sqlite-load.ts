/**
 * Loads better-sqlite3 for the SQLite store, when it opens: an optional peer dependency, so an app
 * that embeds the SDK installs no native module, and `ferryml collector` without it says what to do.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { FerryError, messageOf } from '../../errors.js';
import { isNotInstalled, requireOptionalPeer } from './optional-peer.js';

/** The install command the errors name: 12, since better-sqlite3 13 crashes on Node 20. */
export const SQLITE_INSTALL = 'npm install better-sqlite3@12';

let loaded: typeof BetterSqlite3 | undefined;

/**
 * The better-sqlite3 constructor, its native binding loaded (an in-memory database is opened and
 * closed, so a binding built for another Node fails here rather than as a file error). Throws
 * STORE_UNAVAILABLE naming the fix when the package is missing or its binding does not load.
 */
export function loadBetterSqlite3(): typeof BetterSqlite3 {
  if (loaded) return loaded;
  try {
    const Database = requireOptionalPeer('better-sqlite3') as typeof BetterSqlite3;
    new Database(':memory:').close();
    loaded = Database;
    return Database;
  } catch (e) {
    const why = isNotInstalled(e, 'better-sqlite3')
      ? 'the SQLite store needs better-sqlite3 (an optional peer dependency of ferryml), which is not installed'
      : `better-sqlite3 is installed but could not be loaded (${messageOf(e).split('\n')[0]})`;
    throw new FerryError(
      'STORE_UNAVAILABLE',
      `${why}; install it next to ferryml: ${SQLITE_INSTALL} (13 crashes on Node 20), or keep records in ClickHouse: --store clickhouse --clickhouse-url URL (or --store chdb)`,
      { cause: e, details: { package: 'better-sqlite3' } },
    );
  }
}
