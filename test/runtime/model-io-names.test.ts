// A manifest's inputs and outputs matched to the model by name, whatever order it lists them in;
// inputs the model could only read wrongly refused at load with MANIFEST_INVALID naming them: a
// dtype the model does not take, an image column in another layout (channels first, width and
// height swapped). Real tfjs-layers models made in the page and graph models written as JSON, on cpu.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadModel } from '../../src/load-model.js';
import { maxDiff, rejectionOf } from './helpers.js';
import { sha256Hex, utf8 } from './bundle-files.js';
import { bundle, seed } from './io-bundle.js';

const load = (files: Map<string, Uint8Array>) => loadModel({ files, backend: 'cpu', remember: false, cache: false });
const numbers = (columns: string[]) => ({
  formatVersion: 2,
  columns: columns.map((name) => ({ name, type: 'number', steps: [{ kind: 'passthrough' }] })),
  features: columns,
  width: columns.length,
});

/** Two inputs of the same shape, `a` then `b` in the model → `a − b`: swapped inputs change the sign. */
function difference(): tfl.LayersModel {
  const a = tfl.input({ shape: [2], name: 'a' });
  const b = tfl.input({ shape: [2], name: 'b' });
  const negate = tfl.layers.dense({ units: 2, useBias: false, name: 'negate' });
  const out = tfl.layers.add().apply([a, negate.apply(b) as tfl.SymbolicTensor]) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: [a, b], outputs: out });
  negate.setWeights([tf.tensor2d([-1, 0, 0, -1], [2, 2])]);
  return model;
}

/** One input → `logits` (dense) and `probs` (their softmax), in that order. */
function logitsAndProbs(): tfl.LayersModel {
  const x = tfl.input({ shape: [2], name: 'x' });
  const logits = tfl.layers.dense({ units: 3, name: 'logits' }).apply(x) as tfl.SymbolicTensor;
  const probs = tfl.layers.softmax({ name: 'probs' }).apply(logits) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: x, outputs: [logits, probs] });
  seed(model, 5);
  return model;
}

/**
 * A graph model written as a GraphDef (no weights): float32 `a` and int32 `b` (`[-1, 2]` each) →
 * `sum` = a + b and `diff` = a − b, the graph's outputs in that order. `bType` replaces b's dtype.
 */
async function graphBundle(extra: Record<string, unknown>, bType = 'DT_INT32'): Promise<Map<string, Uint8Array>> {
  const placeholder = (name: string, type: string) => ({
    name,
    op: 'Placeholder',
    attr: { dtype: { type }, shape: { shape: { dim: [{ size: '-1' }, { size: '2' }] } } },
  });
  const topology = {
    node: [
      placeholder('a', 'DT_FLOAT'),
      placeholder('b', bType),
      { name: 'bf', op: 'Cast', input: ['b'], attr: { SrcT: { type: bType }, DstT: { type: 'DT_FLOAT' } } },
      { name: 'sum', op: 'AddV2', input: ['a', 'bf'], attr: { T: { type: 'DT_FLOAT' } } },
      { name: 'diff', op: 'Sub', input: ['a', 'bf'], attr: { T: { type: 'DT_FLOAT' } } },
    ],
    versions: { producer: 1 },
  };
  const files = new Map<string, Uint8Array>([
    ['model.json', utf8({ format: 'graph-model', modelTopology: topology, weightsManifest: [] })],
    ['schema.json', utf8(numbers(['a0', 'a1', 'b0', 'b1']))],
  ]);
  const manifest = {
    formatVersion: 1,
    name: 'graph',
    version: '1.0.0',
    createdAt: '2026-01-01T00:00:00.000Z',
    model: { format: 'graph-model', entry: 'model.json' },
    files: await Promise.all([...files].map(async ([path, bytes]) => ({ path, bytes: bytes.byteLength, sha256: await sha256Hex(bytes) }))),
    schema: 'schema.json',
    ...extra,
  };
  files.set('manifest.json', utf8(manifest));
  return files;
}

