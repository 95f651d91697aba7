import { expect } from 'chai';
import { loadModel } from '../../src/load-model.js';
import type { Model } from '../../src/runtime/model-types.js';
import type { BundleProgress } from '../../src/model/open-bundle-options.js';
import { base, golden, maxDiff, rejectionOf } from './helpers.js';

describe('loadModel: options, progress, abort, cache', () => {
  it('caller mistakes throw INVALID_OPTIONS naming the option, before anything is fetched', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ backends: [] }, 'backends'],
      [{ backends: ['webgl'] }, 'backends'],
      [{ backend: 'gpu' }, 'backend'],
      [{ select: 'fastest' }, 'select'],
      [{ wasmPaths: '/wasm' }, 'wasmPaths'],
      [{ maxBatch: 0 }, 'maxBatch'],
      [{ predictTimeoutMs: -1 }, 'predictTimeoutMs'],
      [{ downloadTimeoutMs: -1 }, 'downloadTimeoutMs'],
      [{ wasmThreads: 'yes' }, 'wasmThreads'],
      [{ wasmModule: new Uint8Array([0, 0x61, 0x73, 0x6d]) }, 'wasmModule'],
      [{ topK: 1.5 }, 'topK'],
    ];
    for (const [options, field] of cases) {
      const error = await rejectionOf(loadModel(base('mlp', options as never)));
      expect(error.code, JSON.stringify(options)).to.equal('INVALID_OPTIONS');
      expect(error.details.option).to.equal(field);
      expect(error.message).to.contain(`\`${field}\``);
    }
  });

  it('reports download progress up to the bundle size, and the timings of each phase', async () => {
    const seen: BundleProgress[] = [];
    const model = await loadModel(base('mlp', { backend: 'cpu', onProgress: (p) => seen.push({ ...p }) }));
    expect(seen.length).to.be.greaterThan(0);
    expect(seen.at(-1)).to.deep.equal({ loaded: model.info.bytes, total: model.info.bytes });
    const t = model.info.timings;
    // Each phase is timed; a fast one (the golden check of a few rows on the direct kernel) can
    // take less than performance.now()'s resolution (100 µs on a page that is not cross-origin
    // isolated) and read 0, so the phases are checked as measured, and their sum as positive.
    for (const k of ['bundleMs', 'backendMs', 'modelMs', 'warmupMs', 'goldenMs', 'totalMs'] as const) expect(t[k], k).to.be.a('number').and.be.at.least(0);
    expect(t.bundleMs + t.backendMs + t.modelMs + t.warmupMs + t.goldenMs).to.be.greaterThan(0);
    expect(t.bundleMs, 'bundleMs: the bundle was downloaded').to.be.greaterThan(0);
    expect(t.totalMs).to.be.at.least(t.bundleMs + t.modelMs);
    await model.dispose();
  });

  it('an aborted load rejects with ABORTED', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await rejectionOf(loadModel(base('mlp', { signal: controller.signal })));
    expect(error.code).to.equal('ABORTED');

    // Aborted once the download is complete: the backend bring-up that follows is abandoned too.
    for (const worker of [undefined, { url: '/src/runtime/worker.ts' }]) {
      const late = new AbortController();
      const onProgress = (p: BundleProgress) => p.loaded === p.total && late.abort();
      const e = await rejectionOf(loadModel(base('mlp', { signal: late.signal, onProgress, ...(worker ? { worker } : {}) })));
      expect(e.code, worker ? 'worker' : 'page').to.equal('ABORTED');
    }
  });

  it('with the cache on, the second load comes from IndexedDB and predicts the same', async () => {
    const cache = { dbName: `ferryml-runtime-${Date.now()}` };
    const { rows, outputs } = await golden('mlp');
    const first = await loadModel(base('mlp', { backend: 'wasm', cache }));
    expect(first.info.source).to.equal('network');
    await first.dispose();
    const second = await loadModel(base('mlp', { backend: 'wasm', cache }));
    expect(second.info.source).to.equal('cache');
    expect(second.info.bundleId).to.equal(first.info.bundleId);
    expect(maxDiff((await second.predict(rows[4]!)).raw, outputs[4]!)).to.be.below(1e-5);
    await second.dispose();
    indexedDB.deleteDatabase(cache.dbName);
  });

  it('answers before the cache write settles; the outcome lands in model.info.cache, a failed write with its code', async () => {
    const settled = async (model: Model) => {
      for (let i = 0; i < 200 && model.info.cache.pending; i++) await new Promise((r) => setTimeout(r, 10));
      return model.info.cache;
    };
    const cache = { dbName: `ferryml-deferred-${Date.now()}` };
    const { rows, outputs } = await golden('mlp');
    const first = await loadModel(base('mlp', { backend: 'cpu', cache }));
    expect(first.info.source).to.equal('network');
    // Predicting does not wait for the write.
    expect(maxDiff((await first.predict(rows[0]!)).raw, outputs[0]!)).to.be.below(1e-5);
    const stored = await settled(first);
    expect(stored).to.deep.include({ memoryOnly: false });
    expect(stored).to.not.have.property('pending');
    await first.dispose();
    const again = await loadModel(base('mlp', { backend: 'cpu', cache }));
    expect(again.info.source).to.equal('cache');
    expect(again.info.cache).to.deep.include({ memoryOnly: false }).and.not.have.property('pending');
    await again.dispose();
    indexedDB.deleteDatabase(cache.dbName);

    const tiny = { dbName: `ferryml-deferred-tiny-${Date.now()}`, maxBytes: 100 };
    const over = await loadModel(base('mlp', { backend: 'cpu', cache: tiny }));
    expect(maxDiff((await over.predict(rows[1]!)).raw, outputs[1]!)).to.be.below(1e-5);
    const failed = await settled(over);
    expect(failed).to.deep.include({ memoryOnly: true, code: 'QUOTA_EXCEEDED' });
    expect(failed.reason).to.contain('maxBytes=100');
    await over.dispose();
    const next = await loadModel(base('mlp', { backend: 'cpu', cache: tiny }));
    expect(next.info.source, 'nothing was stored').to.equal('network');
    await settled(next);
    await next.dispose();
    indexedDB.deleteDatabase(tiny.dbName);
  });

  it("model.schema and model.manifest are the bundle's verified schema.json and manifest, frozen, in page and worker mode", async () => {
    const dir = '/models/penguins/1.1.0/';
    const schemaJson = await (await fetch(`${dir}schema.json`)).json();
    const manifestJson = await (await fetch(`${dir}manifest.json`)).json();
    for (const worker of [undefined, { url: '/src/runtime/worker.ts' }]) {
      const mode = worker ? 'worker' : 'page';
      const model = await loadModel({
        bundle: dir,
        cache: false,
        remember: false,
        backend: 'wasm',
        wasmPaths: '/node_modules/@tensorflow/tfjs-backend-wasm/dist/',
        ...(worker ? { worker } : {}),
      });
      expect(model.info.worker, mode).to.equal(worker !== undefined);
      expect(model.schema, mode).to.deep.equal(schemaJson);
      expect(model.manifest, mode).to.deep.equal(manifestJson);
      // What an app reads to build its UI: the columns, the output spec, the training metrics.
      expect(model.schema.columns.map((c) => c.name)).to.include('Island');
      expect(model.manifest.output).to.deep.equal({ kind: 'classification', labels: ['Adelie', 'Chinstrap', 'Gentoo'] });
      expect(model.manifest.training?.metrics?.heldOutAccuracy, mode).to.be.a('number');
      // Read-only: the objects are frozen all the way down (module code is strict, so writes throw).
      expect(Object.isFrozen(model.schema) && Object.isFrozen(model.schema.columns[0]) && Object.isFrozen(model.manifest.files[0])).to.equal(true);
      expect(() => ((model.schema.columns[0] as { name: string }).name = 'renamed')).to.throw(TypeError);
      expect(() => (model.manifest.files as unknown[]).push({})).to.throw(TypeError);
      // @ts-expect-error model.schema is a read-only property
      expect(() => (model.schema = schemaJson)).to.throw(TypeError);
      // @ts-expect-error model.manifest's fields are read-only
      expect(() => (model.manifest.version = '9.9.9')).to.throw(TypeError);
      await model.dispose();
    }
  });
});
