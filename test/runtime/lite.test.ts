// ferryml/lite as it ships (dist/lite.js, built by test/server/sdk-dist.mjs like dist.test.ts):
// a tabular model loads and predicts with no tfjs and no .wasm requested, and whatever needs tfjs
// (a model no plain-JS kernel runs, a forced tfjs backend, worker mode) is refused with NEEDS_TFJS.
import { expect } from 'chai';
import { requestsDuring } from '../model/helpers.js';
import { maxDiff, rejectionOf } from './helpers.js';

const DIST = '/.cache/sdk-dist/';
const PENGUINS = '/models/penguins/1.1.0/';
const DIGITS = '/models/digits/1.0.0/';

type Lite = typeof import('../../src/entries/lite.js');

async function lite(): Promise<Lite> {
  const response = await fetch('/__sdk-dist');
  if (!response.ok) throw new Error(`the SDK build failed: ${await response.text()}`);
  return (await import(/* the built file, not the source */ `${DIST}lite.js`)) as Lite;
}

/**
 * Anything of tfjs: its packages (vendored or from node_modules), its .wasm, the SDK's tfjs chunks
 * (`<name>-<8-character hash>.js`), the worker.
 */
const TFJS = /@tensorflow|\/\.cache\/vendor\/|\.wasm$|\/chunks\/(engine|import-engine|plain-measure|worker-host)-[\w-]{8}\.js$|ferryml-worker\.js$/;

describe('ferryml/lite (dist/lite.js)', () => {
  it('loads penguins and predicts on the plain-JS engine (golden rows checked) with no tfjs module and no .wasm requested', async function () {
    // Waits for the SDK build (test/server/sdk-dist.mjs) when this file runs first: slow on a loaded machine.
    this.timeout(240_000);
    const sdk = await lite();
    const golden = (await (await fetch(`${PENGUINS}golden.json`)).json()) as { rows: Array<Record<string, unknown>>; outputs: number[][] };
    const { urls } = await requestsDuring(async () => {
      const model = await sdk.loadModel({ bundle: PENGUINS, cache: false, remember: false });
      expect(model.info).to.include({ engine: 'js', backend: 'cpu', worker: false });
      expect(model.info.engineReason).to.contain('tfjs not loaded');
      expect(model.info.goldenError, 'the golden check ran').to.be.a('number').and.below(1e-4);
      for (const i of [0, 3]) expect(maxDiff((await model.predict(golden.rows[i]!)).raw, golden.outputs[i]!)).to.be.below(1e-5);
      await model.dispose();
    });
    expect(
      urls.filter((u) => TFJS.test(u)),
      urls.join('\n'),
    ).to.deep.equal([]);
    // The cold path, shared with the root entry, is one lazy chunk (rollup.config.mjs plainPathChunk).
    expect(urls.filter((u) => /\/chunks\/plain-path-[\w-]+\.js$/.test(u)).length, urls.join('\n')).to.equal(1);
    expect('_tfengine' in globalThis).to.equal(false);
  });

  it('refuses what needs tfjs with NEEDS_TFJS naming ferryml: a conv model, a forced backend, engine: tfjs, worker mode — and still loads no tfjs', async function () {
    this.timeout(120_000);
    const sdk = await lite();
    const { urls } = await requestsDuring(async () => {
      const conv = await rejectionOf(sdk.loadModel({ bundle: DIGITS, cache: false, remember: false }));
      expect(conv.code).to.equal('NEEDS_TFJS');
      expect(conv.message).to.contain("import loadModel from 'ferryml'");
      expect(conv.details.reason).to.contain('no plain-JS kernel');
      for (const [option, words] of [
        [{ backend: 'wasm' }, "backend: 'wasm'"],
        [{ engine: 'tfjs' }, "engine: 'tfjs'"],
        [{ worker: true }, 'worker'],
      ] as const) {
        const e = await rejectionOf(sdk.loadModel({ bundle: PENGUINS, cache: false, remember: false, ...option }));
        expect(e.code, JSON.stringify(option)).to.equal('NEEDS_TFJS');
        expect(e.message).to.contain(words).and.contain("'ferryml'");
      }
    });
    expect(
      urls.filter((u) => TFJS.test(u)),
      urls.join('\n'),
    ).to.deep.equal([]);
    expect('_tfengine' in globalThis).to.equal(false);
  });
});
