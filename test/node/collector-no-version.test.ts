// Records sent without a model version are a version of their own ("no version"), not "all
// versions": /metrics, the alert rules and `GET /api/summary?version=` read only them, on SQLite
// and on ClickHouse (embedded chdb), while a request without `version` still reads every version.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Collector } from '../../src/node/collector/main.js';
import { TOKEN, get, post, startPair } from './support/store-parity.js';

const MODEL = 'no-version';
let pair: Awaited<ReturnType<typeof startPair>>;

before(async () => {
  pair = await startPair('noversion');
});
after(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- after() runs even when before() failed before assigning it
  await pair?.close();
});

const s = (key: string, v: string) => ({ key, value: { stringValue: v } });
const i = (key: string, v: number) => ({ key, value: { intValue: String(v) } });

/** `errors` failed calls and `calls` good ones from one session of `version` (null: none sent). */
function body(version: string | null, session: string, errors: number, calls: number) {
  const t = `${Date.now() - 60_000}000000`;
  let seq = 0;
  const logRecords = [
    ...Array.from({ length: errors }, () => ({
      timeUnixNano: t,
      eventName: 'ferryml.predict.error',
      attributes: [i('ferryml.seq', seq++), s('ferryml.error.code', 'BOOM'), i('ferryml.error.count', 1)],
    })),
    ...Array.from({ length: calls ? 1 : 0 }, () => ({
      timeUnixNano: t,
      eventName: 'ferryml.predict.summary',
      attributes: [i('ferryml.seq', seq++), s('ferryml.backend', 'cpu'), i('ferryml.predict.calls', calls), i('ferryml.predict.rows', calls)],
    })),
  ];
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [s('ml.model.name', MODEL), s('session.id', session), ...(version === null ? [] : [s('ml.model.version', version)])] },
        scopeLogs: [{ logRecords }],
      },
    ],
  });
}

async function metricLines(c: Collector, name: string) {
  const res = await fetch(`${c.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  return (await res.text()).split('\n').filter((l) => l.startsWith(`${name}{model="${MODEL}"`));
}

test('records without a version: their own /metrics row and alerts, `version=` reads only them, no `version` reads all (SQLite and chdb)', async () => {
  for (const c of [pair.sqlite, pair.ch]) {
    const kind = c.store.kind;
    // Version 1.0 fails every call; the records without a version only succeed.
    assert.equal((await post(c, body('1.0', 'A', 10, 0))).status, 200);
    assert.equal((await post(c, body(null, 'B', 0, 5))).status, 200);

    assert.deepEqual(
      await metricLines(c, 'ferryml_predict_errors_total'),
      [`ferryml_predict_errors_total{model="${MODEL}",version="1.0",code="BOOM"} 10`],
      `${kind}: the no-version row does not count version 1.0's errors`,
    );
    assert.deepEqual(
      (await metricLines(c, 'ferryml_predict_calls_total')).sort(),
      [`ferryml_predict_calls_total{model="${MODEL}",version=""} 5`, `ferryml_predict_calls_total{model="${MODEL}",version="1.0"} 0`],
      kind,
    );

    await c.alerts.evaluate();
    const errorAlerts = [...c.alerts.state.firing(), ...c.alerts.state.pending()]
      .filter((a) => a.labels.model === MODEL && a.labels.alertname === 'FerrymlErrorRate')
      .map((a) => `${a.labels.version}=${a.value}`);
    assert.deepEqual(errorAlerts, ['1.0=1'], `${kind}: no duplicate alert for version ""`);

    const range = `model=${MODEL}&from=${Date.now() - 3_600_000}&to=${Date.now() + 60_000}`;
    const none = (await get(c, `/api/summary?${range}&version=`)).body.predictions as { calls: number; errors: number };
    assert.deepEqual([none.calls, none.errors], [5, 0], `${kind}: version= selects the records without a version`);
    const all = (await get(c, `/api/summary?${range}`)).body.predictions as { calls: number; errors: number };
    assert.deepEqual([all.calls, all.errors], [5, 10], `${kind}: no version parameter reads every version`);
    const one = (await get(c, `/api/summary?${range}&version=1.0`)).body.predictions as { calls: number; errors: number };
    assert.deepEqual([one.calls, one.errors], [0, 10], kind);
  }
});
