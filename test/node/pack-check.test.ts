// `ferryml pack` checks a bundle as a browser will: it loads it through the SDK's loader in Node
// on cpu (schema compiled, inputs and outputs matched to the model, golden rows run) and refuses
// with the loader's own code, leaving no bundle directory and no registry entry behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './support/cli-in-process.js';

const TINY = 'test/fixtures/bundles/models/tiny/1.0.0';

function workdir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferryml-pack-check-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(TINY, 'model.json'), join(dir, 'model', 'model.json'));
  cpSync(join(TINY, 'group1-shard1of1.bin'), join(dir, 'model', 'group1-shard1of1.bin'));
  cpSync(join(TINY, 'schema.json'), join(dir, 'schema.json'));
  cpSync(join(TINY, 'golden.json'), join(dir, 'golden.json'));
  return dir;
}

/** `ferryml pack` of `dir`'s model, schema and golden rows as m@`version` into `dir`/models. */
const packVersion = (dir: string, version: string, ...extra: string[]) =>
  cli(
    'pack',
    join(dir, 'model'),
    '--name',
    'm',
    '--version',
    version,
    '--schema',
    join(dir, 'schema.json'),
    '--golden',
    join(dir, 'golden.json'),
    '--out',
    join(dir, 'models'),
    ...extra,
  );
const pack = (dir: string, ...extra: string[]) => packVersion(dir, '1.0.0', ...extra);

test('pack: a good bundle loads on cpu and registers; wrong golden outputs are refused (NO_BACKEND: GOLDEN_MISMATCH) and nothing is left', async (t) => {
  const dir = workdir(t);
  const labels = JSON.parse(readFileSync(join(TINY, 'manifest.json'), 'utf8')).output.labels.join(',');
  const ok = await pack(dir, '--labels', labels);
  assert.equal(ok.code, 0, ok.out);
  const golden = JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8'));
  golden.outputs = golden.outputs.map((r: number[]) => [...r.slice(1), r[0]]);
  writeFileSync(join(dir, 'golden.json'), JSON.stringify(golden));
  const bad = await packVersion(dir, '1.0.1', '--labels', labels);
  assert.equal(bad.code, 1, bad.out);
  assert.match(bad.out, /golden/i);
  assert.equal(existsSync(join(dir, 'models', 'm', '1.0.1')), false, 'a refused bundle is removed');
  const registry = JSON.parse(readFileSync(join(dir, 'models', 'index.json'), 'utf8'));
  assert.deepEqual(registry.models.m.versions, ['1.0.0']);
});

test('pack: wrong labels count, a schema no client can compile, or outputs the model lacks are refused with the browser codes', async (t) => {
  const dir = workdir(t);
  const labels = await pack(dir, '--labels', 'only,two');
  assert.equal(labels.code, 1, labels.out);
  // With golden outputs, the output-baseline step (issue 19) notices the width first; else the load check.
  assert.match(labels.out, /labels but the model produces|the spec lists 2 labels/);
  const schema = JSON.parse(readFileSync(join(dir, 'schema.json'), 'utf8'));
  writeFileSync(join(dir, 'bad-schema.json'), JSON.stringify({ ...schema, width: Number(schema.width) + 1 }));
  const uncompilable = await cli(
    'pack',
    join(dir, 'model'),
    '--name',
    'm',
    '--version',
    '1.0.0',
    '--schema',
    join(dir, 'bad-schema.json'),
    '--out',
    join(dir, 'models'),
    '--regression',
  );
  assert.equal(uncompilable.code, 1, uncompilable.out);
  assert.match(uncompilable.out, /Invalid schema/);
  writeFileSync(
    join(dir, 'raw.json'),
    JSON.stringify({
      kind: 'raw',
      outputs: [
        { name: 'a', shape: [2] },
        { name: 'b', shape: [5] },
      ],
    }),
  );
  const raw = await pack(dir, '--output', join(dir, 'raw.json'));
  assert.equal(raw.code, 1, raw.out);
  assert.match(raw.out, /describes 2 outputs but the model returns 1/);
  assert.equal(existsSync(join(dir, 'models', 'm', '1.0.0')), false);
});

test('pack: an image schema with a letterbox step loads and passes its golden rows; a pad without letterbox is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ferryml-pack-letterbox-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const DIGITS = 'models/digits/2.0.0';
  for (const file of ['model.json', 'group1-shard1of1.bin']) cpSync(join(DIGITS, file), join(dir, 'model', file));
  cpSync(join(DIGITS, 'golden.json'), join(dir, 'golden.json'));
  const schema = JSON.parse(readFileSync(join(DIGITS, 'schema.json'), 'utf8'));
  const step = schema.columns[0].steps[0];
  // The golden digits are 28×28 already, so the letterboxed tensor is the trained one.
  writeFileSync(
    join(dir, 'schema.json'),
    JSON.stringify({ ...schema, columns: [{ ...schema.columns[0], steps: [{ ...step, crop: 'letterbox', pad: [0] }] }] }),
  );
  const labels = '0,1,2,3,4,5,6,7,8,9';
  const ok = await pack(dir, '--labels', labels);
  assert.equal(ok.code, 0, ok.out);
  const packed = JSON.parse(readFileSync(join(dir, 'models', 'm', '1.0.0', 'schema.json'), 'utf8'));
  assert.deepEqual([packed.columns[0].steps[0].crop, packed.columns[0].steps[0].pad], ['letterbox', [0]]);
  writeFileSync(join(dir, 'schema.json'), JSON.stringify({ ...schema, columns: [{ ...schema.columns[0], steps: [{ ...step, crop: 'center', pad: [0] }] }] }));
  const bad = await packVersion(dir, '1.0.1', '--labels', labels);
  assert.equal(bad.code, 1, bad.out);
  assert.match(bad.out, /"pad" and "letterboxAlign" apply only with "crop": "letterbox"/);
  assert.equal(existsSync(join(dir, 'models', 'm', '1.0.1')), false);
});
