// Alert state survives a collector restart, on SQLite and on ClickHouse (chdb): a collector fires
// and resolves alerts, stops; a new collector on the same store resumes — the firing alert stays
// firing with its original startsAt (and Alertmanager gets it as such, not resolved, not re-fired),
// the pending one keeps the time its condition started holding, the resolved one is not resolved
// again. Evaluations are driven explicitly at chosen instants (the timer is set to an hour), so
// nothing sleeps. Also: a SQLite file from before the alert state (schema v3) is upgraded, and a
// saved state this collector cannot read stops the start with DATA_INVALID.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startCollector } from '../../src/node/collector/main.js';
import type { Collector, CollectorOptions } from '../../src/node/collector/main.js';
import { DEFAULT_RULES } from '../../src/node/collector/alerts/rules.js';
import { MIGRATIONS } from '../../src/node/collector/migrations.js';
import { openSqliteStore } from '../../src/node/collector/sqlite-store.js';

type Alerting = typeof import('../server/alerting.mjs');
const { startReceiver } = (await import(new URL('../server/alerting.mjs', import.meta.url).href)) as Alerting;

const TOKEN = 'alert-state-token';
const MODEL = 'restart-model';
const S = 1000;
const dir = mkdtempSync(join(tmpdir(), 'ferryml-alert-state-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Only FerrymlNoData: a version silent for 900 s is pending, after 600 s more firing.
const rules = join(dir, 'rules.json');
writeFileSync(
  rules,
  JSON.stringify({
    rules: DEFAULT_RULES.map((r) => (r.name === 'FerrymlNoData' ? { name: r.name, forS: 600, windowS: 900 } : { name: r.name, disabled: true })),
  }),
);

const s = (key: string, v: string) => ({ key, value: { stringValue: v } });

/** One record of `version` at `ms`. */
async function post(c: Collector, version: string, ms: number): Promise<void> {
  const body = {
    resourceLogs: [
      {
        resource: { attributes: [s('ml.model.name', MODEL), s('ml.model.version', version)] },
        scopeLogs: [{ scope: { attributes: [] }, logRecords: [{ timeUnixNano: `${ms}000000`, eventName: 'ferryml.model.load', attributes: [] }] }],
      },
    ],
  };
  const res = await fetch(`${c.url}/v1/logs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(res.status, 200, await res.text());
}

type AmAlert = { labels: Record<string, string>; startsAt: string; endsAt: string };
type Snapshot = Array<{ status: string; labels: Record<string, string>; activeSince: number; startsAt?: number; endsAt?: number }>;

const stores: Array<{ name: string; options: (tag: string) => CollectorOptions }> = [
  { name: 'SQLite', options: (tag) => ({ db: join(dir, `${tag}.sqlite`) }) },
  // chdb holds one data directory per process: every chdb test here uses it, each its own database.
  { name: 'chdb', options: (tag) => ({ store: 'chdb', chdbPath: join(dir, 'chdb'), clickhouseDatabase: tag }) },
];

for (const store of stores) {
  test(`${store.name}: a restarted collector resumes firing and pending alerts; Alertmanager sees no resolve and no new startsAt`, async () => {
    const am = await startReceiver();
    const hook = await startReceiver();
    const options: CollectorOptions = {
      port: 0,
      token: TOKEN,
      alertRules: rules,
      alertsEvery: 3600,
      alertmanager: am.url,
      webhooks: [hook.url],
      ...store.options(`restart_${store.name.toLowerCase()}`),
    };
    const t0 = Math.floor(Date.now() / S) * S - 3 * 3600 * S;
    const at = (sec: number) => t0 + sec * S;
    const iso = (sec: number) => new Date(at(sec)).toISOString();
    const v = (a: { labels: Record<string, string> }) => a.labels.version;
    const key = (a: AmAlert) => `${v(a)} ${a.startsAt}`;
    let c = await startCollector(options);
    try {
      await post(c, '1', at(0));
      await post(c, '3', at(0));
      await post(c, '2', at(1500));
      await c.alerts.evaluate(at(1000)); // 1 and 3 silent: pending
      await c.alerts.evaluate(at(1700)); // 1 and 3 firing since 1700
      await post(c, '3', at(1800)); // 3 reports again
      await c.alerts.evaluate(at(2500)); // 3 resolves; 2 silent: pending since 2500
      await c.alerts.idle();
      const before = am.bodies.map((b) => (b.body as AmAlert[]).map(key).sort());
      assert.deepEqual(before, [
        [`1 ${iso(1700)}`, `3 ${iso(1700)}`],
        [`1 ${iso(1700)}`, `3 ${iso(1700)}`],
      ]);
      const lastBefore = am.bodies[1]!.body as AmAlert[];
      assert.equal(lastBefore.find((a) => v(a) === '3')!.endsAt, iso(2500), 'version 3 resolved at 2500');
      await c.close();

      c = await startCollector(options);
      // Before any evaluation, the resumed state: as the old collector left it.
      const res = await fetch(`${c.url}/api/alerts`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      const list = (await res.json()) as { firing: Snapshot; pending: Snapshot; recent: Snapshot };
      assert.deepEqual(
        list.firing.map((a) => [v(a), a.startsAt]),
        [['1', at(1700)]],
      );
      assert.deepEqual(
        list.pending.map((a) => [v(a), a.activeSince]),
        [['2', at(2500)]],
      );
      assert.deepEqual(
        list.recent.map((a) => [v(a), a.status, a.endsAt ?? null]),
        [
          ['3', 'resolved', at(2500)],
          ['1', 'firing', null],
        ],
      );
      assert.equal(c.alerts.health().firing, 1);

      // The first evaluation after the restart renews version 1 as it was (startsAt 1700) and
      // resolves nothing; 2 is not firing yet (pending since 2500, not since 2600).
      await c.alerts.evaluate(at(2600));
      await c.alerts.idle();
      assert.equal(am.bodies.length, 3);
      const renewed = am.bodies[2]!.body as AmAlert[];
      assert.deepEqual(renewed.map(key), [`1 ${iso(1700)}`]);
      assert.ok(Date.parse(renewed[0]!.endsAt) > at(2600), 'renewed as firing (endsAt ahead), not resolved');
      assert.equal(hook.bodies.length, 2, 'the webhook was told nothing new (nothing fired or resolved)');

      // 2 fires 600 s after it started holding before the restart: at 3150, not 3200.
      await c.alerts.evaluate(at(3150));
      await c.alerts.idle();
      assert.deepEqual((am.bodies[3]!.body as AmAlert[]).map(key).sort(), [`1 ${iso(1700)}`, `2 ${iso(3150)}`]);
      const told = hook.bodies.map((b) => (b.body as { alerts: Array<AmAlert & { status: string }> }).alerts.map((a) => `${a.status} ${v(a)}`).sort());
      assert.deepEqual(told, [['firing 1', 'firing 3'], ['resolved 3'], ['firing 2']]);
    } finally {
      await c.close();
      await Promise.all([am.stop(), hook.stop()]);
    }
  });
}

test('SQLite: a v3 database (before the alert state) is upgraded in place, its records kept', async () => {
  const file = join(dir, 'v3.sqlite');
  const db = new Database(file);
  for (const m of MIGRATIONS.filter((x) => x.version <= 3)) db.exec(m.sql);
  db.pragma('user_version = 3');
  db.prepare(
    `INSERT INTO logs (received_ms, time_ms, time_unix_nano, model, event, severity, attributes, resource) VALUES (1, 1, '1000000', 'm', 'e', 9, '{}', '{}')`,
  ).run();
  db.close();
  const store = openSqliteStore(file);
  try {
    assert.equal(store.schemaVersion(), 4);
    assert.equal((store.db!.prepare('SELECT count(*) AS n FROM logs').get() as { n: number }).n, 1);
    assert.equal(await store.loadAlertState(), null);
    await store.saveAlertState('{"a":1}');
    await store.saveAlertState('{"a":2}');
    assert.equal(await store.loadAlertState(), '{"a":2}');
  } finally {
    await store.close();
  }
});

test('a saved alert state this collector cannot read stops the start with DATA_INVALID, saying what to do', async () => {
  const file = join(dir, 'corrupt.sqlite');
  const store = openSqliteStore(file);
  await store.saveAlertState('{"version":9,"live":[],"recent":[]}');
  await store.close();
  await assert.rejects(startCollector({ port: 0, token: TOKEN, db: file }), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'DATA_INVALID');
    assert.match(e.message, /saved alert state cannot be read \(format version 9, this collector reads 1\).*upgrade.*DELETE FROM alert_state/);
    return true;
  });
});
