// Image resize parity with an independent numpy reference, in Node and Chromium. The reference
// is test/fixtures/schema/area_resize_reference.py (dense float64 weight matrices, OpenCV
// INTER_AREA when shrinking, half-pixel bilinear when enlarging); its output is committed in
// image-resize.json, which both runtimes compare against. Under Node the script is run live
// and must still produce the committed numbers, so the fixture cannot drift from the script.
// The fixture also holds a SHA-256 of ferryml's Float32 output per case: Node and Chromium
// must compute the same bits. Regenerate with
// `FERRYML_UPDATE_FIXTURES=1 node scripts/test-node.mjs test/node/schema-shared.test.ts`.
import { expect } from 'chai';
import { compileImage } from '../../src/schema/image.js';
import type { ImageStep } from '../../src/schema/types.js';
import { isNode, readJsonFile, runCommand, sha256, updateFixtures, writeText } from './io.js';

const FIXTURE = 'test/fixtures/schema/image-resize.json';
const SCRIPT = 'test/fixtures/schema/area_resize_reference.py';

interface ResizeCase {
  name: string;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  dstWidth: number;
  dstHeight: number;
  /** `keep`: as many output channels as the source has; `luma`/`mean`: one channel. */
  convert: 'keep' | 'luma' | 'mean';
  /** `noise`: every value random; `strokes`: black with a few random 1–4 px white lines. */
  fill: 'noise' | 'strokes';
  seed: number;
}

interface Fixture {
  numpy: string;
  cases: Record<string, { reference: number[]; digest: string }>;
}

const CASES: ResizeCase[] = [
  {
    name: 'strokes 280x280 -> 28x28 (10x, the digits model)',
    width: 280,
    height: 280,
    channels: 1,
    dstWidth: 28,
    dstHeight: 28,
    convert: 'keep',
    fill: 'strokes',
    seed: 1,
  },
  { name: 'rgb 37x23 -> 10x7 (ratios 3.7, 3.29)', width: 37, height: 23, channels: 3, dstWidth: 10, dstHeight: 7, convert: 'keep', fill: 'noise', seed: 2 },
  { name: 'rgba 29x13 -> 6x4 (alpha kept)', width: 29, height: 13, channels: 4, dstWidth: 6, dstHeight: 4, convert: 'keep', fill: 'noise', seed: 3 },
  { name: 'rgba 50x31 -> 9x8 luma', width: 50, height: 31, channels: 4, dstWidth: 9, dstHeight: 8, convert: 'luma', fill: 'noise', seed: 4 },
  { name: 'rgb 64x48 -> 7x5 mean', width: 64, height: 48, channels: 3, dstWidth: 7, dstHeight: 5, convert: 'mean', fill: 'noise', seed: 5 },
  { name: 'gray 6x40 -> 15x9 (x enlarges, y shrinks)', width: 6, height: 40, channels: 1, dstWidth: 15, dstHeight: 9, convert: 'keep', fill: 'noise', seed: 6 },
  { name: 'rgb 3x4 -> 8x9 (enlarge: bilinear)', width: 3, height: 4, channels: 3, dstWidth: 8, dstHeight: 9, convert: 'keep', fill: 'noise', seed: 7 },
  {
    name: 'gray 29x28 -> 28x28 (ratio just above 1)',
    width: 29,
    height: 28,
    channels: 1,
    dstWidth: 28,
    dstHeight: 28,
    convert: 'keep',
    fill: 'noise',
    seed: 8,
  },
  { name: 'rgb 17x11 -> 1x1 (the mean)', width: 17, height: 11, channels: 3, dstWidth: 1, dstHeight: 1, convert: 'keep', fill: 'noise', seed: 9 },
];

/** mulberry32: a small deterministic PRNG, so the inputs need not be committed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pixels(c: ResizeCase): Uint8ClampedArray {
  const next = random(c.seed);
  const data = new Uint8ClampedArray(c.width * c.height * c.channels);
  if (c.fill === 'noise') return data.map(() => Math.floor(next() * 256));
  for (let s = 0; s < 6; s++) {
    // A horizontal or vertical line of random length, position and 1–4 px thickness.
    const vertical = next() < 0.5;
    const [across, along] = vertical ? [c.width, c.height] : [c.height, c.width];
    const thick = 1 + Math.floor(next() * 4);
    const at = Math.floor(next() * (across - thick));
    const from = Math.floor(next() * along * 0.5);
    const to = from + Math.floor(next() * along * 0.5);
    for (let a = from; a < to; a++)
      for (let b = at; b < at + thick; b++) {
        const i = vertical ? a * c.width + b : b * c.width + a;
        data.fill(255, i * c.channels, (i + 1) * c.channels);
      }
  }
  return data;
}

function step(c: ResizeCase): ImageStep {
  const channels = c.convert === 'keep' ? c.channels : 1;
  const grayscale = c.convert === 'mean' ? 'mean' : 'luma';
  return { kind: 'image', width: c.dstWidth, height: c.dstHeight, channels, grayscale, scale: [1], offset: [0] };
}

function ferryml(c: ResizeCase): Float32Array {
  const s = step(c);
  const out = new Float32Array(s.width * s.height * s.channels);
  const sink = { issues: [], row: -1 };
  expect(compileImage('img', s)({ data: pixels(c), width: c.width, height: c.height }, out, 0, sink), c.name).to.equal(true);
  return out;
}

async function numpy(): Promise<Fixture> {
  const request = { cases: CASES.map((c) => ({ ...c, data: Array.from(pixels(c)) })) };
  const parsed = JSON.parse(await runCommand('/usr/bin/python3', [SCRIPT], JSON.stringify(request))) as { numpy: string; cases: Record<string, number[]> };
  const cases: Fixture['cases'] = {};
  for (const c of CASES) cases[c.name] = { reference: parsed.cases[c.name]!, digest: await sha256(ferryml(c)) };
  return { numpy: parsed.numpy, cases };
}

describe(`schema: image resize equals the numpy reference (this run: ${isNode ? 'Node' : 'Chromium'})`, () => {
  let fixture: Fixture;

  before(async () => {
    if (updateFixtures) {
      fixture = await numpy();
      await writeText(FIXTURE, `${JSON.stringify(fixture)}\n`);
    } else fixture = await readJsonFile<Fixture>(FIXTURE);
  });

  if (isNode)
    it('the committed reference is what area_resize_reference.py computes now (/usr/bin/python3 + numpy)', async () => {
      const live = await numpy();
      for (const c of CASES) {
        const [got, want] = [live.cases[c.name]!.reference, fixture.cases[c.name]!.reference];
        expect(got.length, c.name).to.equal(want.length);
        got.forEach((v, i) => expect(Math.abs(v - want[i]!), `${c.name} [${i}]`).to.be.at.most(1e-9));
      }
    });

  for (const c of CASES)
    it(`${c.name}: every value is the reference rounded to float32, and the bits match the committed digest`, async () => {
      const out = ferryml(c);
      const ref = fixture.cases[c.name]!.reference;
      expect(out.length).to.equal(ref.length);
      // Float32 keeps 24 significant bits: the rounding error is at most 2^-24 of the value.
      out.forEach((v, i) => expect(Math.abs(v - ref[i]!), `[${i}] ${v} vs ${ref[i]}`).to.be.at.most(2 ** -24 * Math.abs(ref[i]!) + 1e-9));
      expect(await sha256(out)).to.equal(fixture.cases[c.name]!.digest);
    });
});
