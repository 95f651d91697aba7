// Alerts end to end in Node, with real parts: the SDK's telemetry (createTelemetry, the schema's
// transform hook, output windows) posting to a real collector over loopback HTTP, evaluating its
// rules every second; a real Alertmanager (Debian's prometheus-alertmanager 0.25) receiving the
// alerts and notifying a webhook; ferryml's own webhooks (one healthy, one failing and slow);
// and a real Prometheus (Debian's 2.42) scraping /metrics, checked with promtool and PromQL.
// Short windows keep it bounded: drift windows of 3 s, evaluation every 1 s.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileSchema } from '../../src/entries/schema.js';
import type { Schema } from '../../src/index.js';
import { computeOutputBaseline } from '../../src/model/output-baseline.js';
import { startCollector } from '../../src/node/collector/main.js';
import type { Collector } from '../../src/node/collector/main.js';
import { numericBaseline } from '../../src/schema/baseline.js';
import { createTelemetry } from '../../src/telemetry/telemetry.js';
import type { Telemetry } from '../../src/telemetry/types.js';
import { seededRandom as prng } from '../../training/random.js';

type Alerting = typeof import('../server/alerting.mjs');
const { startAlertmanager, startPrometheus, startReceiver } = (await import(new URL('../server/alerting.mjs', import.meta.url).href)) as Alerting;

