// Threshold edge cases in Node: inputs exactly on each threshold, one float32 ulp either side,
// float64 values that reach the threshold only in float32, NaN and ±Infinity, through the tree
// kernel, equal to scikit-learn / HistGradientBoosting / XGBoost, and bit for bit the outputs
// committed in edges.json (which test/runtime/trees-edges.test.ts checks in Chromium), which are the
// library's own outputs as float32.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { edgeProblems, outputBits, runEdgeCase, type EdgeCase } from '../trees/edges.js';

const DIR = fileURLToPath(new URL('../fixtures/trees/', import.meta.url));
const { cases } = JSON.parse(readFileSync(join(DIR, 'edges.json'), 'utf8')) as { cases: EdgeCase[] };

for (const c of cases) {
  test(`${c.name}: every edge input routes as the library does, and the bits are the committed ones`, () => {
    const model = JSON.parse(readFileSync(join(DIR, c.name, 'model.json'), 'utf8'));
    const bin = readFileSync(join(DIR, c.name, 'trees.bin'));
    const got = runEdgeCase(model, bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), c);
    assert.deepEqual(edgeProblems(c, got), []);
    assert.deepEqual(outputBits(got), c.ferrymlBits);
    // Bit for bit the library's own output as float32 (XGBoost: its float32 sums, "accumulate": "float32").
    assert.deepEqual(outputBits(got), outputBits(Float32Array.from(c.expected)));
    assert.ok(c.input.includes('nan'), 'NaN is among the inputs');
  });
}
