// Real predictions: loadModel with `telemetry` (the runtime imports createTelemetry lazily), the
// shipped penguins bundle on WASM, rows through predict(); the collector process must then hold
// exactly what the model's own counters say happened.
import { expect } from 'chai';
import { loadModel } from '../../src/load-model.js';
import { isValidationError } from '../../src/index.js';
import { collector, readApi, unique } from './helpers.js';
import { fault, stopWatching, watchRequests } from '../model/helpers.js';

describe('telemetry from real predictions (loadModel → collector)', () => {
  it('load, prediction counts, backend, validation issues and drift rows arrive as the model counted them', async () => {
    const { url } = await collector();
    const serviceName = unique('runtime-e2e');
    const golden = (await (await fetch('/models/penguins/1.0.0/golden.json')).json()) as { rows: Array<Record<string, unknown>> };
    const model = await loadModel({
      bundle: '/models/penguins/1.0.0/',
      cache: false,
      remember: false,
      backends: ['wasm', 'cpu'],
      wasmPaths: '/node_modules/@tensorflow/tfjs-backend-wasm/dist/',
      // A unique service name keeps this run's records apart (the model name is the bundle's).
      // k = 30: the 35 rows below make one window that may leave (the default k is 100).
      telemetry: { endpoint: url, offline: false, windowMs: 600_000, flushIntervalMs: 600_000, serviceName, driftMinRows: 30 },
    });
    expect(model.telemetry).to.exist;
    const rows = Array.from({ length: 35 }, (_, i) => golden.rows[i % golden.rows.length]!);
    await Promise.all(rows.map((r) => model.predict(r)));
    const bad = await model.predict({ ...rows[0], 'Beak Length (mm)': 'abc' }).catch((e: unknown) => e);
    expect(isValidationError(bad)).to.equal(true);
    await model.telemetry!.flush();
    const stats = model.stats();
    expect(stats.predictions).to.equal(35);
    expect(stats.invalid).to.equal(1);
    expect(model.telemetry!.stats().sent).to.be.greaterThan(0);
    expect(model.telemetry!.stats().dropped.rejected).to.equal(0);

    // Other suites may report penguins too: keep this model's session only (its service name).
    const all = await readApi(`/api/records?model=penguins&limit=1000`);
    const ours = all.records.filter((r: any) => r.resource['service.name'] === serviceName);
    expect(new Set(ours.map((r: any) => r.resource['session.id'])).size).to.equal(1);
    const summaries = ours.filter((r: any) => r.event === 'ferryml.predict.summary');
    expect(summaries.reduce((n: number, r: any) => n + Number(r.attributes['ferryml.predict.rows']), 0)).to.equal(stats.predictions);
    expect(summaries.reduce((n: number, r: any) => n + Number(r.attributes['ferryml.predict.calls']), 0)).to.equal(stats.batches);
    expect(summaries.map((r: any) => r.attributes['ferryml.backend'])).to.deep.equal([model.info.backend]);
    const load = ours.find((r: any) => r.event === 'ferryml.model.load');
    expect(load.attributes['ferryml.load.source']).to.equal('network');
    expect(load.attributes['ferryml.backend']).to.equal(model.info.backend);
    expect(load.attributes['ferryml.load.bytes']).to.equal(model.info.bytes);
    // Which engine ran it, and where load time went (model.info.timings, phase by phase).
    expect(load.attributes['ferryml.engine']).to.equal(model.info.engine);
    expect(load.attributes).to.have.property('ferryml.load.timings');
    const issue = ours.find((r: any) => r.event === 'ferryml.validation.issue');
    expect(issue.attributes['ferryml.column']).to.equal('Beak Length (mm)');
    expect(issue.attributes['ferryml.issue.count']).to.equal(1);
    const beak = ours.find((r: any) => r.event === 'ferryml.drift.window' && r.attributes['ferryml.feature'] === 'Beak Length (mm)');
    expect(beak.attributes['ferryml.drift.rows']).to.equal(35);
    // Under driftExactRows: every value counted, through the runtime's batch capture.
    expect(beak.attributes['ferryml.drift.rows_observed']).to.equal(35);
    expect(beak.attributes['ferryml.drift.sample_weight']).to.equal(1);
    const text = JSON.stringify(ours);
    expect(text).not.to.contain('Torgersen', 'no raw input value is sent by default');
    expect(text).not.to.contain('ferryml.input');
    await model.dispose();
  });

  it('a model opened from files in hand is reported with load source "local" (not "cache")', async () => {
    const { url } = await collector();
    const serviceName = unique('local-source');
    // The bundle's files read into memory, as an app holding them (a dropped folder, an edge KV) would.
    const dir = '/models/penguins/1.1.0/';
    const manifestBytes = new Uint8Array(await (await fetch(`${dir}manifest.json`)).arrayBuffer());
    const listed = (JSON.parse(new TextDecoder().decode(manifestBytes)) as { files: Array<{ path: string }> }).files;
    const files = new Map([['manifest.json', manifestBytes]]);
    for (const { path } of listed) files.set(path, new Uint8Array(await (await fetch(dir + path)).arrayBuffer()));
    const model = await loadModel({
      files,
      remember: false,
      backends: ['wasm', 'cpu'],
      wasmPaths: '/node_modules/@tensorflow/tfjs-backend-wasm/dist/',
      telemetry: { endpoint: url, offline: false, windowMs: 600_000, flushIntervalMs: 600_000, serviceName },
    });
    expect(model.info.source).to.equal('local');
    await model.telemetry!.flush();
    const all = await readApi(`/api/records?model=penguins&limit=1000`);
    const loads = all.records.filter((r: any) => r.resource['service.name'] === serviceName && r.event === 'ferryml.model.load');
    expect(loads.map((r: any) => r.attributes['ferryml.load.source'])).to.deep.equal(['local']);
    expect(loads[0].attributes['ml.model.version']).to.equal('1.1.0');
    await model.dispose();
  });

  it('offline (navigator.onLine false): one registry request, then the cached version, reported as "offline" in model.info and telemetry', async () => {
    const { url } = await collector();
    const serviceName = unique('offline-load');
    const scope = unique('offline-load');
    const options = {
      registry: fault(`scope=${scope}`, '/models/index.json'),
      name: 'penguins',
      version: '1.1.0',
      cache: { dbName: scope },
      remember: false,
      backends: ['wasm' as const, 'cpu' as const],
      wasmPaths: '/node_modules/@tensorflow/tfjs-backend-wasm/dist/',
    };
    const first = await loadModel(options);
    await first.dispose();
    // Only the registry and bundle URLs go dark; the collector (another origin) stays reachable.
    await watchRequests(`/__fault/scope=${scope}/*`, { offline: true });
    let seen: Array<{ url: string }>;
    try {
      const model = await loadModel({ ...options, telemetry: { endpoint: url, offline: false, windowMs: 600_000, flushIntervalMs: 600_000, serviceName } });
      expect([model.info.source, model.info.resolvedBy, model.info.version]).to.deep.equal(['offline', 'offline-fallback', '1.1.0']);
      await model.telemetry!.flush();
      await model.dispose();
    } finally {
      seen = await stopWatching();
    }
    expect(seen.map((r) => new URL(r.url).pathname.split('/').pop())).to.deep.equal(['index.json']);
    const all = await readApi(`/api/records?model=penguins&limit=1000`);
    const loads = all.records.filter((r: any) => r.resource['service.name'] === serviceName && r.event === 'ferryml.model.load');
    expect(loads.map((r: any) => r.attributes['ferryml.load.source'])).to.deep.equal(['offline']);
    indexedDB.deleteDatabase(scope);
  });

  it('rawOutputs: sampled prediction records carry the decoded output on the wire (and only with the option on)', async () => {
    const { url } = await collector();
    const golden = (await (await fetch('/models/penguins/1.0.0/golden.json')).json()) as { rows: Array<Record<string, unknown>> };
    const run = async (rawOutputs: boolean) => {
      const serviceName = unique(`raw-outputs-${rawOutputs}`);
      const model = await loadModel({
        bundle: '/models/penguins/1.0.0/',
        cache: false,
        remember: false,
        backend: 'cpu',
        telemetry: { endpoint: url, offline: false, windowMs: 600_000, flushIntervalMs: 600_000, serviceName, sampleRate: 1, rawOutputs },
      });
      const p = await model.predict(golden.rows[0]!);
      await model.telemetry!.flush();
      // The app's handle is flush and stats only: the recorder is not reachable from it.
      expect(Object.keys(model.telemetry!).sort()).to.deep.equal(['flush', 'stats']);
      await model.dispose();
      const all = await readApi(`/api/records?model=penguins&limit=1000`);
      const sampled = all.records.filter((r: any) => r.resource['service.name'] === serviceName && r.event === 'ferryml.prediction');
      expect(sampled).to.have.length(1);
      return { p, record: sampled[0] };
    };
    const on = await run(true);
    expect(on.p.kind).to.equal('classification');
    const output = on.record.attributes['ferryml.output'];
    expect(output, JSON.stringify(on.record.attributes)).to.exist;
    const text = JSON.stringify(output);
    if (on.p.kind === 'classification') expect(text).to.contain(on.p.label);
    const off = await run(false);
    expect(off.record.attributes['ferryml.output']).to.equal(undefined);
  });
});
