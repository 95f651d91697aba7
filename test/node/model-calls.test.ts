// The predict path over a fake engine (createModel): how calls settle and are counted when they
// are aborted, time out, fail, or meet dispose() mid-batch — timing the real engines cannot pin down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FerryError, isFerryError } from '../../src/errors.js';
import { createModel } from '../../src/runtime/model.js';
import type { ModelParts } from '../../src/runtime/model.js';
import type { Engine, EngineReport } from '../../src/runtime/types.js';
import { compileSchema } from '../../src/schema/compile.js';
import type { Schema } from '../../src/schema/types.js';

const schema = JSON.parse(readFileSync('test/runtime/fixtures/models/mlp/1.0.0/schema.json', 'utf8')) as Schema;
const row = { a: 1, b: 2, c: 'x', d: true };
const codeOf = (e: unknown) => (isFerryError(e) ? e.code : String(e));

/** An engine whose runs wait until `release()` (or reject with `fail` when `dispose()` runs, as tfjs does when its model is freed). */
function fakeEngine(opts: { fail?: boolean; failOnDispose?: boolean } = {}) {
  let waiting: Array<() => void> = [];
  let onDispose: Array<() => void> = [];
  const state = { runs: 0, disposed: 0, disposing: false };
  const engine: Engine = {
    report: { outputWidth: 1 } as unknown as EngineReport,
    run(input, rows) {
      state.runs++;
      const out = new Float32Array(rows).fill(7);
      if (opts.fail) return Promise.reject(new FerryError('INFERENCE_FAILED', 'Inference on cpu failed: out of memory'));
      return new Promise((resolve, reject) => {
        waiting.push(() => resolve(out));
        onDispose.push(() => reject(new FerryError('INFERENCE_FAILED', 'Inference on cpu failed: Tensor is disposed')));
      });
    },
    async dispose() {
      state.disposing = true;
      if (opts.failOnDispose) for (const f of onDispose) f();
      onDispose = [];
      await new Promise((r) => setTimeout(r, 20));
      state.disposed++;
    },
  };
  const release = () => {
    const w = waiting;
    waiting = [];
    for (const f of w) f();
  };
  return { engine, state, release };
}

function modelOver(engine: Engine, overrides: Partial<ModelParts<Record<string, unknown>>> = {}) {
  return createModel<Record<string, unknown>>({
    schema: compileSchema(schema),
    bundle: { schema, manifest: {} as never },
    engine,
    output: { kind: 'regression' },
    base: {} as never,
    telemetry: undefined,
    maxBatch: 4,
    maxDelayMs: 0,
    timeoutMs: 0,
    topK: 1,
    transfers: false,
    ...overrides,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rowsOf = (n: number) => Array.from({ length: n }, () => row);

test('a bulk call split into chunks counts once when aborted, timed out or failed (stats and telemetry)', async () => {
  const failures: string[] = [];
  const telemetry = { failed: (code: string) => failures.push(code), start: () => NaN, issues() {}, outputs() {}, finished() {} };
  const { engine } = fakeEngine();
  const model = modelOver(engine, { telemetry: telemetry as unknown as ModelParts<unknown>['telemetry'] });
  const ac = new AbortController();
  const aborted = model.predictBatch(rowsOf(10), { signal: ac.signal });
  ac.abort();
  assert.equal(codeOf(await aborted.catch((e: unknown) => e)), 'ABORTED');
  const columns = model.predictColumns(
    { a: new Float64Array(10), b: new Float64Array(10), c: rowsOf(10).map(() => 'x'), d: rowsOf(10).map(() => true) },
    { timeoutMs: 5 },
  );
  assert.equal(codeOf(await columns.catch((e: unknown) => e)), 'TIMEOUT');
  await sleep(20);
  assert.deepEqual(model.stats(), { predictions: 0, batches: 1, invalid: 0, aborted: 1, timedOut: 1, failed: 0 });
  assert.deepEqual(failures, ['ABORTED', 'TIMEOUT']);

  const broken = modelOver(fakeEngine({ fail: true }).engine);
  assert.equal(codeOf(await broken.predictBatch(rowsOf(10)).catch((e: unknown) => e)), 'INFERENCE_FAILED');
  await sleep(5);
  assert.equal(broken.stats().failed, 1);
});

test('dispose() during a batch: running and queued calls all reject with DISPOSED; a second dispose() waits for the first', async () => {
  const { engine, state } = fakeEngine({ failOnDispose: true });
  const model = modelOver(engine);
  const running = [model.predict(row), model.predict(row)].map((p) => p.catch(codeOf));
  await sleep(1);
  const queued = model.predict(row).catch(codeOf);
  const first = model.dispose();
  await model.dispose();
  assert.equal(state.disposed, 1);
  await first;
  assert.deepEqual(await Promise.all([...running, queued]), ['DISPOSED', 'DISPOSED', 'DISPOSED']);
  assert.equal(model.stats().failed, 0);
  assert.equal(codeOf(await model.predict(row).catch((e: unknown) => e)), 'DISPOSED');
});

test('a bulk call whose chunk fails runs none of its other chunks, and leaves other calls alone', async () => {
  // Fails its first run only: a chunk run after it would succeed, so only the model can stop it.
  const { engine, state, release } = fakeEngine();
  const run = engine.run.bind(engine);
  engine.run = (input, rows) => (state.runs === 0 ? (state.runs++, Promise.reject(new FerryError('INFERENCE_FAILED', 'out of memory'))) : run(input, rows));
  const model = modelOver(engine);
  const bulk = model.predictBatch(rowsOf(10)).catch(codeOf);
  const other = model.predict(row);
  assert.equal(await bulk, 'INFERENCE_FAILED');
  // The bulk call's 3 chunks (4 + 4 + 2 rows, maxBatch 4) and the lone call: the first chunk ran and failed, the other two never ran.
  await sleep(5);
  release();
  assert.equal((await other).kind, 'regression');
  assert.equal(state.runs, 2);
  assert.equal(model.stats().failed, 1);
});
