// The telemetry item's paired CPU-time figure (bench/lib/cpu-pairs.ts) against a simulated page:
// a fake DevTools session whose main-thread clock advances by what each simulated sample costs
// (a per-unit cost with seeded noise, the protocol's own share, the busy loop's steps). Checks
// that a known difference reads as itself (the protocol's share taken off, not diluting it), that
// the sensitivity check's busy loop is calibrated to its fraction, and that the ABBA order
// cancels a steady drift of the machine that an AB order would charge to one side.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CDPSession } from 'playwright-core';
import { cpuPairs, type Sampler } from '../../bench/lib/cpu-pairs.js';

/** Deterministic uniform [0, 1) (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Page {
  /** CPU ms per unit of each variant. */
  unitMs: { a: number; b: number };
  /** CPU ms of the protocol per sample (evaluate + metrics). */
  overheadMs: number;
  /** CPU ms per busy-loop step. */
  stepMs: number;
  /** Relative noise per sample (uniform ±). */
  noise: number;
  /** The machine slows by this fraction per sample (a steady drift). */
  drift?: number;
  seed: number;
}

/** A simulated page: the fake session's clock and the sampler that advances it. */
function simulate(p: Page): { cdp: CDPSession; sample: Sampler; samples: () => number } {
  let cpuMs = 0;
  let n = 0;
  const random = seeded(p.seed);
  const cdp = {
    send: (method: string) => {
      if (method === 'Performance.getMetrics') return Promise.resolve({ metrics: [{ name: 'ThreadTime', value: cpuMs / 1000 }] });
      return Promise.resolve({});
    },
  } as unknown as CDPSession;
  const sample: Sampler = (v, units, steps) => {
    const speed = (1 + (p.drift ?? 0) * n++) * (1 + p.noise * (2 * random() - 1));
    const ms = (units * p.unitMs[v] + steps * p.stepMs) * speed;
    cpuMs += ms + p.overheadMs;
    return Promise.resolve(ms + p.overheadMs);
  };
  return { cdp, sample, samples: () => n };
}

const median = (v: number[]) => [...v].sort((x, y) => x - y)[v.length >> 1]!;

test('cpuPairs: a 3 % cost reads 1 ÷ 1.03, the protocol share taken off both sides', async () => {
  // 4 ms of protocol on ~20 ms samples would read 0.9756 instead of 0.9709 if it were left in.
  const page = simulate({ unitMs: { a: 0.02, b: 0.0206 }, overheadMs: 4, stepMs: 1e-5, noise: 0.03, seed: 1 });
  const r = await cpuPairs(page.cdp, page.sample, { random: seeded(2), warmupMs: 100 });
  assert.equal(r.stoppedBy, 'spread');
  assert.ok(Math.abs(median(r.ratios) - 1 / 1.03) < 0.002, `ratio ${median(r.ratios)}`);
  assert.ok(Math.abs(r.overheadMs - 4) < 1e-9, `overhead ${r.overheadMs}`);
  assert.equal(r.penalty, 0);
  assert.equal(r.ratios.length, 30);
  assert.equal(r.pairs, 30 * r.perBlock);
});

test('cpuPairs: the sensitivity check calibrates its busy loop to the fraction asked', async () => {
  const page = simulate({ unitMs: { a: 0.02, b: 0.02 }, overheadMs: 0.7, stepMs: 2e-5, noise: 0.02, seed: 3 });
  const r = await cpuPairs(page.cdp, page.sample, { random: seeded(4), warmupMs: 100, penalty: 0.05 });
  assert.equal(r.penalty, 0.05);
  assert.ok(Math.abs(median(r.ratios) - 1 / 1.05) < 0.003, `ratio ${median(r.ratios)}`);
});

test('cpuPairs: with no difference (A/A) it reads 1 and stops once the spread is within ±2.5 %', async () => {
  const page = simulate({ unitMs: { a: 0.02, b: 0.02 }, overheadMs: 0.5, stepMs: 1e-5, noise: 0.08, seed: 5 });
  const r = await cpuPairs(page.cdp, page.sample, { random: seeded(6), warmupMs: 100 });
  const s = [...r.ratios].sort((x, y) => x - y);
  assert.equal(r.stoppedBy, 'spread');
  assert.ok(Math.abs(median(r.ratios) - 1) < 0.01, `ratio ${median(r.ratios)}`);
  assert.ok(s[3]! >= 0.97 && s[26]! <= 1.03, `p10–p90 ${s[3]}–${s[26]}`);
  assert.ok(r.perBlock > 5, 'noisier pairs need more pairs per block than the minimum');
});

test('cpuPairs: a machine that slows steadily is charged to neither side (ABBA)', async () => {
  // 0.2 % slower per sample: in an AB pair the second sample pays 0.2 % more, in ABBA both pay the same.
  const page = simulate({ unitMs: { a: 0.02, b: 0.02 }, overheadMs: 0, stepMs: 1e-5, noise: 0, drift: 0.002, seed: 7 });
  const r = await cpuPairs(page.cdp, page.sample, { random: seeded(8), warmupMs: 100, minPerBlock: 2 });
  for (const ratio of r.ratios) assert.ok(Math.abs(ratio - 1) < 1e-9, `block ratio ${ratio}`);
});
