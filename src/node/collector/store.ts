/**
 * SQLite storage (better-sqlite3 12; 13.x crashes on Node 20): WAL mode, versioned migrations,
 * and one transaction per write batch with batch-id dedupe.
 */
import Database from 'better-sqlite3';
import { FerryError } from '../../errors.js';
import { MIGRATIONS } from './migrations.js';
import type { ParsedGroup } from './otlp-parse.js';

/** The open database and its prepared writes. */
export type Store = ReturnType<typeof openStore>;

/** Opens (creating) the database, applies pending migrations, prepares statements. */
export function openStore(file: string) {
  const db = new Database(file);
  // WAL: readers (the read API) never block the writer; NORMAL sync is durable across app crashes
  // and loses at most the last transactions on power loss, the usual trade for WAL.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
  if (current > latest) {
    db.close();
    throw new FerryError('INVALID_OPTIONS', `${file} has schema version ${current}, newer than this collector knows (${latest}); upgrade ferryml or use another --db`);
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }

  const insertLog = db.prepare(`INSERT INTO logs (received_ms, time_ms, time_unix_nano, batch_id, service, model, version, schema_hash, session,
    event, severity, severity_text, trace_id, span_id, body, attributes, resource)
    VALUES (@receivedMs, @timeMs, @timeUnixNano, @batchId, @service, @model, @version, @schemaHash, @session,
    @event, @severity, @severityText, @traceId, @spanId, @body, @attributes, @resource)`);
  const insertBatch = db.prepare('INSERT OR IGNORE INTO batches (id, received_ms, records) VALUES (?, ?, ?)');

  /** Writes groups in one transaction; returns per group whether it was new (false: a duplicate batch id). */
  const write = db.transaction((groups: readonly ParsedGroup[], receivedMs: number): boolean[] =>
    groups.map((g) => {
      if (g.batchId !== undefined && insertBatch.run(g.batchId, receivedMs, g.rows.length).changes === 0) return false;
      for (const row of g.rows) insertLog.run({ ...row, receivedMs, batchId: g.batchId ?? null });
      return true;
    }),
  );

  return {
    db,
    schemaVersion: () => db.pragma('user_version', { simple: true }) as number,
    write: (groups: readonly ParsedGroup[], receivedMs = Date.now()) => write(groups, receivedMs),
    close: () => db.close(),
  };
}
