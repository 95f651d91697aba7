// Alert rules without processes: the rules file merges over the defaults (override, disable, add)
// and caller mistakes throw INVALID_OPTIONS naming the rule and field; the state machine goes
// pending → firing after `for`, firing → resolved when the condition stops; `ferryml pack`
// writes the output baseline from golden outputs or --predictions; and every non-drift rule over
// a real collector fed by the SDK's telemetry, evaluated at chosen times (no waiting).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFerryError } from '../../src/errors.js';
import { DEFAULT_RULES, loadRules, mergeRules } from '../../src/node/collector/alerts/rules.js';
import { createAlertEngine } from '../../src/node/collector/alerts/engine.js';
import type { AlertReader } from '../../src/node/collector/alerts/evaluate.js';
import { createAlertState } from '../../src/node/collector/alerts/state.js';
import { parseArgs } from '../../src/node/collector/options.js';
import { packBundle } from '../../src/node/bundle/pack.js';

test('the rules file overrides by name, disables and adds; mistakes name the rule and field', () => {
  const rules = mergeRules({
    rules: [
      { name: 'FerrymlLatencyP95', models: { penguins: 20 } },
      { name: 'FerrymlNoData', disabled: true },
      { name: 'SlowEverywhere', kind: 'latency_p95', threshold: 900, forS: 0, windowS: 60, severity: 'critical' },
    ],
  });
  assert.equal(rules.length, DEFAULT_RULES.length);
  assert.deepEqual(rules.find((r) => r.name === 'FerrymlLatencyP95')?.models, { penguins: 20 });
  assert.equal(rules.find((r) => r.name === 'FerrymlLatencyP95')?.threshold, 250);
  assert.equal(
    rules.some((r) => r.name === 'FerrymlNoData'),
    false,
  );
  assert.equal(rules.find((r) => r.name === 'SlowEverywhere')?.summary, '');
  const mistake = (doc: unknown, pattern: RegExp) =>
    assert.throws(
      () => mergeRules(doc, 'rules.json'),
      (e: unknown) => isFerryError(e) && e.code === 'INVALID_OPTIONS' && pattern.test(e.message),
    );
  mistake([], /expected a JSON object \{ "rules": \[ … \] \}/);
  mistake({ rules: [{ threshold: 1 }] }, /rules\[0\] needs a "name"/);
  mistake({ rules: [{ name: 'New', kind: 'psi' }] }, /rule "New": "kind" must be one of input_psi/);
  mistake({ rules: [{ name: 'FerrymlErrorRate', forS: -1 }] }, /rule "FerrymlErrorRate": "forS" must be a number ≥ 0; got -1/);
  mistake({ rules: [{ name: 'FerrymlErrorRate', severity: 'page' }] }, /"severity" must be critical, warning or info/);
  const dir = mkdtempSync(join(tmpdir(), 'ferryml-rules-'));
  try {
    writeFileSync(join(dir, 'bad.json'), '{ rules: ');
    assert.throws(() => loadRules(join(dir, 'bad.json')), /bad\.json: cannot read the rules file as JSON/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(parseArgs(['--alerts-every', '5', '--webhook', 'http://a/x', '--webhook=http://b/y', '--alertmanager', 'http://am:9093']), {
    alertsEvery: 5,
    webhooks: ['http://a/x', 'http://b/y'],
    alertmanager: 'http://am:9093',
  });
});

test('pending → firing after `for`, firing → resolved when the condition stops; pending that stops is forgotten', () => {
  const rule = { ...DEFAULT_RULES[0]!, forS: 10 };
  const s = createAlertState();
  const cond = (active: boolean, value = 0.4) => [{ rule, model: 'm', version: '1', feature: 'x', value, threshold: 0.25, active }];
  assert.deepEqual(s.update(cond(true), 0), { fired: [], resolved: [] });
  assert.equal(s.pending().length, 1);
  assert.deepEqual(s.update(cond(false), 5_000), { fired: [], resolved: [] });
  assert.equal(s.pending().length, 0);
  s.update(cond(true), 10_000);
  assert.equal(s.update(cond(true, 0.5), 20_000).fired[0]?.startsAt, 20_000);
  assert.equal(s.firing()[0]?.value, 0.5);
  const { resolved } = s.update([], 30_000);
  assert.equal(resolved[0]?.endsAt, 30_000);
  assert.deepEqual(s.firing(), []);
  assert.deepEqual(
    s.recent().map((a) => [a.status, a.labels]),
    [['resolved', { alertname: 'FerrymlInputDrift', model: 'm', version: '1', feature: 'x', severity: 'warning' }]],
  );
});

test('no_data: a firing alert stays firing past the lookback while the version is silent, and resolves when data comes back', async () => {
  const MIN = 60_000;
  // Version 1 went silent at 0; version 2 was last heard of two days before the first evaluation.
  const versions = [
    { version: '1', lastMs: 0 },
    { version: '2', lastMs: -2 * 1440 * MIN },
  ];
  const reader = {
    models: async () => ({ models: [{ name: 'm', versions }] }),
    summary: () => Promise.reject(new Error('not needed')),
  } as unknown as AlertReader;
  const e = createAlertEngine(reader, {
    rules: DEFAULT_RULES.filter((r) => r.kind === 'no_data'),
    everyS: 3600,
    alertmanager: undefined,
    webhooks: [],
    retry: { attempts: 1, baseMs: 1, maxMs: 1, timeoutMs: 1 },
    baseUrl: () => '',
  });
  try {
    const at = async (min: number) => {
      await e.evaluate(min * MIN);
      return [...e.state.firing().map((a) => `firing ${a.labels.version}`), ...e.state.pending().map((a) => `pending ${a.labels.version}`)].join(', ');
    };
    assert.equal(await at(16), 'pending 1');
    assert.equal(await at(26), 'firing 1');
    for (const min of [23 * 60, 24 * 60 + 1, 48 * 60, 30 * 1440]) assert.equal(await at(min), 'firing 1', `still silent after ${min} min`);
    assert.deepEqual(
      e.state.recent().map((a) => a.status),
      ['firing'],
      'no resolved notification while silent',
    );
    versions[0]!.lastMs = 30 * 1440 * MIN;
    assert.equal(await at(30 * 1440 + 1), '', 'data came back: resolved');
    assert.deepEqual(
      e.state.recent().map((a) => a.status),
      ['resolved'],
    );
  } finally {
    e.stop();
  }
});

test('ferryml pack stores the output baseline of the golden outputs, or of --predictions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferryml-pack-baseline-'));
  try {
    const src = 'models/penguins/1.0.0';
    const golden = JSON.parse(readFileSync(join(src, 'golden.json'), 'utf8')) as { outputs: number[][] };
    const base = {
      model: src,
      name: 'penguins',
      schema: join(src, 'schema.json'),
      golden: join(src, 'golden.json'),
      out: dir,
      createdAt: '2026-01-01T00:00:00.000Z',
    };
    const a = await packBundle({ ...base, version: '1.0.0' });
    const ob = a.manifest.outputBaseline!;
    assert.equal(ob.source, 'golden');
    assert.equal(ob.rows, golden.outputs.length);
    assert.deepEqual(
      ob.features.map((f) => f.name),
      ['class', 'confidence'],
    );
    const labels = (a.manifest.output as { labels: string[] }).labels;
    const top = golden.outputs.map((r) => r.indexOf(Math.max(...r)));
    const cls = ob.features[0]!.baseline;
    assert.deepEqual(
      cls.shares,
      labels.map((_, i) => top.filter((t) => t === i).length / top.length),
    );
    writeFileSync(join(dir, 'predictions.json'), JSON.stringify([[1, 0, 0], [1, 0, 0], [0, 0, 1], [NaN, 0, 0].map((v) => (Number.isNaN(v) ? null : v))]));
    const b = await packBundle({ ...base, version: '1.0.1', predictions: join(dir, 'predictions.json') });
    assert.equal(b.manifest.outputBaseline!.source, 'predictions.json');
    assert.deepEqual(b.manifest.outputBaseline!.features[0]!.baseline.shares, [2 / 3, 0, 1 / 3]);
    // null (JSON's NaN) is a non-finite output: missing in the baseline.
    assert.equal(b.manifest.outputBaseline!.features[0]!.baseline.missing, 1 / 4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rules over a real collector: error rate, invalid rows, p95 latency, drops and silence fire after their `for` and resolve', async () => {
  const { startCollector } = await import('../../src/node/collector/main.js');
  const { createTelemetry } = await import('../../src/telemetry/telemetry.js');
  const c = await startCollector({ port: 0, db: ':memory:', token: 'rules-token-123', origins: ['*'], alertsEvery: 3600 });
  try {
    const schema = { formatVersion: 1, columns: [{ name: 'x0', type: 'number', steps: [{ kind: 'passthrough' }] }], features: ['x0'], width: 1 } as never;
    const t = createTelemetry(
      { endpoint: c.url, offline: false, windowMs: 600_000, flushIntervalMs: 600_000 },
      { model: 'rules-m', version: '1.0.0', schemaHash: 'h', schema },
    );
    for (let k = 0; k < 20; k++) t.predicted(10, 400, 'cpu'); // 200 rows at 400 ms
    t.failed('INFERENCE_FAILED');
    t.failed('INFERENCE_FAILED'); // 2 / 22 ≈ 9 % ≥ 5 %
    t.issues(Array.from({ length: 30 }, () => ({ column: 'x0', code: 'TYPE_MISMATCH' as const }))); // 30 / 230 ≈ 13 % ≥ 10 %
    await t.flush();
    await t.dispose();
    // The SDK's drops report, as it sends one after dropping records.
    const drops = {
      resourceLogs: [
        {
          resource: {
            attributes: [
              { key: 'ml.model.name', value: { stringValue: 'rules-m' } },
              { key: 'ml.model.version', value: { stringValue: '1.0.0' } },
            ],
          },
          scopeLogs: [
            {
              scope: { name: 'ferryml' },
              logRecords: [
                {
                  timeUnixNano: `${Date.now()}000000`,
                  eventName: 'ferryml.telemetry.drops',
                  attributes: [
                    { key: 'event.name', value: { stringValue: 'ferryml.telemetry.drops' } },
                    { key: 'ferryml.dropped.queue_full', value: { intValue: '3' } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    assert.equal(
      (await fetch(`${c.url}/v1/logs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(drops) })).status,
      200,
    );

    const now = Date.now() + 1000;
    const firing = () =>
      c.alerts.state
        .firing()
        .map((a) => `${a.labels.alertname}=${Number(a.value.toFixed(4))}`)
        .sort();
    await c.alerts.evaluate(now);
    assert.deepEqual(firing(), ['FerrymlTelemetryDrops=3']);
    assert.deepEqual(
      c.alerts.state
        .pending()
        .map((a) => a.labels.alertname)
        .sort(),
      ['FerrymlErrorRate', 'FerrymlInvalidRows', 'FerrymlLatencyP95'],
    );
    await c.alerts.evaluate(now + 301_000);
    assert.deepEqual(firing(), ['FerrymlErrorRate=0.0909', 'FerrymlInvalidRows=0.1304', 'FerrymlTelemetryDrops=3']);
    await c.alerts.evaluate(now + 601_000);
    assert.ok(
      firing().some((f) => /^FerrymlLatencyP95=\d+/.test(f) && Number(f.split('=')[1]) > 250),
      firing().join(),
    );
    // 1000 s later the records left every 900 s window: resolved; silence starts counting.
    await c.alerts.evaluate(now + 1_000_000);
    assert.deepEqual(firing(), []);
    assert.deepEqual(
      c.alerts.state.pending().map((a) => a.labels.alertname),
      ['FerrymlNoData'],
    );
    await c.alerts.evaluate(now + 1_601_000);
    assert.deepEqual(
      c.alerts.state.firing().map((a) => a.labels),
      [{ alertname: 'FerrymlNoData', model: 'rules-m', version: '1.0.0', feature: '', severity: 'warning' }],
    );
    const recent = c.alerts.state
      .recent()
      .filter((a) => a.status === 'resolved')
      .map((a) => a.labels.alertname)
      .sort();
    assert.deepEqual(recent, ['FerrymlErrorRate', 'FerrymlInvalidRows', 'FerrymlLatencyP95', 'FerrymlTelemetryDrops']);
    // A day after it last reported the version is still silent: the alert keeps firing (it is
    // not "resolved" because the silence outlasted the lookback).
    await c.alerts.evaluate(now + 90_000_000);
    assert.deepEqual(
      c.alerts.state.firing().map((a) => a.labels.alertname),
      ['FerrymlNoData'],
    );
  } finally {
    await c.close();
  }
});
