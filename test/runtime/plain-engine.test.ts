// The plain-JS engine's parts: the dense chain read from model.json + shards without tfjs
// (dense-artifacts.ts) equals the one read from a loaded tfjs model, bit for bit through the
// direct kernel; what it refuses goes to tfjs with the reason on model.info; and the background
// measurement for models big enough that tfjs might be faster.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadModel } from '../../src/load-model.js';
import { readDenseArtifacts } from '../../src/runtime/dense-artifacts.js';
import { createDirect } from '../../src/runtime/direct.js';
import { readDenseChain, toDenseSteps } from '../../src/runtime/lean.js';
import { BACKGROUND_MEASURE_ABOVE } from '../../src/runtime/plain-engine.js';
import { measureScore } from '../../src/runtime/measure.js';
import type { ModelInfo } from '../../src/runtime/model-types.js';
import { denseBundle, denseModel, rowsOf, values } from './dense-bundle.js';
import { WASM } from './helpers.js';
import { deviceFingerprint } from '../../src/runtime/device-fingerprint.js';

/** A model's artifacts as `model.save` hands them over (what the bundle's IOHandler returns). */
async function artifactsOf(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let out: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => ((out = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
  return out!;
}

describe('runtime: the plain-JS engine', () => {
  before(() => tf.setBackend('cpu'));

  it('reads a Sequential and a Functional dense chain from model.json + weights exactly as from the loaded model', async () => {
    const input = tfl.input({ shape: [12] });
    const h = tfl.layers.dense({ units: 9, activation: 'tanh' }).apply(tfl.layers.dropout({ rate: 0.3 }).apply(input)) as tfl.SymbolicTensor;
    const out = tfl.layers.activation({ activation: 'softmax' }).apply(tfl.layers.dense({ units: 4, useBias: false }).apply(h)) as tfl.SymbolicTensor;
    const functional = tfl.model({ inputs: input, outputs: out });
    functional.setWeights(functional.getWeights().map((w, i) => tf.tensor(values(w.size, 40 + i), w.shape)));
    for (const [name, model, width] of [
      [
        'sequential',
        denseModel(
          60,
          [
            [24, 'relu'],
            [5, 'softmax'],
          ],
          9,
        ),
        60,
      ],
      ['functional', functional, 12],
    ] as const) {
      const fromFile = readDenseArtifacts(await artifactsOf(model));
      if (!('steps' in fromFile)) throw new Error(fromFile.reason);
      expect(fromFile.width, name).to.equal(width);
      const chain = readDenseChain(model);
      if (!('steps' in chain)) throw new Error(chain.reason);
      const fromModel = toDenseSteps(chain.steps);
      expect(fromFile.steps.map((s) => [s.activation, s.kernel?.inputs, s.kernel?.units, s.bias?.length])).to.deep.equal(
        fromModel.map((s) => [s.activation, s.kernel?.inputs, s.kernel?.units, s.bias?.length]),
      );
      const a = createDirect(fromFile.steps, width);
      const b = createDirect(fromModel, width);
      if (!('run' in a) || !('run' in b)) throw new Error('no kernel');
      const x = values(width * 7, 3, 2);
      expect(Array.from(a.run(x, 7)), name).to.deep.equal(Array.from(b.run(x, 7)));
      model.dispose();
    }
  });

  it('says why it does not take a model, and tfjs runs it', async () => {
    const leaky = tfl.sequential({ layers: [tfl.layers.dense({ units: 6, inputShape: [5] }), tfl.layers.leakyReLU(), tfl.layers.dense({ units: 2 })] });
    const artifacts = await artifactsOf(leaky);
    expect(readDenseArtifacts(artifacts))
      .to.have.property('reason')
      .that.matches(/^layer \S+ \(LeakyReLU\) is not Dense, Activation or an inference-time identity$/);
    expect(readDenseArtifacts({ ...artifacts, weightSpecs: artifacts.weightSpecs!.map((s, i) => (i === 0 ? { ...s, dtype: 'int32' as const } : s)) }))
      .to.have.property('reason')
      .that.contains('is int32, not plain float32');
    const files = await denseBundle('leaky', leaky, 5, rowsOf(5, 4));
    leaky.dispose();
    const model = await loadModel({ files, remember: false, wasmPaths: WASM });
    expect(model.info.engine).to.equal('tfjs');
    expect(model.info.engineReason).to.match(/^tfjs: no plain-JS kernel runs this model: not a dense chain \(layer \S+ \(LeakyReLU\) is not Dense/);
    await model.dispose();
  });

  it(`a model over ${BACKGROUND_MEASURE_ABOVE} multiply-adds per row answers from the kernel, then tfjs is measured in the background and the faster kept and remembered`, async () => {
    // 96→64→10: 6,784 multiply-adds per row, between the background threshold and the kernel's bound.
    const files = await denseBundle(
      'mid',
      denseModel(
        96,
        [
          [64, 'relu'],
          [10, 'softmax'],
        ],
        5,
      ),
      96,
      rowsOf(96, 6),
      Array.from({ length: 10 }, (_, i) => `c${i}`),
    );
    const key = 'ferryml.backend:mid@1.0.0';
    localStorage.removeItem(key);
    const changed = new Promise<ModelInfo>((resolve) => {
      void loadModel({ files, wasmPaths: WASM, onBackendChange: resolve }).then(async (model) => {
        expect(model.info).to.include({ engine: 'js', decision: 'kernel' });
        expect(model.info.measured).to.deep.equal({});
        // The first answer comes from the kernel; the measurement starts after it.
        await model.predict(rowsOf(96, 1)[0]!);
        after.push(model);
      });
    });
    const after: Array<{ dispose(): Promise<void>; info: ModelInfo; predict(row: Record<string, number>): Promise<{ raw: Float32Array }> }> = [];
    const info = await changed;
    const model = after[0]!;
    expect(Object.keys(info.measured).sort()).to.deep.equal(['cpu', 'wasm']);
    const score = (b: 'cpu' | 'wasm') => measureScore(info.measured[b]!, info.measuredBatch[b]!);
    const winner = score('wasm') < score('cpu') ? 'wasm' : 'cpu';
    expect(info.backend).to.equal(winner);
    expect(info.engine).to.equal(winner === 'cpu' ? 'js' : 'tfjs');
    expect(info.rejected.at(-1)).to.include({ backend: winner === 'cpu' ? 'wasm' : 'cpu', code: 'SLOWER' });
    expect(info.engineReason).to.contain('measured in the background after the first answer');
    expect(JSON.parse(localStorage.getItem(key)!)).to.include({ backend: winner });
    // Predictions go on, on the winner.
    expect((await model.predict(rowsOf(96, 1)[0]!)).raw).to.have.length(10);
    await model.dispose();

    // The next load follows the remembered choice without measuring again.
    const again = await loadModel({ files, wasmPaths: WASM });
    expect(again.info).to.include({ backend: winner, decision: 'remembered', engine: winner === 'cpu' ? 'js' : 'tfjs' });
    await again.dispose();
    localStorage.removeItem(key);
  });
  it('a remembered tfjs choice sends the model to tfjs only for a backend `backends` still allows, on what could be this device', async () => {
    const rows = rowsOf(96, 4);
    const files = await denseBundle(
      'stale',
      denseModel(
        96,
        [
          [64, 'relu'],
          [10, 'softmax'],
        ],
        5,
      ),
      96,
      rows,
      Array.from({ length: 10 }, (_, i) => `c${i}`),
    );
    const key = 'ferryml.backend:stale@1.0.0';
    const record = (backend: string, device: string) =>
      localStorage.setItem(
        key,
        JSON.stringify({
          backend,
          device,
          measured: { cpu: 0.02, [backend]: 0.01 },
          measuredBatch: { cpu: 0.2, [backend]: 0.1 },
          at: '2026-12-01T00:00:00.000Z',
        }),
      );
    try {
      // Honoured: wasm, allowed, chosen on this browser (no WebGPU in `backends`, so no adapter in the fingerprint).
      record('wasm', deviceFingerprint(undefined));
      const honoured = await loadModel({ files, wasmPaths: WASM, backends: ['wasm', 'cpu'] });
      expect(honoured.info).to.include({ engine: 'tfjs', backend: 'wasm', decision: 'remembered' });
      await honoured.dispose();
      // The app has moved to backends: ['cpu']: the kernel, not tfjs cpu, and nothing to measure against.
      const cpuOnly = await loadModel({ files, wasmPaths: WASM, backends: ['cpu'] });
      expect(cpuOnly.info).to.include({ engine: 'js', backend: 'cpu', decision: 'kernel' });
      expect(cpuOnly.info.engineReason).to.match(/not measured against tfjs \(`backends` allows only cpu/);
      await cpuOnly.dispose();
      // Another browser version or machine: the kernel is tried (and would be measured again after its first answer).
      record('wasm', `00000000:${deviceFingerprint(undefined).split(':').slice(1).join(':')}`);
      const elsewhere = await loadModel({ files, wasmPaths: WASM });
      expect(elsewhere.info).to.include({ engine: 'js', decision: 'kernel' });
      await elsewhere.dispose();
      // A kernel win remembered elsewhere is not taken as this device's either.
      record('cpu', '00000000:none');
      const cpuElsewhere = await loadModel({ files, wasmPaths: WASM });
      expect(cpuElsewhere.info).to.include({ engine: 'js', decision: 'kernel' });
      await cpuElsewhere.dispose();
    } finally {
      localStorage.removeItem(key);
    }
  });
});
