// Alert rules without processes: the rules file merges over the defaults (override, disable, add)
// and caller mistakes throw INVALID_OPTIONS naming the rule and field; the state machine goes
// pending → firing after `for`, firing → resolved when the condition stops; `ferryml pack`
// writes the output baseline from golden outputs or --predictions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFerryError } from '../../src/errors.js';
import { DEFAULT_RULES, loadRules, mergeRules } from '../../src/node/collector/alerts/rules.js';
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
  assert.equal(rules.some((r) => r.name === 'FerrymlNoData'), false);
  assert.equal(rules.find((r) => r.name === 'SlowEverywhere')?.summary, '');
  const mistake = (doc: unknown, pattern: RegExp) =>
    assert.throws(() => mergeRules(doc, 'rules.json'), (e: unknown) => isFerryError(e) && e.code === 'INVALID_OPTIONS' && pattern.test(e.message));
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

test('ferryml pack stores the output baseline of the golden outputs, or of --predictions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferryml-pack-baseline-'));
  try {
    const src = 'models/penguins/1.0.0';
    const golden = JSON.parse(readFileSync(join(src, 'golden.json'), 'utf8')) as { outputs: number[][] };
    const base = { model: src, name: 'penguins', schema: join(src, 'schema.json'), golden: join(src, 'golden.json'), out: dir, createdAt: '2026-01-01T00:00:00.000Z' };
    const a = await packBundle({ ...base, version: '1.0.0' });
    const ob = a.manifest.outputBaseline!;
    assert.equal(ob.source, 'golden');
    assert.equal(ob.rows, golden.outputs.length);
    assert.deepEqual(ob.features.map((f) => f.name), ['class', 'confidence']);
    const labels = (a.manifest.output as { labels: string[] }).labels;
    const top = golden.outputs.map((r) => r.indexOf(Math.max(...r)));
    const cls = ob.features[0]!.baseline;
    assert.deepEqual(cls.shares, labels.map((_, i) => top.filter((t) => t === i).length / top.length));
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
