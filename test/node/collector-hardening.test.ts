// The collector against the probes of issue 16, over real HTTP into a real SQLite file: open
// ingest on a public address, oversize attributes and records, stale and future timestamps,
// a reused batch id with other content, duplicates by (session.id, seq), a lone UTF-16
// surrogate in a model name, ingest keys bound to model names, and retention deleting old rows.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector } from '../../src/node/collector/main.js';
import type { Collector } from '../../src/node/collector/main.js';
import { openStore } from '../../src/node/collector/store.js';
import { parseExportRequest } from '../../src/node/collector/otlp-parse.js';

const dir = mkdtempSync(join(tmpdir(), 'ferryml-hardening-'));
const TOKEN = 'hardening-admin-token';
const DAY = 86_400_000;
let c: Collector;

before(async () => {
  c = await startCollector({ port: 0, db: join(dir, 'h.sqlite'), token: TOKEN, maxAttributeBytes: 4096, maxRecordBytes: 8192, retentionDays: 30 });
});
after(async () => {
  await c.close();
  rmSync(dir, { recursive: true, force: true });
});

type KV = { key: string; value: Record<string, unknown> };
const s = (key: string, v: string): KV => ({ key, value: { stringValue: v } });
const i = (key: string, v: number): KV => ({ key, value: { intValue: String(v) } });
let n = 0;

function body(o: {
  model?: string;
  session?: string;
  batchId?: string | null;
  records: Array<{ attrs?: KV[]; timeMs?: number; seq?: number; event?: string }>;
}) {
  return {
    resourceLogs: [
      {
        resource: { attributes: [s('service.name', 'hardening'), s('ml.model.name', o.model ?? 'penguins'), s('session.id', o.session ?? 'sess-h')] },
        scopeLogs: [
          {
            scope: { name: 'ferryml', attributes: o.batchId === null ? [] : [s('ferryml.batch.id', o.batchId ?? `hb-${n++}`)] },
            logRecords: o.records.map((r) => ({
              timeUnixNano: `${r.timeMs ?? Date.now()}000000`,
              eventName: r.event ?? 'ferryml.predict.summary',
              attributes: [...(r.seq === undefined ? [] : [i('ferryml.seq', r.seq)]), ...(r.attrs ?? [])],
            })),
          },
        ],
      },
    ],
  };
}

async function post(json: unknown, url = c.url, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/v1/logs`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof json === 'string' ? json : JSON.stringify(json),
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

async function records(query: string) {
  const res = await fetch(`${c.url}/api/records?${query}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 200);
  return ((await res.json()) as { records: Array<Record<string, any>> }).records;
}

const count = (where: string, ...args: unknown[]) => (c.store.db!.prepare(`SELECT count(*) AS n FROM logs WHERE ${where}`).get(...args) as { n: number }).n;

test('a non-loopback address needs an ingest key', async () => {
  await assert.rejects(startCollector({ port: 0, host: '0.0.0.0', db: ':memory:', token: TOKEN }), { code: 'INVALID_OPTIONS', message: /--ingest-key/ });
  const open = await startCollector({ port: 0, host: '0.0.0.0', db: ':memory:', token: TOKEN, ingestKey: 'public-key-123' });
  assert.equal((await post(body({ records: [{ seq: 1 }] }), open.url)).status, 401);
  assert.equal((await post(body({ records: [{ seq: 1 }] }), open.url, { 'X-Ferryml-Ingest-Key': 'public-key-123' })).status, 200);
  await open.close();
});

