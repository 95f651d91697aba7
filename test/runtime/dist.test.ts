// The SDK as it ships: dist/ferryml.js built by rollup.config.mjs (test/server/sdk-dist.mjs runs
// the SDK build once), loaded as an app loads it. `worker: true` must find the emitted
// ferryml-worker.js from whichever chunk starts it, and predict what page mode predicts.
import { expect } from 'chai';
import { requestsDuring } from '../model/helpers.js';
import { maxDiff } from './helpers.js';

const DIST = '/.cache/sdk-dist/';
const BUNDLE = '/models/penguins/1.1.0/';
const WASM = '/node_modules/@tensorflow/tfjs-backend-wasm/dist/';

type Sdk = typeof import('../../src/index.js');

async function built(): Promise<{ files: string[]; requests: Record<string, number> }> {
  const response = await fetch('/__sdk-dist');
  if (!response.ok) throw new Error(`the SDK build failed: ${await response.text()}`);
  return response.json() as Promise<{ files: string[]; requests: Record<string, number> }>;
}

describe('the built SDK (dist/)', () => {
  // First in this file: nothing has loaded tfjs on this page yet.
  it('penguins on the page and with worker: true loads no tfjs chunk and no .wasm: the plain-JS engine answers from the SDK core and the bundle', async function () {
    // First in the file, so it waits for the SDK build (test/server/sdk-dist.mjs): slow on a loaded machine.
    this.timeout(240_000);
    await built();
    const golden = (await (await fetch(`${BUNDLE}golden.json`)).json()) as { rows: Array<Record<string, unknown>>; outputs: number[][] };
    const { urls } = await requestsDuring(async () => {
      const sdk = (await import(/* the built file, not the source */ `${DIST}ferryml.js`)) as Sdk;
      for (const worker of [false, true]) {
        const model = await sdk.loadModel({ bundle: BUNDLE, cache: false, remember: false, worker });
        expect(model.info).to.include({ engine: 'js', worker });
        expect(model.info.goldenError).to.be.below(1e-4);
        const p = await model.predict(golden.rows[0]!);
        expect(maxDiff(p.raw, golden.outputs[0]!)).to.be.below(1e-5);
        await model.dispose();
      }
    });
    const list = urls.join('\n');
    // The engine chunk (the only one importing tfjs) and the vendored tfjs never load; the worker's own imports are in the log.
    expect(
      urls.filter((u) => /\/\.cache\/vendor\/|\.wasm$|\/chunks\/engine-/.test(u)),
      list,
    ).to.deep.equal([]);
    // The cold path is one lazy chunk (rollup.config.mjs plainPathChunk): loaded, and nothing lazy besides it and the worker's script.
    expect(urls.filter((u) => /\/chunks\/plain-path-[\w-]+\.js$/.test(u)).length, list).to.equal(1);
    // The shipped worker is self-contained (tfjs bundled in, rollup.config.mjs selfContainedWorker):
    // tfjs's packages are its lazy `worker/dist-*` chunks, and the plain-JS engine loads none.
    expect(
      urls.filter((u) => /\/worker\/dist-[\w-]+\.js$/.test(u)),
      list,
    ).to.deep.equal([]);
    expect(urls, list).to.include(`${DIST}ferryml-worker.js`);
    expect('_tfengine' in globalThis).to.equal(false);
  });

  it('the worker host starts the emitted worker through `new Worker(new URL(…, import.meta.url))`, relative to its own chunk', async () => {
    const { files } = await built();
    expect(files).to.include.members(['ferryml.js', 'ferryml-worker.js']);
    const host = files.find((f) => /^chunks\/worker-host-[\w-]+\.js$/.test(f));
    expect(host, files.join(', ')).to.be.a('string');
    const code = await (await fetch(DIST + host!)).text();
    // The form rollup, Vite and webpack 5 recognise: literal relative URL, no `.href`, inside `new Worker(…)`.
    // (The test server re-prints served JavaScript, so quotes may differ from the file.)
    const found = /new Worker\(new URL\((["'])([^"']+)\1, import\.meta\.url\), \{ type: (["'])module\3/.exec(code);
    expect(
      found,
      code
        .split('\n')
        .filter((l) => l.includes('new Worker'))
        .join('\n'),
    ).to.not.equal(null);
    expect(new URL(found![2]!, new URL(DIST + host!, location.href)).pathname).to.equal(`${DIST}ferryml-worker.js`);
  });

  it('worker: true loads dist/ferryml-worker.js and predicts the shipped penguins model exactly as page mode does', async () => {
    await built();
    const sdk = (await import(/* the built file, not the source */ `${DIST}ferryml.js`)) as Sdk;
    const golden = (await (await fetch(`${BUNDLE}golden.json`)).json()) as { rows: Array<Record<string, unknown>>; outputs: number[][] };
    const options = { bundle: BUNDLE, cache: false as const, remember: false, backend: 'wasm' as const, wasmPaths: WASM };

    const inWorker = await sdk.loadModel({ ...options, worker: true });
    expect(inWorker.info.worker).to.equal(true);
    const fromWorker = await inWorker.predictBatch(golden.rows);
    await inWorker.dispose();
    expect((await built()).requests['ferryml-worker.js']).to.equal(1);
    // tfjs-core creates `globalThis._tfengine` when evaluated: the page has not loaded it.
    expect('_tfengine' in globalThis).to.equal(false);

    const onPage = await sdk.loadModel(options);
    expect(onPage.info.worker).to.equal(false);
    const fromPage = await onPage.predictBatch(golden.rows);
    await onPage.dispose();

    expect(fromWorker.issues).to.deep.equal(fromPage.issues);
    fromWorker.predictions.forEach((p, i) => {
      expect(Array.from(p!.raw), `row ${i}`).to.deep.equal(Array.from(fromPage.predictions[i]!.raw));
      expect(maxDiff(p!.raw, golden.outputs[i]!), `row ${i} vs golden`).to.be.below(1e-5);
    });
  });
});
