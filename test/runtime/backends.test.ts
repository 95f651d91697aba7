import { expect } from 'chai';
import { loadModel } from '../../src/load-model.js';
import type { Prediction } from '../../src/runtime/decode.js';
import { measureScore } from '../../src/runtime/measure.js';
import { base, golden, maxDiff } from './helpers.js';

const raw = (p: Prediction | null) => Array.from(p!.raw);

describe('runtime: backends', () => {
  it('predicts the same values (1e-5) on webgpu (SwiftShader), wasm and cpu, matching the golden outputs', async () => {
    const { rows, outputs } = await golden('mlp');
    const results: Record<string, number[][]> = {};
    for (const backend of ['webgpu', 'wasm', 'cpu'] as const) {
      const model = await loadModel(base('mlp', { backend }));
      expect(model.info.backend).to.equal(backend);
      expect(model.info.decision).to.equal('forced');
      expect(model.info.goldenError).to.be.below(1e-4);
      const { predictions, issues } = await model.predictBatch(rows);
      expect(issues.filter((i) => i.severity === 'error')).to.deep.equal([]);
      results[backend] = predictions.map(raw);
      await model.dispose();
    }
    for (const backend of ['webgpu', 'wasm'] as const) {
      expect(maxDiff(results[backend]!.flat(), results.cpu!.flat()), `${backend} vs cpu`).to.be.below(1e-5);
    }
    expect(maxDiff(results.cpu!.flat(), outputs.flat())).to.be.below(1e-5);
  });

  it('two models loading at once on different backends each get their own (tfjs has one active backend per page)', async () => {
    const { rows, outputs } = await golden('mlp');
    const reg = await golden('reg');
    const [a, b, c] = await Promise.all([
      loadModel(base('mlp', { backend: 'cpu' })),
      loadModel(base('reg', { backend: 'wasm' })),
      loadModel(base('mlp', { backend: 'webgpu' })),
    ]);
    expect([a.info.backend, b.info.backend, c.info.backend]).to.deep.equal(['cpu', 'wasm', 'webgpu']);
    // Interleaved calls: each model switches tfjs to its backend for its own batch.
    const [pa, pb, pc] = await Promise.all([a.predictBatch(rows), b.predictBatch(reg.rows), c.predictBatch(rows)]);
    expect(maxDiff(pa.predictions.flatMap(raw), outputs.flat())).to.be.below(1e-5);
    expect(maxDiff(pb.predictions.flatMap(raw), reg.outputs.flat())).to.be.below(1e-5);
    expect(maxDiff(pc.predictions.flatMap(raw), outputs.flat())).to.be.below(1e-5);
    await Promise.all([a.dispose(), b.dispose(), c.dispose()]);
  });

  it('auto: a software WebGPU adapter is not a GPU; wasm and cpu are measured and the faster kept, with both medians', async () => {
    // engine: 'tfjs': the tfjs policy itself (without it, a plain-JS kernel takes this model; engine-js.test.ts).
    const model = await loadModel(base('mlp', { engine: 'tfjs' }));
    const { info } = model;
    expect(info.adapter?.isFallbackAdapter).to.equal(true);
    expect(info.rejected[0]).to.include({ backend: 'webgpu', code: 'SOFTWARE_ADAPTER' });
    expect(info.rejected[0]!.reason).to.match(/swiftshader/i);
    expect(info.decision).to.equal('measured');
    expect(Object.keys(info.measured).sort()).to.deep.equal(['cpu', 'wasm']);
    expect(Object.keys(info.measuredBatch).sort()).to.deep.equal(['cpu', 'wasm']);
    const score = (b: 'wasm' | 'cpu') => measureScore(info.measured[b]!, info.measuredBatch[b]!);
    const loser = info.backend === 'cpu' ? 'wasm' : 'cpu';
    expect(score(info.backend as 'wasm' | 'cpu')).to.be.below(score(loser));
    expect(info.rejected.slice(1)).to.have.length(1);
    expect(info.rejected[1]).to.include({ backend: loser, code: 'SLOWER' });
    expect(info.rejected[1]!.reason).to.match(
      /^measured [\d.]+ [µm]s per call at batch 1 and [\d.]+ [µm]s at batch 32 on \w+ \(score [\d.]+ [µm]s per row\) vs /,
    );
    // 160 multiply-adds per row: the direct kernel does in well under a µs what costs WASM several tfjs ops.
    expect(info).to.include({ backend: 'cpu', lean: 'direct' });
    expect(info.timings.measureMs).to.be.greaterThan(0);
    await model.dispose();
  });

  it('measure: times software WebGPU too, keeps the fastest, and remembers it per device + version', async () => {
    localStorage.removeItem('ferryml.backend:mlp@1.0.0');
    const first = await loadModel(base('mlp', { select: 'measure', remember: true }));
    expect(first.info.backend).to.equal('cpu');
    expect(first.info.decision).to.equal('measured');
    expect(first.info.measured.webgpu).to.be.greaterThan(first.info.measured.wasm!);
    expect(first.info.measuredBatch.webgpu).to.be.greaterThan(0);
    expect(first.info.rejected.map((r) => [r.backend, r.code])).to.deep.equal([
      ['webgpu', 'SLOWER'],
      ['wasm', 'SLOWER'],
    ]);
    const stored = JSON.parse(localStorage.getItem('ferryml.backend:mlp@1.0.0')!);
    expect(stored).to.include({ backend: 'cpu' });
    expect(stored.measuredBatch).to.deep.equal(first.info.measuredBatch);
    await first.dispose();

    const second = await loadModel(base('mlp', { select: 'measure', remember: true }));
    expect(second.info.decision).to.equal('remembered');
    expect(second.info).to.include({ backend: 'cpu', lean: 'direct' });
    expect(second.info.measured).to.deep.equal(first.info.measured);
    expect(second.info.measuredBatch).to.deep.equal(first.info.measuredBatch);
    expect(second.info.rejected.map((r) => [r.backend, r.code])).to.deep.equal([
      ['webgpu', 'REMEMBERED'],
      ['wasm', 'REMEMBERED'],
    ]);
    expect(second.info.rejected[0]!.reason).to.match(
      /an earlier measurement on this device chose cpu \(webgpu [\d.]+ [µm]s \/ [\d.]+ [µm]s vs .* per call at batch 1 \/ 32/,
    );
    expect(second.info.timings.measureMs).to.equal(0);
    await second.dispose();

    // Another device (a changed fingerprint) measures again instead of trusting the record.
    localStorage.setItem('ferryml.backend:mlp@1.0.0', JSON.stringify({ ...stored, device: 'another-device' }));
    const third = await loadModel(base('mlp', { select: 'measure', remember: true }));
    expect(third.info.decision).to.equal('measured');
    await third.dispose();
    localStorage.removeItem('ferryml.backend:mlp@1.0.0');
  });

  it("select: 'first' takes the first that works without measuring; backend: 'wasm' forces it", async () => {
    const first = await loadModel(base('mlp', { select: 'first', backends: ['wasm', 'cpu'] }));
    expect(first.info).to.include({ backend: 'wasm', decision: 'first', lean: 'fused-ops' });
    expect(first.info.measured).to.deep.equal({});
    expect(first.info.timings.measureMs).to.equal(0);
    await first.dispose();
    const forced = await loadModel(base('mlp', { backend: 'wasm' }));
    expect(forced.info).to.include({ backend: 'wasm', decision: 'forced' });
    expect(forced.info.rejected).to.deep.equal([]);
    await forced.dispose();
  });

  it('decodes classification (label, probabilities, top-k) and regression (value, named values)', async () => {
    const { rows, outputs } = await golden('mlp');
    const model = await loadModel(base('mlp', { backend: 'cpu', topK: 2 }));
    const p = await model.predict(rows[0]!);
    if (p.kind !== 'classification') throw new Error('expected classification');
    const expected = outputs[0]!;
    const best = expected.indexOf(Math.max(...expected));
    expect(p.label).to.equal(['red', 'green', 'blue'][best]);
    expect(Object.keys(p.probabilities)).to.deep.equal(['red', 'green', 'blue']);
    expect(maxDiff(Object.values(p.probabilities), expected)).to.be.below(1e-5);
    expect(p.top).to.have.length(2);
    expect(p.top[0]!.label).to.equal(p.label);
    expect(p.top[0]!.probability).to.be.at.least(p.top[1]!.probability);
    await model.dispose();

    const reg = await loadModel(base('reg', { backend: 'cpu' }));
    const regGolden = await golden('reg');
    const r = await reg.predict(regGolden.rows[2]!);
    if (r.kind !== 'regression') throw new Error('expected regression');
    expect(Object.keys(r.values)).to.deep.equal(['price', 'weight']);
    expect(r.value).to.equal(r.values.price);
    expect(maxDiff([r.values.price!, r.values.weight!], regGolden.outputs[2]!)).to.be.below(1e-5);
    await reg.dispose();
  });
});
