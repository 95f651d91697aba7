/**
 * Loads `chdb` (embedded ClickHouse, about 540 MB installed), an optional dependency kept out of
 * the default install: from the app's node_modules if it is there, else from a cache folder
 * (`node_modules/.cache/ferryml-chdb`, or $FERRYML_CHDB_DIR), where it is installed with npm on
 * first use, once. The tests and `ferryml collector --store chdb` go through here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { FerryError } from '../../errors.js';

/** The chdb version the collector is tested with (ClickHouse 26.7). */
export const CHDB_VERSION = '3.4.0';

/** The part of chdb's `Session` the collector uses. */
export interface ChdbSession {
  /** Synchronous query (multi-statement), result as text in `format`. */
  query(sql: string, format?: string): string;
  queryAsync(sql: string, opts?: { format?: string }): Promise<{ text(): string }>;
  queryBindAsync(sql: string, params: object, opts?: { format?: string }): Promise<{ text(): string }>;
  insert(p: { table: string; values: Buffer; format: 'JSONEachRow' }): Promise<unknown>;
  close(): void;
}

/** The chdb module. */
export interface ChdbModule {
  Session: new (path: string) => ChdbSession;
}

/** Where chdb is installed on demand. */
export function chdbCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.FERRYML_CHDB_DIR ?? join(process.cwd(), 'node_modules', '.cache', 'ferryml-chdb');
}

function tryRequire(from: string): ChdbModule | undefined {
  try {
    return createRequire(from)('chdb') as ChdbModule;
  } catch {
    return undefined;
  }
}

let loaded: Promise<ChdbModule> | undefined;

/**
 * Resolves the chdb module, installing it into {@link chdbCacheDir} when no copy is found.
 * Throws STORE_UNAVAILABLE with the npm output's tail when the install fails.
 */
export function loadChdb(): Promise<ChdbModule> {
  loaded ??= (async () => {
    const dir = chdbCacheDir();
    const found = tryRequire(import.meta.url) ?? tryRequire(join(dir, 'package.json'));
    if (found) return found;
    console.error(`[ferryml] chdb ${CHDB_VERSION} (embedded ClickHouse, ~540 MB) is not installed: installing it into ${dir} (once)`);
    mkdirSync(dir, { recursive: true });
    if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{"name":"ferryml-chdb-cache","private":true}\n');
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', `chdb@${CHDB_VERSION}`], { cwd: dir, encoding: 'utf8' });
    const mod = r.status === 0 ? tryRequire(join(dir, 'package.json')) : undefined;
    if (!mod) {
      throw new FerryError(
        'STORE_UNAVAILABLE',
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stderr is null when npm could not be started at all
        `could not install chdb@${CHDB_VERSION} into ${dir} (npm exit ${r.status}): ${`${r.stderr ?? ''}${r.error?.message ?? ''}`.slice(-400)}; install it yourself (npm install chdb@${CHDB_VERSION}) or set FERRYML_CHDB_DIR to a folder that has it`,
        { details: { dir } },
      );
    }
    return mod;
  })();
  // A failed install is retried on the next call instead of being remembered.
  loaded.catch(() => (loaded = undefined));
  return loaded;
}