test('every record over a cap (attribute or record): 413 naming the limit, nothing stored', async () => {
  const before = count('1');
  const big = await post(body({ session: 'sess-big', records: [{ seq: 1, attrs: [s('ferryml.note', 'x'.repeat(1_000_000 / 100))] }] }));
  assert.equal(big.status, 413);
  assert.match(big.json.message, /attribute "ferryml.note" is \d+ bytes, over the collector's --max-attribute-bytes limit of 4096/);
  const many = Array.from({ length: 4 }, (_, k) => s(`ferryml.part${k}`, 'y'.repeat(3000)));
  const wide = await post(body({ session: 'sess-big', records: [{ seq: 2, attrs: many }] }));
  assert.equal(wide.status, 413);
  assert.match(wide.json.message, /record is \d+ bytes, over the collector's --max-record-bytes limit of 8192/);
  assert.equal(count('1'), before);
});

test('one oversize record is rejected alone (partialSuccess naming the attribute and limit); its neighbours are stored', async () => {
  const r = await post(
    body({
      session: 'sess-one-big',
      records: [1, 2, 3, 4].map((seq) => ({ seq, attrs: [s('ferryml.note', seq === 2 ? 'z'.repeat(5000) : 'small')] })),
    }),
  );
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(r.json.partialSuccess.rejectedLogRecords, '1');
  assert.match(
    r.json.partialSuccess.errorMessage,
    /logRecords\[1\]: attribute "ferryml.note" is \d+ bytes, over the collector's --max-attribute-bytes limit of 4096/,
  );
  assert.equal(count("session = 'sess-one-big'"), 3);
  // Every record rejected, not all for size: 400 as for any request without a valid record.
  const mixed = await post(
    body({
      session: 'sess-one-big',
      records: [
        { seq: 5, attrs: [s('ferryml.note', 'z'.repeat(5000))] },
        { seq: 6, timeMs: Date.now() + 2 * DAY },
      ],
    }),
  );
  assert.equal(mixed.status, 400);
  assert.match(mixed.json.message, /no valid log records \(2 rejected\)/);
});

test('timestamps outside [now − retention, now + 1 day] are rejected per record', async () => {
  const now = Date.now();
  const r = await post(
    body({
      session: 'sess-time',
      records: [{ seq: 1, timeMs: now - 31 * DAY }, { seq: 2, timeMs: now + 2 * DAY }, { seq: 3, timeMs: Date.UTC(2554, 0, 1) }, { seq: 4 }],
    }),
  );
  assert.equal(r.status, 200);
  assert.equal(r.json.partialSuccess.rejectedLogRecords, '3');
  assert.match(r.json.partialSuccess.errorMessage, /outside the accepted window/);
  assert.equal(count('session = ?', 'sess-time'), 1);
  const all = await post(body({ session: 'sess-time', records: [{ seq: 5, timeMs: now - 40 * DAY }] }));
  assert.equal(all.status, 400);
});

test('a reused batch id with other content is stored, not dropped; a retried batch is stored once', async () => {
  const id = `reused-${Date.now()}`;
  assert.equal((await post(body({ session: 'sess-reuse', batchId: id, records: [{ seq: 1, attrs: [s('ferryml.backend', 'wasm')] }] }))).status, 200);
  assert.equal((await post(body({ session: 'sess-reuse', batchId: id, records: [{ seq: 1, attrs: [s('ferryml.backend', 'wasm')] }] }))).status, 200);
  assert.equal(count('session = ?', 'sess-reuse'), 1, 'the retry is a duplicate');
  assert.equal((await post(body({ session: 'sess-other', batchId: id, records: [{ seq: 1, attrs: [s('ferryml.backend', 'cpu')] }] }))).status, 200);
  assert.equal(count('session = ?', 'sess-other'), 1, 'another client reusing the id keeps its record');
  const health = (await (await fetch(`${c.url}/api/health`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as Record<string, number>;
  assert.ok(health.batchIdConflicts! >= 1);
});

test('dedupe by (session.id, seq): batches without an id, or re-split under new ids, store each record once', async () => {
  for (const batchId of [null, null, 'split-a', 'split-b']) {
    assert.equal((await post(body({ session: 'sess-seq', batchId, records: [{ seq: 7 }, { seq: 8 }] }))).status, 200);
  }
  assert.equal(count('session = ?', 'sess-seq'), 2);
  assert.equal((await records('model=penguins&limit=1000')).filter((r) => r.session === 'sess-seq').length, 2, 'the read API shows each once');
  // Records without ferryml.seq (other OTLP exporters) are not merged by it.
  assert.equal((await post(body({ session: 'sess-noseq', batchId: null, records: [{}, {}] }))).status, 200);
  assert.equal(count('session = ?', 'sess-noseq'), 2);
});

test('a lone UTF-16 surrogate is stored as well-formed text and can be queried by name', async () => {
  const raw = JSON.stringify(body({ model: 'pen\uD800guins', session: 'sess-utf', records: [{ seq: 1, attrs: [s('ferryml.feature', 'bill\uDC00')] }] }));
  assert.match(raw, /\\ud800/, 'the body carries the lone surrogate as JSON escapes it');
  assert.equal((await post(raw)).status, 200);
  const fixed = 'pen\uFFFDguins';
  const got = await records(`model=${encodeURIComponent(fixed)}&limit=10`);
  assert.equal(got.length, 1);
  assert.equal(got[0]!.model, fixed);
  assert.equal(got[0]!.attributes['ferryml.feature'], 'bill\uFFFD');
  const models = (await (await fetch(`${c.url}/api/models`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as { models: Array<{ name: string }> };
  assert.ok(models.models.some((m) => m.name === fixed));
  assert.equal(parseExportRequest(JSON.parse(raw)).groups[0]!.rows[0]!.model, fixed);
});

test('ingest keys bound to model names refuse other models (403)', async () => {
  const k = await startCollector({ port: 0, db: ':memory:', token: TOKEN, ingestKey: 'penguin-key-1=penguins|digits, any-model-key' });
  const key = (v: string) => ({ 'X-Ferryml-Ingest-Key': v });
  assert.equal((await post(body({ model: 'penguins', records: [{ seq: 1 }] }), k.url, key('penguin-key-1'))).status, 200);
  const other = await post(body({ model: 'credit', records: [{ seq: 2 }] }), k.url, key('penguin-key-1'));
  assert.equal(other.status, 403);
  assert.match(other.json.message, /may report on penguins, digits only; .*"credit"/);
  assert.equal((await post(body({ model: 'credit', records: [{ seq: 3 }] }), k.url, key('any-model-key'))).status, 200);
  await k.close();
});

test('a start that fails (a bad rules file, a failing retention delete) leaves the database closed', async () => {
  // SQLite removes the -wal file when the last connection closes: while it exists, the file is open.
  const rulesFile = join(dir, 'bad-rules.json');
  writeFileSync(rulesFile, '{ "rules": [ { "name": "FerrymlErrorRate", "forS": "soon" } ] }');
  const a = join(dir, 'bad-rules.sqlite');
  await assert.rejects(startCollector({ port: 0, db: a, token: TOKEN, alertRules: rulesFile }), { code: 'INVALID_OPTIONS' });
  assert.equal(existsSync(`${a}-wal`), false, 'the store was not left open after a bad rules file');

  const b = join(dir, 'bad-prune.sqlite');
  const store = openStore(b);
  store.db.exec(`INSERT INTO logs (received_ms, time_ms, time_unix_nano, severity, attributes, resource) VALUES (0, 0, '0', 0, '{}', '{}');
    CREATE TRIGGER refuse BEFORE DELETE ON logs BEGIN SELECT RAISE(ABORT, 'retention delete refused'); END;`);
  store.close();
  await assert.rejects(startCollector({ port: 0, db: b, token: TOKEN }), /retention delete refused/);
  assert.equal(existsSync(`${b}-wal`), false, 'the store was not left open after a failing retention delete');
});

test('retention: records older than --retention-days are deleted at start and by prune()', async () => {
  const file = join(dir, 'retention.sqlite');
  const store = openStore(file);
  const now = Date.now();
  const row = (timeMs: number, seq: number) => ({
    timeMs,
    timeUnixNano: `${timeMs}000000`,
    service: 's',
    model: 'penguins',
    version: '1',
    schemaHash: null,
    session: 'sess-old',
    event: 'e',
    severity: 9,
    severityText: null,
    traceId: null,
    spanId: null,
    body: null,
    attributes: '{}',
    resource: '{}',
    seq,
  });
  store.write([{ batchId: undefined, rows: [row(now - 40 * DAY, 1), row(now - 10 * DAY, 2), row(now, 3)] }]);
  store.close();
  const r = await startCollector({ port: 0, db: file, token: TOKEN, retentionDays: 30 });
  const left = () => (r.store.db!.prepare('SELECT seq FROM logs ORDER BY seq').all() as Array<{ seq: number }>).map((x) => x.seq);
  assert.deepEqual(left(), [2, 3], 'the 40-day-old row went at start');
  await r.store.write([{ batchId: undefined, rows: [row(now - 31 * DAY, 4)] }]);
  assert.equal(r.prune(), 1);
  assert.deepEqual(left(), [2, 3]);
  await r.close();
});
