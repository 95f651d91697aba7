/**
 * SQLite storage (better-sqlite3 12; 13.x crashes on Node 20): WAL mode, versioned migrations,
 * and one transaction per write batch. Dedupe: a record with `(session, seq)` is stored once
 * (unique index); a batch id seen before with the same content is a duplicate, with other
 * content a conflict whose records are stored (never silently dropped) and counted.
 */
import { FerryError } from '../../errors.js';
import { batchContentHash } from './batch-hash.js';
import { MIGRATIONS } from './migrations.js';
import type { ParsedGroup } from './otlp-parse.js';
import { loadBetterSqlite3 } from './sqlite-load.js';

/** The open database and its prepared writes (sqlite-store.ts wraps it into the collector's `Store`). */
export type SqliteDatabase = ReturnType<typeof openStore>;

/** Opens (creating) the database, applies pending migrations, prepares statements. */
export function openStore(file: string) {
  const Database = loadBetterSqlite3();
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
    throw new FerryError(
      'INVALID_OPTIONS',
      `${file} has schema version ${current}, newer than this collector knows (${latest}); upgrade ferryml or use another --db`,
    );
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }

  const insertLog = db.prepare(`INSERT OR IGNORE INTO logs (received_ms, time_ms, time_unix_nano, batch_id, service, model, version, schema_hash, session,
    event, severity, severity_text, trace_id, span_id, body, attributes, resource, seq)
    VALUES (@receivedMs, @timeMs, @timeUnixNano, @batchId, @service, @model, @version, @schemaHash, @session,
    @event, @severity, @severityText, @traceId, @spanId, @body, @attributes, @resource, @seq)`);
  const insertBatch = db.prepare('INSERT OR IGNORE INTO batches (id, received_ms, records, hash) VALUES (?, ?, ?, ?)');
  const batchHash = db.prepare<[string], { hash: string | null }>('SELECT hash FROM batches WHERE id = ?');
  const pruneLogs = db.prepare('DELETE FROM logs WHERE time_ms < ?');
  const pruneBatches = db.prepare('DELETE FROM batches WHERE received_ms < ?');
  const loadState = db.prepare<[], { state: string }>('SELECT state FROM alert_state WHERE id = 1');
  const saveState = db.prepare(
    'INSERT INTO alert_state (id, saved_ms, state) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET saved_ms = excluded.saved_ms, state = excluded.state',
  );
  const counts = { duplicateRecords: 0, batchIdConflicts: 0 };

  /** Writes groups in one transaction; returns per group whether it was new (false: a duplicate batch id, same content). */
  const write = db.transaction((groups: readonly ParsedGroup[], receivedMs: number): boolean[] =>
    groups.map((g) => {
      if (g.batchId !== undefined) {
        const hash = batchContentHash(g);
        if (insertBatch.run(g.batchId, receivedMs, g.rows.length, hash).changes === 0) {
          const seen = batchHash.get(g.batchId)?.hash;
          if (seen === hash || seen === null || seen === undefined) return false;
          counts.batchIdConflicts++; // same id, other content: store its records rather than lose them
        }
      }
      for (const row of g.rows) if (insertLog.run({ ...row, receivedMs, batchId: g.batchId ?? null }).changes === 0) counts.duplicateRecords++;
      return true;
    }),
  );

  return {
    db,
    schemaVersion: () => db.pragma('user_version', { simple: true }) as number,
    write: (groups: readonly ParsedGroup[], receivedMs = Date.now()) => write(groups, receivedMs),
    /** Records dropped as duplicates by (session, seq), and batch ids reused with other content. */
    dedupe: counts,
    /** Deletes records timed before `beforeMs` and batch ids received before it; returns the records deleted. */
    prune: (beforeMs: number): number =>
      db.transaction(() => {
        pruneBatches.run(beforeMs);
        return pruneLogs.run(beforeMs).changes;
      })(),
    /** The saved alert state (alerts/snapshot.ts), or null when none was saved. */
    loadAlertState: (): string | null => loadState.get()?.state ?? null,
    /** Replaces the saved alert state. */
    saveAlertState: (state: string, savedMs = Date.now()): void => void saveState.run(savedMs, state),
    close: () => db.close(),
  };
}
