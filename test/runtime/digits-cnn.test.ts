// The shipped digits CNN (digits 2.0.0, training/digits-cnn.ts): its golden rows pass on every
// backend as loaded (a forced backend fails the load rather than answer wrong), predictions equal
// the golden outputs, and the registry serves it as stable with the MLP 1.0.0 still listed.
import { expect } from 'chai';
import { loadModel } from '../../src/load-model.js';
import type { ClassificationPrediction } from '../../src/index.js';
import { WASM, maxDiff } from './helpers.js';

const BUNDLE = '/models/digits/2.0.0/';

describe('digits 2.0.0: the CNN on every backend', () => {
  for (const backend of ['webgpu', 'wasm', 'cpu'] as const) {
    it(`passes its golden check on ${backend} and answers as in training`, async () => {
      const { rows, outputs } = (await (await fetch(`${BUNDLE}golden.json`)).json()) as { rows: unknown[]; outputs: number[][] };
      const model = await loadModel({ bundle: BUNDLE, backend, cache: false, remember: false, wasmPaths: WASM });
      try {
        expect(model.info.backend).to.equal(backend);
        expect(model.info.version).to.equal('2.0.0');
        const { predictions } = await model.predictBatch(rows as never[]);
        // webgpu computes in its own order (tolerance as the golden check's); wasm and cpu as trained.
        const tolerance = backend === 'webgpu' ? 1e-3 : 1e-4;
        predictions.forEach((p, i) => {
          const c = p as ClassificationPrediction;
          const expected = outputs[i]!;
          expect(maxDiff(c.raw, expected), `row ${i}`).to.be.below(tolerance);
          expect(c.label, `row ${i}`).to.equal(String(expected.indexOf(Math.max(...expected))));
        });
        // One golden row per digit, each read as its own digit.
        expect(predictions.map((p) => (p as ClassificationPrediction).label).sort()).to.deep.equal(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      } finally {
        await model.dispose();
      }
    });
  }

  it('is the stable digits version; 1.0.0 stays in the registry', async () => {
    const index = (await (await fetch('/models/index.json')).json()) as { models: Record<string, { versions: string[]; channels: Record<string, string> }> };
    expect(index.models['digits']!.versions).to.include.members(['1.0.0', '2.0.0']);
    expect(index.models['digits']!.channels['stable']).to.equal('2.0.0');
    const model = await loadModel({ registry: '/models/index.json', name: 'digits', backend: 'cpu', cache: false, remember: false });
    expect(model.info.version).to.equal('2.0.0');
    await model.dispose();
  });
});
