// Output monitoring and alerts from real predictions in Chromium: loadModel on bundles made in
// the page (a 1 → 3 softmax whose answers collapse to one class when its input shifts; one that
// answers NaN; one that answers the same row whatever it is asked), telemetry posting to a real
// collector process that evaluates its rules every second and notifies a real Alertmanager
// (test/server/alerting.mjs). The input-drift and output-drift alerts must reach Alertmanager with
// the right labels and resolve when the traffic returns to normal; NaN and constant answers must
// be counted as strange outputs.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadModel } from '../../src/load-model.js';
import type { ClassificationPrediction, Model } from '../../src/index.js';
import { computeOutputBaseline } from '../../src/model/output-baseline.js';
import { numericBaseline } from '../../src/schema/baseline.js';
import { denseBundle } from '../runtime/dense-bundle.js';
import { prng, unique } from './helpers.js';

const LABELS = ['a', 'b', 'c'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hex = async (bytes: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))].map((b) => b.toString(16).padStart(2, '0')).join('');
const json = (bytes: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(bytes)) as Record<string, any>;
const utf8 = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

/** x0 ~ U(-2, 2): the training distribution of every bundle here. */
const rows = (n: number, seed: number, shift = 0) => {
  const rnd = prng(seed);
  return Array.from({ length: n }, () => ({ x0: rnd() * 4 - 2 + shift }));
};

/**
 * A bundle of a Dense(3, softmax) over x0 with `kernel` and `bias`, its schema carrying x0's
 * baseline and its manifest the output baseline of the golden outputs, as `ferryml pack` writes
 * it. `golden: false` drops the golden check (for a model that answers NaN on purpose).
 */
async function bundle(name: string, kernel: number[], bias: number[], golden = true): Promise<Map<string, Uint8Array>> {
  const model = tfl.sequential();
  const layer = tfl.layers.dense({ units: 3, activation: 'softmax', inputShape: [1] });
  model.add(layer);
  layer.setWeights([tf.tensor2d(kernel, [1, 3]), tf.tensor1d(bias)]);
  const train = rows(400, 1);
  const files = await denseBundle(name, model, 1, train, LABELS);
  model.dispose();
  const schema = json(files.get('schema.json'));
  schema.columns[0].baseline = numericBaseline(
    train.map((r) => r.x0),
    0,
  );
  files.set('schema.json', utf8(schema));
  const manifest = json(files.get('manifest.json'));
  manifest.outputBaseline = computeOutputBaseline(json(files.get('golden.json')).outputs, manifest.output, 'golden');
  if (!golden) {
    files.delete('golden.json');
    delete manifest.golden;
  }
  manifest.files = await Promise.all(
    [...files].filter(([p]) => p !== 'manifest.json').map(async ([path, bytes]) => ({ path, bytes: bytes.byteLength, sha256: await hex(bytes) })),
  );
  files.set('manifest.json', utf8(manifest));
  return files;
}

async function alerting<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`/__alerting/${path}`, init);
  const body = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return body as T;
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 40_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn();
    if (v) return v;
    await sleep(300);
  }
  throw new Error(`timed out waiting for ${what}`);
}

type AmAlert = { labels: Record<string, string>; annotations: Record<string, string>; status: { state: string } };