const TOKEN = 'alerts-test-admin-token';
const MODEL = 'alerts-node';
const LABELS = ['a', 'b', 'c'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value (or fails after `ms` with `what`). */
async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

// One numeric input x0 ~ U(-1, 1) in training; the "model" answers by x0's tercile, so shifted
// inputs (x0 + 5) collapse every answer to class c with confidence ~1.
const rnd = prng(11);
const train = Array.from({ length: 2000 }, () => rnd() * 2 - 1);
const schema = {
  formatVersion: 1,
  columns: [{ name: 'x0', type: 'number', steps: [{ kind: 'passthrough' }], baseline: numericBaseline(train, 0) }],
  features: ['x0'],
  width: 1,
} as unknown as Schema;
const compiled = compileSchema(schema);
const answer = (x: number): number[] => (x < -1 / 3 ? [0.7, 0.2, 0.1] : x < 1 / 3 ? [0.15, 0.7, 0.15] : x < 2 ? [0.1, 0.2, 0.7] : [0.001, 0.001, 0.998]);
const outputBaseline = computeOutputBaseline(train.map(answer), { kind: 'classification', labels: LABELS }, 'training');

/** `n` rows through the SDK's transform hook and output window, 50 per batch, as the runtime reports them. */
function traffic(t: Telemetry, n: number, shift: number, out: (x: number) => number[] = answer) {
  const buf = new Float32Array(50);
  for (let i = 0; i < n; i += 50) {
    const rows = Array.from({ length: 50 }, () => ({ x0: rnd() * 2 - 1 + shift }));
    compiled.transformInto(rows, buf, t.observe);
    t.outputs(Float32Array.from(rows.flatMap((r) => out(r.x0))), 50, 3);
    t.predicted(50, 0.5 + (i % 7) * 0.1, 'cpu');
  }
}

const telemetry = (version: string) =>
  createTelemetry(
    { endpoint: c.url, offline: false, windowMs: 600_000, flushIntervalMs: 600_000, driftMinRows: 50 },
    { model: MODEL, version, schemaHash: 'h', schema, output: { kind: 'classification', labels: LABELS }, outputBaseline },
  );

let c: Collector;
let am: Awaited<ReturnType<Alerting['startAlertmanager']>>;
let prom: Awaited<ReturnType<Alerting['startPrometheus']>>;
let amHook: Awaited<ReturnType<Alerting['startReceiver']>>;
let hook: Awaited<ReturnType<Alerting['startReceiver']>>;
let failing: Awaited<ReturnType<Alerting['startReceiver']>>;
const failingOpen = 0;
const dir = mkdtempSync(join(tmpdir(), 'ferryml-alerts-'));

const api = async (path: string) => {
  const res = await fetch(`${c.url}${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  return res.json();
};
type AmAlert = { labels: Record<string, string>; annotations: Record<string, string>; status: { state: string } };
const amAlerts = async (): Promise<AmAlert[]> => (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as AmAlert[];

before(async () => {
  amHook = await startReceiver();
  hook = await startReceiver();
  // Answers 503 after 1.5 s each time: slow and failing, so its retries overlap ingest.
  failing = await startReceiver(() => 503);
  const slow = failing.bodies;
  void slow;
  am = await startAlertmanager(amHook.url);
  const rules = join(dir, 'rules.json');
  writeFileSync(
    rules,
    JSON.stringify({
      rules: [
        { name: 'FerrymlInputDrift', forS: 1, windowS: 3 },
        { name: 'FerrymlOutputDrift', forS: 1, windowS: 3 },
        { name: 'FerrymlStrangeOutputs', windowS: 3 },
        { name: 'FerrymlNoData', disabled: true },
        { name: 'FerrymlLatencyP95', models: { [MODEL]: 1000 } },
      ],
    }),
  );
  c = await startCollector({
    port: 0,
    db: join(dir, 'telemetry.sqlite'),
    token: TOKEN,
    origins: ['*'],
    alertmanager: am.url,
    webhooks: [hook.url, failing.url],
    alertsEvery: 1,
    alertRules: rules,
    notifyRetryMs: 200,
  });
  prom = await startPrometheus(new URL(c.url).host, TOKEN);
});

after(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- after() runs even when before() failed before assigning it
  await c?.close();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- after() runs even when before() failed before assigning it
  await Promise.all([am?.stop(), prom?.stop(), amHook?.stop(), hook?.stop(), failing?.stop()]);
  rmSync(dir, { recursive: true, force: true });
  void failingOpen;
});

describe('alerts: SDK telemetry → collector rules → Alertmanager, webhooks, Prometheus', () => {
  it('input and output drift fire in Alertmanager with model, version, feature and severity, then resolve on normal traffic', async () => {
    const t = telemetry('1.0.0');
    traffic(t, 400, 0);
    await t.flush();
    const calm = await api(`/api/summary?model=${MODEL}&version=1.0.0`);
    assert.ok(
      calm.outputDrift.every((d: { psi: number }) => d.psi < 0.1),
      `normal traffic scores low output PSI: ${JSON.stringify(calm.outputDrift.map((d: any) => [d.feature, d.psi]))}`,
    );
    await sleep(3500); // let the normal window leave the rules' 3 s window

    traffic(t, 400, 5);
    await t.flush();
    // The drift goes on (as it does in production until someone acts) while the alerts wait out
    // their `for` and Alertmanager its group_wait: a drift that ended within the rules' 3 s window
    // would resolve before Alertmanager's first notification, and it notifies nothing then.
    const drifting = async () => {
      traffic(t, 100, 5);
      await t.flush();
    };
    const firing = await until('both drift alerts in Alertmanager', async () => {
      await drifting();
      const list = (await amAlerts()).filter((a) => a.labels.model === MODEL && a.status.state === 'active');
      const names = new Set(list.map((a) => `${a.labels.alertname}/${a.labels.feature}`));
      return names.has('FerrymlInputDrift/x0') && names.has('FerrymlOutputDrift/class') ? list : undefined;
    });
    const input = firing.find((a) => a.labels.alertname === 'FerrymlInputDrift')!;
    assert.deepEqual(input.labels, { alertname: 'FerrymlInputDrift', model: MODEL, version: '1.0.0', feature: 'x0', severity: 'warning' });
    assert.ok(Number(input.annotations.value) >= 0.25 && input.annotations.threshold === '0.2500', JSON.stringify(input.annotations));
    assert.match(input.annotations.dashboard!, /\/dashboard#model=alerts-node&version=1\.0\.0$/);
    const output = firing.find((a) => a.labels.alertname === 'FerrymlOutputDrift' && a.labels.feature === 'class')!;
    assert.equal(output.labels.version, '1.0.0');
    assert.equal(t.stats().lastOutputDrift.class?.status, 'alert');

    // Alertmanager itself notified (its webhook receiver), grouped per alert. Both firing
    // notifications before traffic returns: Alertmanager notifies a resolution only for an alert it
    // notified as firing, and holds a group's first notification for group_wait.
    await until('Alertmanager notifies firing', async () => {
      await drifting();
      const sent = amHook.bodies
        .filter((b: any) => b.body.status === 'firing')
        .map((b: any) => `${b.body.commonLabels?.alertname}/${b.body.commonLabels?.feature}`);
      return sent.includes('FerrymlInputDrift/x0') && sent.includes('FerrymlOutputDrift/class');
    });

    // Traffic returns to normal: once the shifted rows leave the 3 s window, PSI is low again.
    const end = Date.now() + 12_000;
    while (Date.now() < end) {
      traffic(t, 150, 0);
      await t.flush();
      const resolved = amHook.bodies
        .filter((b: any) => b.body.status === 'resolved')
        .map((b: any) => `${b.body.commonLabels.alertname}/${b.body.commonLabels.feature}`);
      if (resolved.includes('FerrymlInputDrift/x0') && resolved.includes('FerrymlOutputDrift/class')) break;
      await sleep(700);
    }
    const resolved = amHook.bodies
      .filter((b: any) => b.body.status === 'resolved')
      .map((b: any) => `${b.body.commonLabels.alertname}/${b.body.commonLabels.feature}`);
    assert.ok(
      resolved.includes('FerrymlInputDrift/x0') && resolved.includes('FerrymlOutputDrift/class'),
      `resolved notifications: ${JSON.stringify(resolved)}`,
    );
    const still = (await amAlerts()).filter((a) => a.labels.model === MODEL && (a.labels.alertname ?? '').endsWith('Drift') && a.status.state === 'active');
    assert.deepEqual(still, [], 'Alertmanager lists no active drift alert after resolve');
    const list = await api('/api/alerts');
    assert.ok(list.recent.some((a: any) => a.status === 'resolved' && a.labels.alertname === 'FerrymlInputDrift'));
    await t.dispose();
  });

  it('webhooks get the documented payload; a failing one is retried, shown in /api/health, and ingest is unaffected', async () => {
    const fired = hook.bodies
      .map((b: any) => b.body)
      .filter((b: any) => b.alerts.some((a: any) => a.labels.alertname === 'FerrymlInputDrift' && a.status === 'firing'));
    assert.ok(fired.length >= 1, 'the healthy webhook got the input drift alert');
    const p = fired[0];
    assert.deepEqual(Object.keys(p).sort(), ['alerts', 'collector', 'sentAt', 'source', 'version']);
    assert.equal(p.version, '1');
    assert.equal(p.source, 'ferryml-collector');
    assert.equal(p.collector, c.url);
    const a = p.alerts.find((x: any) => x.labels.alertname === 'FerrymlInputDrift');
    assert.deepEqual(Object.keys(a).sort(), ['dashboardUrl', 'endsAt', 'labels', 'startsAt', 'status', 'summary', 'threshold', 'value']);
    assert.deepEqual(a.labels, { alertname: 'FerrymlInputDrift', model: MODEL, version: '1.0.0', feature: 'x0', severity: 'warning' });
    assert.ok(a.value >= 0.25 && a.threshold === 0.25 && a.endsAt === null && !Number.isNaN(Date.parse(a.startsAt)));
    assert.ok(
      hook.bodies.some((b: any) =>
        b.body.alerts.some((x: any) => x.status === 'resolved' && x.labels.alertname === 'FerrymlInputDrift' && Date.parse(x.endsAt) > 0),
      ),
    );

    // The failing receiver got every payload several times (retries), and health says so.
    const health = await api('/api/health');
    const bad = health.alerts.receivers.find((r: any) => r.url === failing.url);
    assert.ok(failing.bodies.length >= 2 * hook.bodies.length, `failing receiver tries ${failing.bodies.length}, healthy payloads ${hook.bodies.length}`);
    assert.ok(bad.retries >= 1 && bad.failed >= 1 && /HTTP 503/.test(bad.lastError), JSON.stringify(bad));
    const good = health.alerts.receivers.find((r: any) => r.url === hook.url);
    assert.equal(good.failed, 0);
    assert.ok(health.alerts.evaluations > 5 && health.alerts.lastError === null, JSON.stringify(health.alerts));

    // Ingest while the failing receiver is being retried: accepted and readable at once.
    const t = telemetry('1.0.1');
    traffic(t, 100, 5);
    await t.flush();
    await until(
      'a new fired alert being retried',
      async () => (await api('/api/health')).alerts.receivers.find((r: any) => r.url === failing.url).queued > 0,
      15_000,
    );
    const before = (await api('/api/health')).accepted;
    traffic(t, 100, 0);
    await t.flush();
    assert.equal(t.stats().dropped.rejected, 0);
    const after = await api('/api/health');
    assert.ok(after.accepted > before, 'records accepted while the receiver fails');
    assert.ok(
      after.alerts.receivers.find((r: any) => r.url === failing.url).queued > 0 ||
        after.alerts.receivers.find((r: any) => r.url === failing.url).failed > bad.failed,
    );
    await t.dispose();
  });

  it('strange outputs (NaN, constant) are counted and alerted; /metrics passes promtool and Prometheus answers the prediction rate', async () => {
    const t = telemetry('2.0.0');
    traffic(t, 100, 0, () => [NaN, NaN, NaN]);
    await t.flush();
    traffic(t, 100, 0, () => [0.2, 0.3, 0.5]);
    await t.flush();
    assert.deepEqual(t.stats().strangeOutputs, { NON_FINITE: 100, CONSTANT: 200 });
    const s = await api(`/api/summary?model=${MODEL}&version=2.0.0`);
    assert.deepEqual(s.strangeOutputs, { NON_FINITE: 100, CONSTANT: 200 });
    await until('strange output alerts', async () => {
      const f = (await api('/api/alerts')).firing.filter((a: any) => a.labels.alertname === 'FerrymlStrangeOutputs' && a.labels.version === '2.0.0');
      return f.length === 2;
    });

    const res = await fetch(`${c.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assert.match(text, /ferryml_strange_outputs_total\{model="alerts-node",version="2.0.0",code="NON_FINITE"\} 100/);
    assert.match(text, /ferryml_predictions_total\{model="alerts-node",version="2.0.0"\} 200/);
    assert.match(text, /ferryml_predict_latency_seconds_bucket\{model="alerts-node",version="2.0.0",le="\+Inf"\} 4/);
    assert.match(text, /ferryml_input_psi\{model="alerts-node",version="2.0.0",feature="x0"\} /);
    assert.equal((await fetch(`${c.url}/metrics`)).status, 401);
    const check = spawnSync(prom.promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(check.status, 0, `promtool check metrics:\n${check.stdout}${check.stderr}`);

    // Prometheus scrapes every second; more predictions make the counter rise between scrapes.
    const q = encodeURIComponent(`sum(rate(ferryml_predictions_total{model="${MODEL}",version="2.0.0"}[10s]))`);
    const rate = await until(
      'a positive PromQL prediction rate',
      async () => {
        traffic(t, 50, 0);
        await t.flush();
        const r = (await (await fetch(`${prom.url}/api/v1/query?query=${q}`)).json()) as { data: { result: Array<{ value: [number, string] }> } };
        const v = Number(r.data.result[0]?.value[1] ?? 0);
        return v > 0 ? v : undefined;
      },
      40_000,
    );
    assert.ok(rate > 0);
    const up = (await (await fetch(`${prom.url}/api/v1/query?query=up`)).json()) as { data: { result: Array<{ value: [number, string] }> } };
    assert.equal(up.data.result[0]?.value[1], '1', 'the scrape with the bearer token succeeds');
    await t.dispose();
  });
});
