// The WebAssembly tree kernel in Chromium (SIMD for shallow trees, the walk for deeper ones, the
// walk also forced on each): bit for bit the JavaScript kernel's float64 sums on every committed
// tree bundle it takes (test/trees/simd-cases.ts, as in Node) and the committed edge-case bits; through loadModel, the first 256+-row call switches to it (on the page and in a
// worker) with identical predictions and `model.info.leanReason` saying so; and on a page whose
// Content-Security-Policy forbids compiling WebAssembly, it is refused with the reason.
import { expect } from 'chai';
import { loadModel } from '../../src/load-model.js';
import { outputBits, type EdgeCase } from '../trees/edges.js';
import { ensembleOf, simdProblems, runEdgeCaseSimd, type TreeModelJson } from '../trees/simd-cases.js';
import { simdRefusal } from '../../src/runtime/trees/simd.js';

const MODELS = '/test/fixtures/export/models';
const REGISTRY = `${MODELS}/index.json`;
const EDGES = '/test/fixtures/trees';
const WORKER = '/src/runtime/worker.ts';

async function bundle(dir: string): Promise<{ model: TreeModelJson & { format?: string; weightsManifest: Array<{ paths: string[] }> }; bin: ArrayBuffer }> {
  const model = await (await fetch(`${dir}/model.json`)).json();
  const bin =
    model.format === 'tree-ensemble' || model.modelTopology?.kind === 'tree-ensemble'
      ? await (await fetch(`${dir}/${model.weightsManifest[0].paths[0]}`)).arrayBuffer()
      : new ArrayBuffer(0);
  return { model, bin };
}

describe('runtime: the WebAssembly SIMD tree kernel', () => {
  it('equals the JavaScript kernel bit for bit on every committed tree bundle it takes', async () => {
    const names = Object.keys(((await (await fetch(REGISTRY)).json()) as { models: Record<string, unknown> }).models);
    const taken: string[] = [];
    for (const dir of [...names.map((n) => `${MODELS}/${n}/1.0.0`), ...['sklearn-tree', 'hist-gradient-boosting', 'xgboost'].map((n) => `${EDGES}/${n}`)]) {
      const { model, bin } = await bundle(dir);
      if (model.format !== 'tree-ensemble' && !dir.startsWith(EDGES)) continue;
      const e = ensembleOf(model, bin);
      const problems = await simdProblems(e);
      if (problems === undefined) expect(simdRefusal(e), dir).to.match(/categorical/);
      else {
        expect(problems, dir).to.deep.equal([]);
        expect(await simdProblems(e, 'walk'), `${dir} (walk)`).to.deep.equal([]);
        taken.push(dir);
      }
    }
    expect(taken.length).to.be.at.least(18);
  });

  it('gives the committed output bits on the threshold edge cases (as Node)', async () => {
    const { cases } = (await (await fetch(`${EDGES}/edges.json`)).json()) as { cases: EdgeCase[] };
    for (const c of cases) {
      const { model, bin } = await bundle(`${EDGES}/${c.name}`);
      for (const walk of ['auto', 'walk'] as const) {
        const got = await runEdgeCaseSimd(model, bin, c.inputBits, walk);
        expect(got, c.name).to.not.equal(undefined);
        expect(outputBits(got!), `${c.name} (${walk})`).to.deep.equal(c.ferrymlBits);
      }
    }
  });

  it('takes over from the first 256-row call, on the page and in a worker, with the same predictions', async () => {
    const { columns, rows, outputs } = (await (await fetch('/test/fixtures/export/expected/cancer-gb-zero.json')).json()) as {
      columns: string[];
      rows: unknown[][];
      outputs: number[][];
    };
    const objects = Array.from({ length: 300 }, (_, i) => Object.fromEntries(columns.map((c, k) => [c, rows[i % rows.length]![k]])));
    for (const worker of [undefined, { url: WORKER }]) {
      // The switch is not a change of backend: onBackendChange stays silent (and telemetry records no second load).
      let changes = 0;
      const model = await loadModel({
        registry: REGISTRY,
        name: 'cancer-gb-zero',
        cache: false,
        onBackendChange: () => void changes++,
        ...(worker ? { worker } : {}),
      });
      expect(model.info.leanReason).to.match(/a call of 256\+ rows \(or 4096 rows in calls of 8\+\) loads the WebAssembly SIMD kernel/);
      // Small calls (the JavaScript kernel), then one large call (the SIMD kernel).
      const small: number[] = [];
      for (let i = 0; i < objects.length; i += 5) for (const p of (await model.predictBatch(objects.slice(i, i + 5))).predictions) small.push(...p!.raw);
      expect(model.info.leanReason).to.match(/loads the WebAssembly SIMD kernel/);
      const large = await model.predictBatch(objects);
      expect(model.info.leanReason, worker ? 'worker' : 'page').to.match(/calls of 8\+ rows run the WebAssembly SIMD tree kernel/);
      expect(changes, 'onBackendChange calls').to.equal(0);
      expect(model.info).to.include({ engine: 'js', backend: 'cpu' });
      const raw = large.predictions.flatMap((p) => Array.from(p!.raw));
      expect(raw).to.deep.equal(small);
      raw.forEach((v, i) => expect(Math.abs(v - outputs[Math.floor(i / 2) % rows.length]![i % 2]!)).to.be.at.most(1e-6));
      // And columns in: the same values.
      const fromColumns = await model.predictColumns(Object.fromEntries(columns.map((c) => [c, objects.map((o) => o[c])])));
      expect(Array.from(fromColumns.outputs)).to.deep.equal(small);
      await model.dispose();
    }
  });

  it("is refused where the page's Content-Security-Policy forbids compiling WebAssembly, with the reason", async () => {
    // A real page with a real CSP (no 'wasm-unsafe-eval'): the tree kernel's SIMD compile fails there.
    const frame = document.createElement('iframe');
    const script = `
      import { offerTreeSimd } from '/src/runtime/trees/simd-slot.ts';
      import { treeKernel } from '/src/runtime/trees/plain-kernel.ts';
      const dir = '${MODELS}/cancer-gb-zero/1.0.0/';
      const m = await (await fetch(dir + 'model.json')).json();
      const bin = await (await fetch(dir + m.weightsManifest[0].paths[0])).arrayBuffer();
      offerTreeSimd(() => import('/src/runtime/trees/simd.ts'));
      const k = treeKernel({ artifacts: { modelTopology: m.modelTopology, weightSpecs: m.weightsManifest[0].weights, weightData: bin }, format: 'tree-ensemble', width: 30 });
      await k.prepare(300);
      const out = k.run(new Float32Array(300 * 30), 300);
      parent.postMessage({ description: k.description, rows: out.length / 2 }, '*');
    `;
    frame.srcdoc = `<meta http-equiv="Content-Security-Policy" content="script-src 'self' 'unsafe-inline'"><script type="module">${script}</script>`;
    const got = new Promise<{ description: string; rows: number }>((resolve) =>
      addEventListener('message', function on(event: MessageEvent) {
        if (event.source !== frame.contentWindow) return;
        removeEventListener('message', on);
        resolve(event.data as { description: string; rows: number });
      }),
    );
    document.body.append(frame);
    const { description, rows } = await got;
    frame.remove();
    expect(description).to.match(
      /the WebAssembly SIMD kernel is off: compiling WebAssembly is not allowed here \(a Content-Security-Policy without 'wasm-unsafe-eval'/,
    );
    expect(rows).to.equal(300);
  });
});
