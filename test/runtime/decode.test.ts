import { expect } from 'chai';
import { createDecoder } from '../../src/runtime/decode.js';
import type { LabelProbability } from '../../src/runtime/decode.js';
import { values } from './dense-bundle.js';

/** What a classification decode must give: probabilities by label, top-k by a stable sort (ties: earlier label first). */
function reference(labels: string[], row: number[], k: number) {
  const probabilities = Object.fromEntries(labels.map((l, i) => [l, row[i]!]));
  const top: LabelProbability[] = labels
    .map((label, i) => ({ label, probability: row[i]! }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, k);
  return { label: top[0]!.label, probabilities, top };
}

describe('runtime: decode', () => {
  it('classification: label, probabilities (keys in label order) and top-k equal a stable sort, ties and every k included', () => {
    for (const width of [2, 3, 10]) {
      const labels = Array.from({ length: width }, (_, i) => (width === 10 ? String(i) : `label ${i}`));
      const rows = 40;
      // Values rounded to a few levels so ties are common.
      const output = values(rows * width, width).map((v) => Math.round(v * 3) / 3);
      for (let topK = 1; topK <= width + 1; topK++) {
        const decode = createDecoder({ kind: 'classification', labels }, width, topK);
        for (let r = 0; r < rows; r++) {
          const row = Array.from(output.subarray(r * width, (r + 1) * width));
          const p = decode(output, r);
          if (p.kind !== 'classification') throw new Error('kind');
          const want = reference(labels, row, Math.min(topK, width));
          expect(Object.keys(p.probabilities)).to.deep.equal(labels);
          expect({ label: p.label, probabilities: p.probabilities, top: p.top }, `width ${width} k ${topK} row ${r}`).to.deep.equal(want);
          expect(Array.from(p.raw)).to.deep.equal(row);
        }
      }
    }
  });

  it('one sigmoid unit for two labels: p and 1 − p; regression: value and values by name', () => {
    const output = Float32Array.from([0.8, 0.25]);
    const binary = createDecoder({ kind: 'classification', labels: ['no', 'yes'] }, 1, 2);
    const first = binary(output, 0);
    const second = binary(output, 1);
    if (first.kind !== 'classification' || second.kind !== 'classification') throw new Error('kind');
    expect(first.label).to.equal('yes');
    expect(first.probabilities).to.deep.equal({ no: 1 - output[0]!, yes: output[0] });
    expect(second.top.map((t) => t.label)).to.deep.equal(['no', 'yes']);

    const reg = createDecoder({ kind: 'regression', names: ['price', 'weight'] }, 2, 3);
    const out = Float32Array.from([1.5, -2, 3, 4]);
    const r = reg(out, 1);
    expect(r).to.deep.equal({ kind: 'regression', value: 3, values: { price: 3, weight: 4 }, raw: out.subarray(2, 4) });
  });

  it('each row gets its own objects (nothing returned is reused by the next row)', () => {
    const decode = createDecoder({ kind: 'classification', labels: ['a', 'b', 'c'] }, 3, 2);
    const output = Float32Array.from([0.1, 0.7, 0.2, 0.6, 0.3, 0.1]);
    const a = decode(output, 0);
    const b = decode(output, 1);
    if (a.kind !== 'classification' || b.kind !== 'classification') throw new Error('kind');
    expect(a.top).to.deep.equal([
      { label: 'b', probability: output[1] },
      { label: 'c', probability: output[2] },
    ]);
    expect(b.top).to.deep.equal([
      { label: 'a', probability: output[3] },
      { label: 'b', probability: output[4] },
    ]);
    expect(a.probabilities).to.not.equal(b.probabilities);
  });
});
