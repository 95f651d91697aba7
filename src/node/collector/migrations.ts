/**
 * Versioned schema migrations, applied in order inside one transaction each and recorded in
 * `PRAGMA user_version`. Append new entries; never edit a shipped one.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'logs and batches',
    sql: `
      CREATE TABLE logs (
        id             INTEGER PRIMARY KEY,
        received_ms    INTEGER NOT NULL,
        time_ms        INTEGER NOT NULL,
        time_unix_nano TEXT    NOT NULL,
        batch_id       TEXT,
        service        TEXT,
        model          TEXT,
        version        TEXT,
        schema_hash    TEXT,
        session        TEXT,
        event          TEXT,
        severity       INTEGER NOT NULL,
        severity_text  TEXT,
        trace_id       TEXT,
        span_id        TEXT,
        body           TEXT,
        attributes     TEXT    NOT NULL,
        resource       TEXT    NOT NULL
      );
      CREATE INDEX logs_model_event_time ON logs (model, event, time_ms);
      -- Idempotency keys seen: a batch delivered twice (at-least-once) is stored once.
      CREATE TABLE batches (
        id          TEXT PRIMARY KEY,
        received_ms INTEGER NOT NULL,
        records     INTEGER NOT NULL
      ) WITHOUT ROWID;`,
  },
  {
    version: 2,
    name: 'per-version reads',
    sql: `CREATE INDEX logs_model_version_event_time ON logs (model, version, event, time_ms);`,
  },
  {
    version: 3,
    name: 'dedupe by (session, seq); batch content hashes',
    // ferryml.seq numbers a session's records: (session, seq) is a record's identity across
    // retries and re-splits, so a duplicate is dropped per record, whatever batch carried it.
    // Duplicates already stored are removed (the first copy stays) before the unique index.
    sql: `
      ALTER TABLE logs ADD COLUMN seq INTEGER;
      UPDATE logs SET seq = json_extract(attributes, '$."ferryml.seq"') WHERE json_type(attributes, '$."ferryml.seq"') = 'integer';
      DELETE FROM logs WHERE session IS NOT NULL AND seq IS NOT NULL
        AND id NOT IN (SELECT min(id) FROM logs WHERE session IS NOT NULL AND seq IS NOT NULL GROUP BY session, seq);
      CREATE UNIQUE INDEX logs_session_seq ON logs (session, seq) WHERE session IS NOT NULL AND seq IS NOT NULL;
      CREATE INDEX logs_time ON logs (time_ms);
      ALTER TABLE batches ADD COLUMN hash TEXT;`,
  },
  {
    version: 4,
    name: 'alert state',
    // The alert engine's state (pending, firing, recent), one JSON snapshot (alerts/snapshot.ts)
    // rewritten after each evaluation that changed it: a restarted collector resumes from it.
    sql: `
      CREATE TABLE alert_state (
        id       INTEGER PRIMARY KEY CHECK (id = 1),
        saved_ms INTEGER NOT NULL,
        state    TEXT    NOT NULL
      );`,
  },
];
