import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs-core';
import { isFerryError, isValidationError } from '../../src/errors.js';
import { loadModel } from '../../src/load-model.js';
import type { Model } from '../../src/runtime/model-types.js';
import { base, golden, maxDiff } from './helpers.js';

/** Distinct valid rows for the mlp fixture. */
const rowsFor = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ a: (i % 97) / 7 - 3, b: i % 5 === 0 ? null : (i % 13) / 3, c: ['x', 'y', 'z'][i % 3]!, d: i % 2 === 0 }));

describe('runtime: scheduler (micro-batching, abort, timeout, validation, leaks)', () => {
  let model: Model;
  before(async () => {
    model = await loadModel(base('mlp', { backend: 'wasm' }));
  });
  after(() => model.dispose());

  it('1,000 concurrent predict() calls: right result per caller, far fewer tensor calls than callers', async () => {
    const rows = rowsFor(1000);
    // Reference: each row alone (awaited one by one, so no two share a batch).
    const reference: number[][] = [];
    for (const row of rows.slice(0, 200)) reference.push(Array.from((await model.predict(row)).raw));
    const before = model.stats();
    const results = await Promise.all(rows.map((row) => model.predict(row)));
    const after = model.stats();
    expect(after.predictions - before.predictions).to.equal(1000);
    const batches = after.batches - before.batches;
    expect(batches).to.be.at.most(Math.ceil(1000 / 256));
    expect(batches).to.be.below(1000);
    for (let i = 0; i < 200; i++) expect(maxDiff(results[i]!.raw, reference[i]!), `row ${i}`).to.be.below(1e-6);
    // Caller i got row i's answer, not a neighbour's: the rows differ, so do the answers.
    const distinct = new Set(
      results.map((r) =>
        Array.from(r.raw)
          .map((v) => v.toFixed(6))
          .join(),
      ),
    );
    expect(distinct.size).to.be.greaterThan(100);
  });

  it('a validation error fails only its own call; the rest of the batch runs', async () => {
    const rows = rowsFor(20);
    const calls = rows.map((row, i) => model.predict(i === 7 ? { ...row, c: 'purple', a: 'abc' } : row));
    const settled = await Promise.allSettled(calls);
    settled.forEach((s, i) => expect(s.status, `call ${i}`).to.equal(i === 7 ? 'rejected' : 'fulfilled'));
    const error = (settled[7] as PromiseRejectedResult).reason;
    expect(isValidationError(error)).to.equal(true);
    const codes = error.issues.map((i: { column: string; code: string }) => `${i.column}:${i.code}`).sort();
    expect(codes).to.deep.equal(['a:PARSE_ERROR', 'c:UNKNOWN_CATEGORY']);
    expect(error.issues.every((i: { row?: number }) => i.row === undefined)).to.equal(true);
  });

  it('predictBatch: invalid rows are null with their issues (row-indexed), valid rows still predict', async () => {
    const { rows, outputs } = await golden('mlp');
    const mixed = [rows[0], { a: 1, c: 'x' }, rows[1], { a: Infinity, b: 1, c: 'q', d: true }, rows[2]];
    const { predictions, issues } = await model.predictBatch(mixed as Array<Record<string, unknown>>);
    expect(predictions.map((p) => p === null)).to.deep.equal([false, true, false, true, false]);
    expect(maxDiff(predictions[2]!.raw, outputs[1]!)).to.be.below(1e-5);
    const errors = issues
      .filter((i) => i.severity === 'error')
      .map((i) => `${i.row}:${i.column}:${i.code}`)
      .sort();
    expect(errors).to.deep.equal(['1:d:MISSING_REQUIRED', '3:a:NOT_FINITE', '3:c:UNKNOWN_CATEGORY']);
  });

  it('predictBatch larger than maxBatch is split and reassembled in order', async () => {
    const rows = rowsFor(700);
    const { predictions } = await model.predictBatch(rows);
    expect(predictions).to.have.length(700);
    const spot = [0, 255, 256, 511, 512, 699];
    for (const i of spot) expect(maxDiff(predictions[i]!.raw, (await model.predict(rows[i]!)).raw), `row ${i}`).to.be.below(1e-6);
  });

  it('aborted and timed-out calls reject with their own codes; their neighbours succeed', async () => {
    const rows = rowsFor(6);
    const pre = new AbortController();
    pre.abort(new Error('user left'));
    const mid = new AbortController();
    const calls = [
      model.predict(rows[0]!),
      model.predict(rows[1]!, { signal: pre.signal }),
      model.predict(rows[2]!, { signal: mid.signal }),
      model.predict(rows[3]!),
    ];
    mid.abort();
    const settled = await Promise.allSettled(calls);
    expect(settled.map((s) => s.status)).to.deep.equal(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    for (const i of [1, 2]) {
      const e = (settled[i] as PromiseRejectedResult).reason;
      expect(isFerryError(e) && e.code, `call ${i}`).to.equal('ABORTED');
    }

    // A timeout shorter than the wait for a batch: maxDelayMs holds the batch back for 200 ms.
    const slow = await loadModel(base('mlp', { backend: 'cpu', maxDelayMs: 200 }));
    const timed = await Promise.allSettled([slow.predict(rows[4]!, { timeoutMs: 20 }), slow.predict(rows[5]!)]);
    expect(timed[0].status).to.equal('rejected');
    const e = (timed[0] as PromiseRejectedResult).reason;
    expect(isFerryError(e) && e.code).to.equal('TIMEOUT');
    expect(timed[1].status).to.equal('fulfilled');
    expect(slow.stats()).to.include({ timedOut: 1, predictions: 1 });
    await slow.dispose();
  });

  it('no tensor leak: tf.memory().numTensors is unchanged after 10,000 predictions', async () => {
    const rows = rowsFor(100);
    await model.predict(rows[0]!);
    const before = tf.memory().numTensors;
    for (let round = 0; round < 50; round++) await Promise.all(rows.map((r) => model.predict(r)));
    for (let i = 0; i < 5000; i++) await model.predict(rows[i % 100]!);
    await model.predictBatch(rowsFor(1000));
    expect(tf.memory().numTensors).to.equal(before);
  });

  it('dispose frees the model: its tensors are released and later calls reject with DISPOSED', async () => {
    const before = tf.memory().numTensors;
    const m = await loadModel(base('mlp', { backend: 'wasm' }));
    expect(tf.memory().numTensors).to.be.greaterThan(before);
    await m.dispose();
    expect(tf.memory().numTensors).to.equal(before);
    const error = await m.predict(rowsFor(1)[0]!).catch((e: unknown) => e);
    expect(isFerryError(error) && error.code).to.equal('DISPOSED');
  });
});
