/**
 * Loads an optional peer dependency of ferryml (better-sqlite3, @clickhouse/client): what an app
 * that embeds the SDK never installs, and the collector needs only for the store it opens.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * `require(name)` from ferryml's own install, else from the working directory: `npx ferryml` run
 * from npm's cache (no ferryml in the app) then still finds what the app installed. Throws the
 * first attempt's error when neither has it.
 */
export function requireOptionalPeer(name: string): unknown {
  try {
    return createRequire(import.meta.url)(name);
  } catch (e) {
    try {
      return createRequire(join(process.cwd(), 'package.json'))(name);
    } catch {
      throw e;
    }
  }
}

/** Whether `error` says the package `name` itself is not installed (rather than failing to load). */
export function isNotInstalled(error: unknown, name: string): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === 'MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.includes(`'${name}'`);
}
