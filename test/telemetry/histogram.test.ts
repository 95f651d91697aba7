import { expect } from 'chai';
import fc from 'fast-check';
import { LATENCY_BOUNDS, LATENCY_BUCKETS, addTrimmed, histogramQuantile, latencyBucket, trimHistogram } from '../../src/telemetry/histogram.js';

describe('telemetry/histogram', () => {
  it('bounds rise from 10 µs by √2 and buckets are lower-inclusive', () => {
    expect(LATENCY_BOUNDS[0]).to.equal(0.01);
    for (let i = 1; i < LATENCY_BOUNDS.length; i++) expect(LATENCY_BOUNDS[i]! / LATENCY_BOUNDS[i - 1]!).to.be.closeTo(Math.SQRT2, 1e-4);
    expect(latencyBucket(0)).to.equal(0);
    expect(latencyBucket(0.01)).to.equal(1);
    expect(latencyBucket(0.009999)).to.equal(0);
    expect(latencyBucket(1e9)).to.equal(LATENCY_BUCKETS - 1);
  });

  it('a quantile estimate lies in the bucket that holds the exact quantile', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 20_000, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        (lat, q) => {
          const counts = new Array<number>(LATENCY_BUCKETS).fill(0);
          for (const l of lat) counts[latencyBucket(l)]!++;
          const sorted = [...lat].sort((a, b) => a - b);
          const exact = sorted[Math.ceil(q * sorted.length) - 1]!;
          const est = histogramQuantile(counts, q, sorted[0], sorted.at(-1))!;
          const k = latencyBucket(exact);
          expect(est).to.be.at.least(Math.max(LATENCY_BOUNDS[k - 1] ?? 0, sorted[0]!) - 1e-9);
          expect(est).to.be.at.most(Math.min(LATENCY_BOUNDS[k] ?? Infinity, sorted.at(-1)!) + 1e-9);
        },
      ),
    );
    expect(histogramQuantile(new Array(LATENCY_BUCKETS).fill(0), 0.5)).to.equal(null);
  });

  it('trimmed histograms merge back into dense ones', () => {
    const dense = new Array<number>(LATENCY_BUCKETS).fill(0);
    dense[5] = 2;
    dense[9] = 1;
    const t = trimHistogram(dense);
    expect(t).to.deep.equal({ offset: 5, counts: [2, 0, 0, 0, 1] });
    const into = new Array<number>(LATENCY_BUCKETS).fill(0);
    addTrimmed(into, t.offset, t.counts);
    addTrimmed(into, t.offset, t.counts);
    expect(into[5]).to.equal(4);
    expect(into[9]).to.equal(2);
    expect(trimHistogram(new Array(LATENCY_BUCKETS).fill(0))).to.deep.equal({ offset: 0, counts: [] });
  });
});
