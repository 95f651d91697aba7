// ClickHouse deduplicates what SQLite deduplicates, by the same rules: a retried batch whose
// untimed records the collector re-stamped counts once (both drop it by batch id and content at
// write time), records with a seq but no session (two clients) are not one record, and seq-less
// records of one batch are each their own record, even when they differ only in time or not at all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { get, post, startPair } from './support/store-parity.js';

const MODEL = 'dedupe-keys';
let pair: Awaited<ReturnType<typeof startPair>>;

before(async () => {
  pair = await startPair('dedupekeys');
});
after(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- after() runs even when before() failed before assigning it
  await pair?.close();
});

const s = (key: string, v: string) => ({ key, value: { stringValue: v } });
const i = (key: string, v: number) => ({ key, value: { intValue: String(v) } });

/** One error record: no time (the collector stamps it), no session; a seq and a batch id if given. */
function body(o: { batchId?: string; seq?: number; code: string }) {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [s('ml.model.name', MODEL)] },
        scopeLogs: [
          {
            scope: { attributes: o.batchId === undefined ? [] : [s('ferryml.batch.id', o.batchId)] },
            logRecords: [
              {
                eventName: 'ferryml.predict.error',
                attributes: [...(o.seq === undefined ? [] : [i('ferryml.seq', o.seq)]), s('ferryml.error.code', o.code), i('ferryml.error.count', 1)],
              },
            ],
          },
        ],
      },
    ],
  });
}

test('dedupe keys: a re-stamped retry counts once, a seq without a session is not a key (SQLite and chdb agree)', async () => {
  const counts: Record<string, unknown> = {};
  for (const c of [pair.sqlite, pair.ch]) {
    // The same batch twice, 5 ms apart: its untimed record gets another time on the retry.
    assert.equal((await post(c, body({ batchId: 'retry-1', code: 'RETRIED' }))).status, 200);
    await new Promise((r) => setTimeout(r, 5));
    assert.equal((await post(c, body({ batchId: 'retry-1', code: 'RETRIED' }))).status, 200);
    // Two clients without a session id, each with its seq 1: two records.
    assert.equal((await post(c, body({ batchId: 'client-a', seq: 1, code: 'NO_SESSION' }))).status, 200);
    assert.equal((await post(c, body({ batchId: 'client-b', seq: 1, code: 'NO_SESSION' }))).status, 200);
    const summary = await get(c, `/api/summary?model=${MODEL}&from=${Date.now() - 3_600_000}&to=${Date.now() + 60_000}`);
    counts[c.store.kind] = (summary.body.predictions as { errorsByCode: Record<string, number> }).errorsByCode;
  }
  assert.deepEqual(counts, { sqlite: { RETRIED: 1, NO_SESSION: 2 }, chdb: { RETRIED: 1, NO_SESSION: 2 } });
});

/** One batch of seq-less error records (no session), each `[code, time ms or undefined]`. */
function batch(batchId: string, records: Array<[string, number | undefined]>) {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [s('ml.model.name', MODEL)] },
        scopeLogs: [
          {
            scope: { attributes: [s('ferryml.batch.id', batchId)] },
            logRecords: records.map(([code, ms]) => ({
              ...(ms === undefined ? {} : { timeUnixNano: `${ms}000000` }),
              eventName: 'ferryml.predict.error',
              attributes: [s('ferryml.error.code', code), i('ferryml.error.count', 1)],
            })),
          },
        ],
      },
    ],
  });
}

test('dedupe keys: seq-less records of one batch that differ only in time, or not at all, stay apart on both stores', async () => {
  const t = Date.now() - 60_000;
  const one = batch('in-batch', [
    ['TIMED', t],
    ['TIMED', t + 1],
    ['TIMED', t + 2],
    ['UNTIMED', undefined], // both stamped with the same arrival time: identical rows
    ['UNTIMED', undefined],
  ]);
  const other = batch('in-batch', [['CONFLICT', t]]);
  const counts: Record<string, unknown> = {};
  for (const c of [pair.sqlite, pair.ch]) {
    assert.equal((await post(c, one)).status, 200);
    await new Promise((r) => setTimeout(r, 5));
    assert.equal((await post(c, one)).status, 200, 'a retry (its untimed records re-stamped): a duplicate');
    assert.equal((await post(c, other)).status, 200, 'the same batch id with other content: stored');
    const summary = await get(c, `/api/summary?model=${MODEL}&from=${t - 3_600_000}&to=${Date.now() + 60_000}`);
    const errors = (summary.body.predictions as { errorsByCode: Record<string, number> }).errorsByCode;
    const records = (await get(c, `/api/records?model=${MODEL}&event=ferryml.predict.error&limit=1000`)).body.records as Array<{
      attributes: Record<string, unknown>;
    }>;
    const health = (await get(c, '/api/health')).body;
    counts[c.store.kind] = {
      TIMED: errors.TIMED,
      UNTIMED: errors.UNTIMED,
      CONFLICT: errors.CONFLICT,
      records: records.filter((r) => ['TIMED', 'UNTIMED', 'CONFLICT'].includes(String(r.attributes['ferryml.error.code']))).length,
      batchIdConflicts: health.batchIdConflicts,
    };
  }
  const expected = { TIMED: 3, UNTIMED: 2, CONFLICT: 1, records: 6, batchIdConflicts: 1 };
  assert.deepEqual(counts, { sqlite: expected, chdb: expected });
});
