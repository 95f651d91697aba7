// The plain-JS engine, seen from Chromium's network log (test/server/network.mjs): a model a
// plain-JS kernel runs loads and predicts with no tfjs module and no .wasm fetched, on the page
// and in worker mode. No tfjs import in this file, and the forced-tfjs checks run last: once
// tfjs is on this page it stays.
import { expect } from 'chai';
import { requestsDuring } from '../model/helpers.js';
import { loadModel } from '../../src/load-model.js';
import type { Rejection } from '../../src/runtime/types.js';
import { WASM, base, maxDiff, rejectionOf } from './helpers.js';
import { rowsOf } from './bundle-files.js';
import { plainDenseBundle } from './plain-dense-bundle.js';
import { BACKGROUND_MEASURE_ABOVE } from '../../src/runtime/plain-engine.js';

const BUNDLE = '/models/penguins/1.1.0/';
const WORKER = { url: '/src/runtime/worker.ts' };

const tfjsFiles = (urls: string[]) => urls.filter((u) => /tfjs|@tensorflow|\.wasm$/.test(u));

async function goldenOf(dir: string) {
  return (await (await fetch(`${dir}golden.json`)).json()) as { rows: Array<Record<string, unknown>>; outputs: number[][] };
}

describe('runtime: the plain-JS engine (no tfjs on the critical path)', () => {
  for (const mode of ['page', 'worker'] as const) {
    it(`penguins in ${mode} mode: no tfjs chunk and no .wasm requested, golden check ran, predictions match the golden outputs`, async () => {
      const golden = await goldenOf(BUNDLE);
      const { result: model, urls } = await requestsDuring(async () => {
        const m = await loadModel({ bundle: BUNDLE, cache: false, remember: false, ...(mode === 'worker' ? { worker: WORKER } : {}) });
        // The first answers are part of what must not need tfjs.
        await m.predictBatch(golden.rows);
        return m;
      });
      expect(
        urls.some((u) => u.endsWith(`${BUNDLE}model.json`)),
        urls.join('\n'),
      ).to.equal(true);
      // The worker's own module imports are in the log (it is its own DevTools target).
      if (mode === 'worker') expect(urls, urls.join('\n')).to.include.members([WORKER.url, '/src/runtime/plain-engine.ts']);
      expect(tfjsFiles(urls), urls.join('\n')).to.deep.equal([]);
      expect('_tfengine' in globalThis).to.equal(false);
      const { info } = model;
      expect(info).to.include({ engine: 'js', backend: 'cpu', decision: 'kernel', lean: 'direct', worker: mode === 'worker' });
      expect(info.engineReason).to.equal('direct kernel, plain JavaScript (golden rows within 0.0001); tfjs not loaded');
      expect(info.leanReason).to.match(/^direct kernel: 2 Dense layers, 192 multiply-adds per row/);
      expect(info.goldenError).to.be.a('number').and.below(1e-4);
      expect(info.timings.goldenMs).to.be.at.least(0);
      expect(info.timings.backendMs).to.equal(0);
      expect(info.rejected).to.deep.equal([]);
      const { predictions } = await model.predictBatch(golden.rows);
      predictions.forEach((p, i) => expect(maxDiff(p!.raw, golden.outputs[i]!), `row ${i}`).to.be.below(1e-5));
      await model.dispose();
    });
  }

  it(`a model over ${BACKGROUND_MEASURE_ABOVE} multiply-adds with backends: ['cpu'] is not measured against tfjs in the background: no tfjs chunk, no .wasm, no onBackendChange`, async () => {
    // 96→64→10: 6,784 multiply-adds per row, which the automatic policy would measure against tfjs
    // after the first answer (test/runtime/plain-engine.test.ts) — but cpu is the kernel itself.
    const rows = rowsOf(96, 4);
    const files = await plainDenseBundle(
      'cpu-only',
      96,
      [
        [64, 'relu'],
        [10, 'softmax'],
      ],
      rows,
    );
    let changes = 0;
    const { result: model, urls } = await requestsDuring(async () => {
      const m = await loadModel({ files, backends: ['cpu'], remember: false, onBackendChange: () => void changes++ });
      await m.predict(rows[0]!);
      // Past the quiet time after which the background measurement would have started.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await m.predict(rows[1]!);
      return m;
    });
    expect(tfjsFiles(urls), urls.join('\n')).to.deep.equal([]);
    expect('_tfengine' in globalThis).to.equal(false);
    expect(changes).to.equal(0);
    expect(model.info).to.include({ engine: 'js', backend: 'cpu', decision: 'kernel' });
    expect(model.info.measured).to.deep.equal({});
    expect(model.info.engineReason).to.match(
      /^direct kernel, plain JavaScript \(golden rows within [\d.e-]+\); tfjs not loaded; not measured against tfjs \(`backends` allows only cpu/,
    );
    expect(model.info.goldenError).to.be.a('number').and.below(1e-4);
    await model.dispose();
  });

  for (const mode of ['worker', 'page'] as const) {
    it(`backend: 'wasm' forced in ${mode} mode fetches tfjs and the .wasm binary and runs on wasm`, async () => {
      const golden = await goldenOf(BUNDLE);
      const { result: model, urls } = await requestsDuring(() =>
        loadModel({ bundle: BUNDLE, cache: false, remember: false, backend: 'wasm', wasmPaths: WASM, ...(mode === 'worker' ? { worker: WORKER } : {}) }),
      );
      expect(
        urls.some((u) => u.endsWith('/tfjs-backend-wasm-simd.wasm')),
        urls.join('\n'),
      ).to.equal(true);
      expect(
        urls.some((u) => u.endsWith('/.cache/vendor/tfjs-core.js')),
        urls.join('\n'),
      ).to.equal(true);
      expect(model.info).to.include({ engine: 'tfjs', backend: 'wasm', decision: 'forced', lean: 'fused-ops' });
      expect(model.info.engineReason).to.equal("tfjs: backend: 'wasm' forces tfjs");
      const p = await model.predict(golden.rows[0]!);
      expect(maxDiff(p.raw, golden.outputs[0]!)).to.be.below(1e-5);
      await model.dispose();
    });
  }

  // Last: the fallback loads tfjs on this page.
  it('a bundle whose golden rows the kernel does not reproduce falls back to tfjs and, wrong there too, is refused with GOLDEN_MISMATCH', async () => {
    const error = await rejectionOf(loadModel(base('bad-golden')));
    expect(error.code).to.equal('GOLDEN_MISMATCH');
    const rejected = error.details.rejected as Rejection[];
    expect(rejected[0]).to.include({ backend: 'cpu', code: 'GOLDEN_MISMATCH' });
    expect(rejected[0]!.reason).to.match(/^the direct kernel \(plain JavaScript\) does not reproduce the bundle's golden outputs: golden row \d+ output \d+/);
    // Every tfjs backend that ran it disagreed as well (the software GPU is skipped, not run).
    expect(rejected.slice(1).map((r) => [r.backend, r.code])).to.deep.equal([
      ['webgpu', 'SOFTWARE_ADAPTER'],
      ['wasm', 'GOLDEN_MISMATCH'],
      ['cpu', 'GOLDEN_MISMATCH'],
    ]);
  });
});
