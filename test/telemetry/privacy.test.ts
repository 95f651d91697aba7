// Privacy defaults, checked on what actually reached the real collector (it stores attributes
// as they were sent): one user's single prediction must not produce a drift window (k-anonymity:
// windows under driftMinRows are held and merged into the next, never sent alone), load records
// carry rejection codes but no free text and no GPU adapter description unless the app opts in,
// and no raw input value leaves the page.
import { expect } from 'chai';
import { loadModel } from '../../src/load-model.js';
import { collector, readApi, unique } from './helpers.js';

const golden = (await (await fetch('/models/penguins/1.0.0/golden.json')).json()) as { rows: Array<Record<string, unknown>> };

async function ours(serviceName: string): Promise<any[]> {
  const all = await readApi(`/api/records?model=penguins&limit=1000`);
  return all.records.filter((r: any) => r.resource['service.name'] === serviceName);
}

async function open(serviceName: string, extra: Record<string, unknown> = {}) {
  const { url } = await collector();
  return loadModel({
    bundle: '/models/penguins/1.0.0/',
    cache: false,
    remember: false,
    // tfjs with webgpu first: on this machine webgpu is rejected (software adapter or none), so a
    // rejection travels (the plain-JS engine, penguins' default, tries no backend).
    engine: 'tfjs',
    backends: ['webgpu', 'wasm', 'cpu'],
    wasmPaths: '/node_modules/@tensorflow/tfjs-backend-wasm/dist/',
    telemetry: { endpoint: url, offline: false, windowMs: 600_000, flushIntervalMs: 600_000, serviceName, driftMinRows: 20, ...extra },
  });
}

describe('telemetry privacy defaults (wire payloads at the collector)', () => {
  it('a single-row drift window never reaches the collector; it merges into the next until k rows', async () => {
    const serviceName = unique('privacy-k');
    const model = await open(serviceName);
    await model.predict(golden.rows[0]!);
    await model.telemetry!.flush();
    let records = await ours(serviceName);
    expect(
      records.some((r) => r.event === 'ferryml.predict.summary'),
      'the summary of the window did arrive',
    ).to.equal(true);
    expect(records.filter((r) => r.event === 'ferryml.drift.window')).to.deep.equal([]);
    const held = model.telemetry!.stats().driftHeld;
    expect(Object.keys(held).length).to.be.greaterThan(0);
    for (const rows of Object.values(held)) expect(rows).to.equal(1);

    // 18 more rows in a second window: 19 < k = 20, still nothing.
    await Promise.all(Array.from({ length: 18 }, (_, i) => model.predict(golden.rows[(i + 1) % golden.rows.length]!)));
    await model.telemetry!.flush();
    records = await ours(serviceName);
    expect(records.filter((r) => r.event === 'ferryml.drift.window')).to.deep.equal([]);

    // The 20th row: the held rows and this window leave together, one record per feature.
    await model.predict(golden.rows[19 % golden.rows.length]!);
    await model.telemetry!.flush();
    records = await ours(serviceName);
    const drift = records.filter((r) => r.event === 'ferryml.drift.window');
    expect(drift.length).to.be.greaterThan(0);
    for (const d of drift) {
      expect(d.attributes['ferryml.drift.rows']).to.equal(20);
      expect(d.attributes['ferryml.drift.counts'].reduce((a: number, b: number) => a + b, 0)).to.equal(20);
    }
    expect(new Set(drift.map((d) => d.attributes['ferryml.feature'])).size).to.equal(drift.length, 'one record per feature');
    expect(model.telemetry!.stats().driftHeld).to.deep.equal({});
    await model.dispose();
  });

  it('load records carry rejection codes only; text and adapter details only on opt-in', async () => {
    const plain = unique('privacy-load');
    const detailed = unique('privacy-details');
    const a = await open(plain);
    const b = await open(detailed, { deviceDetails: true, rejectionText: true });
    await a.telemetry!.flush();
    await b.telemetry!.flush();
    const loadA = (await ours(plain)).find((r) => r.event === 'ferryml.model.load');
    const loadB = (await ours(detailed)).find((r) => r.event === 'ferryml.model.load');
    expect(a.info.rejected.length, 'webgpu was passed over on this machine').to.be.greaterThan(0);
    expect(loadA.attributes['ferryml.backend.rejected']).to.deep.equal(a.info.rejected.map((r) => ({ backend: r.backend, code: r.code })));
    expect(loadA.attributes).not.to.have.property('ferryml.adapter');
    const text = JSON.stringify(loadA);
    for (const r of a.info.rejected) expect(text).not.to.contain(r.reason);
    expect(loadB.attributes['ferryml.backend.rejected']).to.deep.equal(b.info.rejected.map((r) => ({ backend: r.backend, code: r.code, reason: r.reason })));
    if (b.info.adapter) expect(loadB.attributes['ferryml.adapter']).to.deep.equal({ ...b.info.adapter });
    await a.dispose();
    await b.dispose();
  });
});
