// No tfjs import in this file: the worker-mode checks run before anything loads tfjs on the page.
import { expect } from 'chai';
import { isFerryError } from '../../src/errors.js';
import { loadModel } from '../../src/load-model.js';
import { base, golden, maxDiff } from './helpers.js';

/** The worker entry as the test server serves it (TypeScript compiled on the fly). */
const WORKER = '/src/runtime/worker.ts';

const rowsFor = (n: number) => Array.from({ length: n }, (_, i) => ({ a: i / 9 - 2, b: i % 4 ? i / 5 : null, c: ['x', 'y', 'z'][i % 3]!, d: i % 2 === 1 }));

/**
 * Signs of tfjs running on this page: tfjs-core creates its engine as `globalThis._tfengine`
 * when it is evaluated, and a WASM backend on the page would fetch a .wasm binary here. (Resource
 * timing cannot be asked about scripts: Chromium lists a module worker's static imports on the page.)
 */
const tfjsOnPage = () => [
  ...('_tfengine' in globalThis ? ['globalThis._tfengine'] : []),
  ...performance
    .getEntriesByType('resource')
    .map((e) => e.name)
    .filter((n) => n.endsWith('.wasm')),
];

describe('runtime: worker mode', () => {
  it('runs in a worker with the same API and the page never loads tfjs', async () => {
    const model = await loadModel(base('mlp', { worker: { url: WORKER }, engine: 'tfjs' }));
    expect(model.info.worker).to.equal(true);
    // Measured in the worker as on the page: the tiny MLP runs fastest on cpu's direct kernel.
    expect(model.info).to.include({ engine: 'tfjs', backend: 'cpu', decision: 'measured', lean: 'direct' });
    expect(model.info.rejected.map((r) => r.code)).to.deep.equal(['SOFTWARE_ADAPTER', 'SLOWER']);
    const { rows, outputs } = await golden('mlp');
    const p = await model.predict(rows[0]!);
    expect(p.kind === 'classification' && p.label).to.be.a('string');
    expect(maxDiff(p.raw, outputs[0]!)).to.be.below(1e-5);
    expect(tfjsOnPage()).to.deep.equal([]);
    await model.dispose();
  });

  it('gives identical results to page mode, for single, concurrent and batch calls (wasm fused ops, cpu direct kernel)', async () => {
    const rows = rowsFor(300);
    const bad = { a: 'oops', c: 'x', d: true };
    const backends = ['wasm', 'cpu'] as const;
    // Every worker run first: the page must not have loaded tfjs while they run.
    const inWorker = [];
    for (const backend of backends) {
      const model = await loadModel(base('mlp', { worker: { url: WORKER }, backend }));
      expect(model.info.lean).to.equal(backend === 'cpu' ? 'direct' : 'fused-ops');
      const single = await model.predict(rows[5]!);
      const concurrent = await Promise.all(rows.map((r) => model.predict(r)));
      const batch = await model.predictBatch([...rows, bad]);
      expect(model.stats().batches).to.be.below(10);
      expect(tfjsOnPage()).to.deep.equal([]);
      inWorker.push({ lean: model.info.lean, single, concurrent, batch });
      await model.dispose();
    }
    for (const [k, backend] of backends.entries()) {
      const { lean, single, concurrent, batch } = inWorker[k]!;
      const onPage = await loadModel(base('mlp', { backend }));
      expect(onPage.info.lean).to.equal(lean);
      const pageConcurrent = await Promise.all(rows.map((r) => onPage.predict(r)));
      const pageBatch = await onPage.predictBatch([...rows, bad]);
      expect(Array.from(single.raw)).to.deep.equal(Array.from(pageConcurrent[5]!.raw));
      concurrent.forEach((p, i) => expect(Array.from(p.raw), `${backend} row ${i}`).to.deep.equal(Array.from(pageConcurrent[i]!.raw)));
      expect(batch.predictions.map((p) => p && Array.from(p.raw))).to.deep.equal(pageBatch.predictions.map((p) => p && Array.from(p.raw)));
      expect(batch.issues).to.deep.equal(pageBatch.issues);
      expect(batch.predictions[300]).to.equal(null);
      await onPage.dispose();
    }
  });

  it('a worker script that cannot load fails the load with WORKER_FAILED naming the URL', async () => {
    const error = await loadModel(base('mlp', { worker: { url: '/no/such/worker.js' } })).catch((e: unknown) => e);
    expect(isFerryError(error) && error.code).to.equal('WORKER_FAILED');
    expect((error as Error).message).to.contain('/no/such/worker.js');
  });
});

describe('runtime: worker mode faults', () => {
  const FAULTS = '/test/runtime/worker-faults.worker.ts';

  it('an output the worker cannot transfer arrives as a copy; one it cannot send at all fails that call only, with INFERENCE_FAILED', async () => {
    const model = await loadModel(base('mlp', { worker: { url: FAULTS }, backend: 'cpu' }));
    const reference = await loadModel(base('mlp', { backend: 'cpu' }));
    const rows = rowsFor(9);
    const copied = await model.predictBatch(rows.slice(0, 7));
    const expected = await reference.predictBatch(rows.slice(0, 7));
    expect(copied.predictions.map((p) => p && Array.from(p.raw))).to.deep.equal(expected.predictions.map((p) => p && Array.from(p.raw)));
    const error = await model.predictBatch(rows).catch((e: unknown) => e);
    expect(isFerryError(error) && error.code).to.equal('INFERENCE_FAILED');
    expect((error as Error).message).to.contain('could not send');
    // The model goes on: nothing was left waiting, and the next call answers.
    const next = await model.predict(rows[0]!);
    expect(Array.from(next.raw)).to.deep.equal(Array.from(expected.predictions[0]!.raw));
    await model.dispose();
    await reference.dispose();
  });

  it('a worker that fails while running fails the waiting calls and later ones with WORKER_FAILED, saying it was running', async () => {
    const model = await loadModel(base('mlp', { worker: { url: FAULTS }, backend: 'cpu' }));
    await model.predict(rowsFor(1)[0]!);
    const error = await model.predictBatch(rowsFor(13)).catch((e: unknown) => e);
    expect(isFerryError(error) && error.code).to.equal('WORKER_FAILED');
    expect((error as Error).message)
      .to.contain('failed while running')
      .and.contain('boom in the worker')
      .and.contain('loaded again');
    expect((error as Error).message).not.to.contain('pass worker: { url }');
    expect(isFerryError(error) && error.details).to.include({ phase: 'running', url: new URL(FAULTS, location.href).href });
    const later = await model.predict(rowsFor(1)[0]!).catch((e: unknown) => e);
    expect(isFerryError(later) && later.code).to.equal('WORKER_FAILED');
    await model.dispose();
  });
});