/** A layers model taking `shape` per row, fed by one `width × height × 3` image column. */
async function imageBundle(shape: number[], width: number, height: number): Promise<Map<string, Uint8Array>> {
  const x = tfl.input({ shape, name: 'pixels' });
  const flat = shape.length > 1 ? (tfl.layers.flatten().apply(x) as tfl.SymbolicTensor) : x;
  const y = tfl.layers.dense({ units: 2, name: 'out' }).apply(flat) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: x, outputs: y });
  seed(model, 9);
  const count = width * height * 3;
  const schema = {
    formatVersion: 2,
    columns: [{ name: 'photo', type: 'image', steps: [{ kind: 'image', width, height, channels: 3, scale: [1 / 255], offset: [0] }] }],
    features: [{ column: 'photo', count }],
    width: count,
  };
  const files = await bundle(model, [], { model: { format: 'layers-model', entry: 'model.json' }, output: { kind: 'regression' } }, undefined, schema);
  model.dispose();
  return files;
}

const rowsOf = (n: number) => Array.from({ length: n }, (_, r) => ({ a0: r + 0.5, a1: -2 * r, b0: r % 3, b1: 7 - r }));

describe('runtime: inputs and outputs matched by name', () => {
  before(() => tf.setBackend('cpu'));

  it('a layers model gets each input at its own position, whatever order the manifest lists them in', async () => {
    const model = difference();
    // The manifest (and so each row) lists b before a.
    const files = await bundle(model, ['b0', 'b1', 'a0', 'a1'], {
      model: {
        format: 'layers-model',
        entry: 'model.json',
        inputs: [
          { name: 'b', shape: [2] },
          { name: 'a', shape: [2] },
        ],
      },
      output: { kind: 'regression', names: ['d0', 'd1'] },
    });
    const loaded = await load(files);
    const { predictions } = await loaded.predictBatch(rowsOf(4));
    predictions.forEach((p, r) => {
      if (p?.kind !== 'regression') throw new Error(`row ${r}: ${p?.kind}`);
      const row = rowsOf(4)[r]!;
      expect(Array.from(p.raw), `row ${r}: a − b`).to.deep.equal([row.a0 - row.b0, row.a1 - row.b1]);
    });
    await loaded.dispose();
    model.dispose();
  });

  it("a layers model's outputs come back under the manifest's names in any order; by position when none is the model's", async () => {
    const model = logitsAndProbs();
    const rows = [{ x0: 0.5, x1: -1 }];
    const [logits, probs] = (model.predict(tf.tensor2d([[0.5, -1]])) as tf.Tensor[]).map((t) => Array.from(t.dataSync()));
    const raw = (outputs: Array<{ name: string; shape: number[] }>) =>
      bundle(model, ['x0', 'x1'], { model: { format: 'layers-model', entry: 'model.json' }, output: { kind: 'raw', outputs } });
    const named = await load(
      await raw([
        { name: 'probs', shape: [3] },
        { name: 'logits', shape: [3] },
      ]),
    );
    const p = await named.predict(rows[0]!);
    if (p.kind !== 'raw') throw new Error(p.kind);
    expect(maxDiff(p.outputs.probs!.data, probs!)).to.be.below(1e-6);
    expect(maxDiff(p.outputs.logits!.data, logits!)).to.be.below(1e-6);
    // The softmax is not the logits: a swap would show.
    expect(maxDiff(probs!, logits!)).to.be.above(0.1);
    await named.dispose();
    // None of the names is the model's: read by position, as before.
    const positional = await load(
      await raw([
        { name: 'first', shape: [3] },
        { name: 'second', shape: [3] },
      ]),
    );
    const q = await positional.predict(rows[0]!);
    if (q.kind !== 'raw') throw new Error(q.kind);
    expect(maxDiff(q.outputs.first!.data, logits!)).to.be.below(1e-6);
    await positional.dispose();
    // Some are the model's, some not: refused, naming the stray one.
    const error = await rejectionOf(
      load(
        await raw([
          { name: 'probs', shape: [3] },
          { name: 'scores', shape: [3] },
        ]),
      ),
    );
    expect(error.code).to.equal('MANIFEST_INVALID');
    expect(error.message).to.contain('The manifest\'s output "scores" is not one of the model\'s outputs (logits, probs)');
    expect(error.details).to.deep.include({ output: 'scores', expected: ['logits', 'probs'] });
    model.dispose();
  });

  const inputs = [
    { name: 'a', shape: [2] },
    { name: 'b', shape: [2], dtype: 'int32' },
  ];

  it("a graph model's outputs are asked for by name in the manifest's order", async () => {
    const rows = rowsOf(3);
    const files = await graphBundle({
      model: { format: 'graph-model', entry: 'model.json', inputs },
      output: {
        kind: 'raw',
        outputs: [
          { name: 'diff', shape: [2] },
          { name: 'sum', shape: [2] },
        ],
      },
    });
    const loaded = await load(files);
    const { predictions } = await loaded.predictBatch(rows);
    predictions.forEach((p, r) => {
      if (p?.kind !== 'raw') throw new Error(`row ${r}: ${p?.kind}`);
      const row = rows[r]!;
      expect(Array.from(p.outputs.diff!.data), `row ${r} diff`).to.deep.equal([row.a0 - row.b0, row.a1 - row.b1]);
      expect(Array.from(p.outputs.sum!.data), `row ${r} sum`).to.deep.equal([row.a0 + row.b0, row.a1 + row.b1]);
    });
    await loaded.dispose();
  });

  it('an input dtype the model does not take is refused at load (MANIFEST_INVALID, not every backend tried)', async () => {
    // The manifest says float32 for the graph's int32 input.
    const floats = await graphBundle({
      model: { format: 'graph-model', entry: 'model.json', inputs: [inputs[0], { name: 'b', shape: [2], dtype: 'float32' }] },
      output: { kind: 'regression' },
    });
    const wrongType = await rejectionOf(load(floats));
    expect(wrongType.code).to.equal('MANIFEST_INVALID');
    expect(wrongType.message).to.contain('Input "b": the model takes int32 but the manifest\'s model.inputs says float32; set its dtype to "int32"');
    expect(wrongType.details).to.deep.include({ input: 'b', expected: 'int32', got: 'float32' });
    // A bool input: nothing ferryml feeds.
    const bools = await graphBundle(
      { model: { format: 'graph-model', entry: 'model.json', inputs: [inputs[0], { name: 'b', shape: [2] }] }, output: { kind: 'regression' } },
      'DT_BOOL',
    );
    const bool = await rejectionOf(load(bools));
    expect(bool.code).to.equal('MANIFEST_INVALID');
    expect(bool.message).to.contain('Input "b": the model takes bool, ferryml feeds float32 or int32');
    expect(bool.details).to.deep.include({ input: 'b', got: 'bool' });
  });

  it('an input fed by one image column must take it as height × width × channels: channels first or width and height swapped is refused', async () => {
    const photo = { data: new Uint8ClampedArray(6 * 4 * 4).fill(128), width: 6, height: 4 };
    // Accepted: [h, w, c] and the flat [h·w·c].
    for (const shape of [[4, 6, 3], [72]]) {
      const loaded = await load(await imageBundle(shape, 6, 4));
      const p = await loaded.predict({ photo });
      expect(p.kind, String(shape)).to.equal('regression');
      await loaded.dispose();
    }
    // Same size, other layouts.
    for (const shape of [
      [3, 4, 6],
      [6, 4, 3],
    ]) {
      const error = await rejectionOf(load(await imageBundle(shape, 6, 4)));
      expect(error.code, String(shape)).to.equal('MANIFEST_INVALID');
      expect(error.message).to.contain(
        `Input "pixels" takes [${shape.join(', ')}] per row but image column "photo" writes height × width × channels [4, 6, 3]`,
      );
      expect(error.details).to.deep.include({ input: 'pixels', column: 'photo', expected: [4, 6, 3], got: shape });
    }
  });
});
