// The product's promise: the schema computes the same bits in training (Node) and inference
// (Chromium). This module runs in both; each run fits the parity specs on the real datasets,
// transforms the messy rows (with rejected rows), and compares SHA-256 digests of the schema
// JSON, the Float32Array bytes, the issues, the observer stream and the batch capture's float64
// bytes (src/schema/capture.ts) with one committed fixture.
// Regenerate with `FERRYML_UPDATE_FIXTURES=1 node scripts/test-node.mjs test/node/schema-shared.test.ts`.
import { expect } from 'chai';
import { fitSchema } from '../../src/schema/fit.js';
import type { ValueCapture } from '../../src/schema/capture.js';
import { compileSchema } from '../../src/schema/compile.js';
import { CASES, loadCase } from './data.js';
import { isNode, readJsonFile, sha256, updateFixtures, writeText } from './io.js';

const FIXTURE = 'test/fixtures/schema/identical.json';

interface Digest {
  rows: number;
  width: number;
  rejected: number;
  issues: number;
  schema: string;
  values: string;
  issueList: string;
  observed: string;
  captured: string;
}

/** A capture that stores every row of one batch of `rows` (the buffer starts NaN-free: -1e300). */
function captureAll(columns: number, rows: number): ValueCapture {
  const picks = Int32Array.from({ length: rows + 1 }, (_, i) => (i < rows ? i : -1));
  return { values: new Float64Array(columns * rows).fill(-1e300), stride: rows, picks, reserve: () => 0 };
}

describe(`schema: bit-identical output in Node and Chromium (this run: ${isNode ? 'Node' : 'Chromium'})`, () => {
  const digests: Record<string, Digest> = {};
  let expected: Record<string, Digest> = {};

  before(async () => {
    if (!updateFixtures) expected = await readJsonFile<Record<string, Digest>>(FIXTURE);
  });

  after(async () => {
    if (updateFixtures) await writeText(FIXTURE, `${JSON.stringify(digests, null, 2)}\n`);
  });

  for (const c of CASES) {
    it(`${c.name}: fit + transform digests match the committed fixture`, async () => {
      const { spec, train, test } = await loadCase(c, true);
      const schema = fitSchema(spec, train);
      const compiled = compileSchema(schema);
      const out = new Float32Array(test.length * compiled.width);
      const observed: unknown[] = [];
      const { issues, rejected } = compiled.transformInto(test, out, (column, value, flag) => observed.push(column, value, flag ?? 0));
      const capture = captureAll(compiled.columns.length, test.length);
      compiled.transformInto(
        test,
        new Float32Array(out.length),
        Object.assign(() => undefined, { capture }),
      );
      const digest: Digest = {
        rows: test.length,
        width: compiled.width,
        rejected: rejected.reduce((n, r) => n + r, 0),
        issues: issues.length,
        schema: await sha256(JSON.stringify(schema)),
        values: await sha256(out),
        issueList: await sha256(JSON.stringify(issues)),
        observed: await sha256(JSON.stringify(observed)),
        captured: await sha256(capture.values),
      };
      digests[c.name] = digest;
      expect(digest.rejected, 'the injected errors reject rows').to.be.greaterThan(0);
      expect(out.every(Number.isFinite)).to.equal(true);
      if (!updateFixtures) expect(digest).to.deep.equal(expected[c.name]);
    });
  }
});