describe('alerts from real predictions in Chromium → collector rules → a real Alertmanager', function () {
  this.timeout(120_000);
  let collector: string;
  const models: Model[] = [];
  const load = async (files: Map<string, Uint8Array>, service: string) => {
    const m = await loadModel({
      files,
      backend: 'cpu',
      remember: false,
      telemetry: { endpoint: collector, offline: false, windowMs: 600_000, flushIntervalMs: 600_000, driftMinRows: 50, serviceName: service },
    });
    models.push(m);
    return m;
  };

  before(async () => {
    const rules = [
      { name: 'FerrymlInputDrift', forS: 1, windowS: 4 },
      { name: 'FerrymlOutputDrift', forS: 1, windowS: 4 },
      { name: 'FerrymlStrangeOutputs', windowS: 4 },
      { name: 'FerrymlNoData', disabled: true },
      { name: 'FerrymlLatencyP95', disabled: true },
    ];
    ({ collector } = await alerting<{ collector: string }>('start', { method: 'POST', body: JSON.stringify({ rules }) }));
  });
  after(async () => {
    for (const m of models) await m.dispose();
    await fetch('/__alerting/stop', { method: 'POST' });
  });

  it('shifted inputs that collapse the outputs to one class fire input- and output-drift alerts with their labels; they resolve on normal traffic', async () => {
    const name = unique('collapse');
    const model = await load(await bundle(name, [-6, 0, 6], [0, 1.5, 0]), name);
    const normal = await model.predictBatch(rows(300, 2));
    expect(new Set(normal.predictions.map((p) => (p as ClassificationPrediction).label)).size, 'normal traffic answers every class').to.equal(3);
    await model.telemetry!.flush();
    await sleep(4500); // the normal rows leave the rules' 4 s window

    const shifted = await model.predictBatch(rows(300, 3, 6));
    expect(new Set(shifted.predictions.map((p) => (p as ClassificationPrediction).label))).to.deep.equal(new Set(['c']));
    await model.telemetry!.flush();
    expect(model.telemetry!.stats().lastOutputDrift.class?.status).to.equal('alert');
    // The drift goes on (as it does in production until someone acts) while the alerts wait out
    // their `for` and Alertmanager its group_wait: a drift that ended within the rules' window could
    // resolve before Alertmanager's first notification, and it notifies nothing then.
    const drifting = async () => {
      await model.predictBatch(rows(100, Date.now() % 1000, 6));
      await model.telemetry!.flush();
    };
    const firing = await until('input and output drift alerts in Alertmanager', async () => {
      await drifting();
      const list = (await alerting<AmAlert[]>('alertmanager')).filter((a) => a.labels.model === name && a.status.state === 'active');
      const keys = new Set(list.map((a) => `${a.labels.alertname}/${a.labels.feature}`));
      return keys.has('FerrymlInputDrift/x0') && keys.has('FerrymlOutputDrift/class') ? list : undefined;
    });
    for (const [alertname, feature] of [
      ['FerrymlInputDrift', 'x0'],
      ['FerrymlOutputDrift', 'class'],
    ]) {
      const a = firing.find((x) => x.labels.alertname === alertname && x.labels.feature === feature)!;
      expect(a.labels).to.deep.equal({ alertname, model: name, version: '1.0.0', feature, severity: 'warning' });
      expect(Number(a.annotations.value)).to.be.at.least(0.25);
      expect(a.annotations.threshold).to.equal('0.2500');
      expect(a.annotations.dashboard).to.match(new RegExp(`/dashboard#model=${name}&version=1\\.0\\.0$`));
    }

    // Alertmanager holds a new group's first notification for its group_wait (1 s here) and notifies
    // a resolution only for an alert it has notified as firing (its notification log drops the
    // rest). Normal traffic sent before both firing notifications went out can bring an alert's
    // merged PSI under the threshold inside that wait (class shares do within a few batches): the
    // collector resolves it correctly, Alertmanager then notifies neither firing nor resolved, and
    // a wait for the resolved notification never ends. So: both firing notifications first.
    const notified = async (status: 'firing' | 'resolved') =>
      (await alerting<any[]>('notifications'))
        .filter((n) => n.status === status && n.commonLabels.model === name)
        .map((n) => `${n.commonLabels.alertname}/${n.commonLabels.feature}`);
    await until('firing notifications from Alertmanager', async () => {
      await drifting();
      const sent = await notified('firing');
      return sent.includes('FerrymlInputDrift/x0') && sent.includes('FerrymlOutputDrift/class');
    });

    // Normal traffic again: once the shifted rows leave the window, both alerts resolve.
    const resolved = await until(
      'resolved notifications from Alertmanager',
      async () => {
        await model.predictBatch(rows(150, Date.now() % 1000));
        await model.telemetry!.flush();
        const sent = await notified('resolved');
        return sent.includes('FerrymlInputDrift/x0') && sent.includes('FerrymlOutputDrift/class') ? sent : undefined;
      },
      60_000,
    );
    expect(resolved).to.include.members(['FerrymlInputDrift/x0', 'FerrymlOutputDrift/class']);
    const active = (await alerting<AmAlert[]>('alertmanager')).filter(
      (a) => a.labels.model === name && a.status.state === 'active' && ['x0', 'class'].includes(a.labels.feature ?? ''),
    );
    expect(active).to.deep.equal([]);
  });

  it('a bundle that answers NaN and one that answers a constant row are counted as strange outputs', async () => {
    const nanName = unique('nan');
    const nan = await load(await bundle(nanName, [1, 1, 1], [NaN, 0, 0], false), nanName);
    const constName = unique('constant');
    const constant = await load(await bundle(constName, [0, 0, 0], [0.5, 1, 0.2]), constName);
    const r = rows(120, 4);
    const answers = await nan.predictBatch(r);
    expect(answers.predictions.every((p) => Object.values((p as ClassificationPrediction).probabilities).every(Number.isNaN))).to.equal(true);
    await constant.predictBatch(r);
    await nan.telemetry!.flush();
    await constant.telemetry!.flush();
    expect(nan.telemetry!.stats().strangeOutputs.NON_FINITE).to.equal(120);
    expect(constant.telemetry!.stats().strangeOutputs).to.deep.equal({ CONSTANT: 120 });
    const summary = await alerting<any>(`api/summary?model=${nanName}`);
    expect(summary.strangeOutputs.NON_FINITE).to.equal(120);
    const firing = await until('strange-output alerts', async () => {
      const list = (await alerting<any>('api/alerts')).firing.filter((a: any) => a.labels.alertname === 'FerrymlStrangeOutputs');
      const keys = list.map((a: any) => `${a.labels.model}/${a.labels.feature}`);
      return keys.includes(`${nanName}/NON_FINITE`) && keys.includes(`${constName}/CONSTANT`) ? list : undefined;
    });
    expect(firing.length).to.be.at.least(2);
  });
});
