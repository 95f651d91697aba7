// `ferryml fit`, `ferryml transform`, `ferryml types`, run as a user runs them
// (node --import tsx src/node/cli.ts ...), checked against the in-process schema API.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { fitSchema } from '../../src/schema/fit.js';
import { compileSchema } from '../../src/schema/compile.js';
import { checkSchema } from '../../src/schema/check.js';
import { CASES, loadCase } from '../schema/data.js';
import type { Row } from '../schema/data.js';

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/node/cli.ts', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });

/** Rows → CSV with a header, quoting every field that needs it; null/undefined/NaN → empty. */
function toCsv(rows: Row[], columns: string[]): string {
  const field = (v: unknown) => {
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return '';
    const s = String(v);
    return /[",\n\r]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${columns.map(field).join(',')}\r\n${rows.map((r) => columns.map((c) => field(r[c])).join(',')).join('\r\n')}\r\n`;
}

describe('ferryml fit / transform / types', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferryml-schema-cli-'));
  const c = CASES.find((x) => x.name === 'penguins-a')!;
  let train: Row[];
  let test: Row[];
  const columns = ['Species', 'Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)', 'Sex'];

  before(async () => {
    ({ train, test } = await loadCase(c, true));
    writeFileSync(join(dir, 'train.json'), JSON.stringify(train));
    writeFileSync(join(dir, 'train.csv'), toCsv(train, columns));
    writeFileSync(join(dir, 'test.json'), JSON.stringify(test));
    writeFileSync(join(dir, 'test.csv'), toCsv(test, columns));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('fit writes the schema fitSchema computes, from JSON and from CSV alike', async () => {
    const spec = JSON.parse(readFileSync(c.spec, 'utf8'));
    const expected = fitSchema(spec, train);
    const r = cli('fit', '--spec', c.spec, '--data', join(dir, 'train.json'), '--out', join(dir, 'schema.json'));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /229 rows → 6 columns, 12 features/);
    const written = checkSchema(JSON.parse(readFileSync(join(dir, 'schema.json'), 'utf8')));
    assert.deepEqual(written, JSON.parse(JSON.stringify(expected)));
    const csv = cli('fit', '--spec', c.spec, '--data', join(dir, 'train.csv'));
    assert.equal(csv.status, 0, csv.stderr);
    assert.deepEqual(JSON.parse(csv.stdout), written, 'CSV fields are typed by the spec and give the same fit');
  });

  it('fit takes an image-only spec without --data, and a 224×224×3 image with rows that lack it (nothing is fitted for pixels)', () => {
    const image = { width: 224, height: 224, channels: 3, scale: [1 / 127.5], offset: [-1] };
    writeFileSync(join(dir, 'image.spec.json'), JSON.stringify({ columns: { img: { type: 'image', image } } }));
    const r = cli('fit', '--spec', join(dir, 'image.spec.json'));
    assert.equal(r.status, 0, r.stderr);
    const schema = JSON.parse(r.stdout);
    assert.deepEqual([schema.formatVersion, schema.features, schema.width], [2, [{ column: 'img', count: 150528 }], 150528]);
    assert.ok(r.stdout.length < 1000, `schema.json is ${r.stdout.length} bytes`);
    writeFileSync(join(dir, 'mixed.spec.json'), JSON.stringify({ columns: { img: { type: 'image', image }, x: { type: 'number', scale: 'standard' } } }));
    writeFileSync(join(dir, 'x.json'), JSON.stringify([{ x: 1 }, { x: 3 }]));
    const mixed = cli('fit', '--spec', join(dir, 'mixed.spec.json'), '--data', join(dir, 'x.json'));
    assert.equal(mixed.status, 0, mixed.stderr);
    assert.equal(JSON.parse(mixed.stdout).width, 150529);
    // A letterboxed detector input (YOLO-style grey padding) fits the same way; a bad pad is refused.
    const letterbox = { ...image, width: 640, height: 640, crop: 'letterbox', pad: [114], resize: 'bilinear-half-pixel' };
    writeFileSync(join(dir, 'letterbox.spec.json'), JSON.stringify({ columns: { img: { type: 'image', image: letterbox } } }));
    const lb = cli('fit', '--spec', join(dir, 'letterbox.spec.json'));
    assert.equal(lb.status, 0, lb.stderr);
    assert.deepEqual(JSON.parse(lb.stdout).columns[0].steps[0], { kind: 'image', ...letterbox });
    writeFileSync(join(dir, 'letterbox-bad.spec.json'), JSON.stringify({ columns: { img: { type: 'image', image: { ...letterbox, pad: [-1] } } } }));
    const refused = cli('fit', '--spec', join(dir, 'letterbox-bad.spec.json'));
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /"pad" must hold 1 or 3 pixel values in 0\.\.255/);
  });

  it('transform prints features, rows (null for a rejected row) and issues; JSON and CSV agree', () => {
    const schemaPath = join(dir, 'schema.json');
    const compiled = compileSchema(JSON.parse(readFileSync(schemaPath, 'utf8')));
    // What the file holds: JSON turns NaN and Infinity into null.
    const expected = compiled.safeParseBatch(JSON.parse(JSON.stringify(test)) as Row[]);
    const r = cli('transform', '--schema', schemaPath, '--data', join(dir, 'test.json'));
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      features: string[];
      rows: Array<number[] | null>;
      issues: Array<{ row: number; column: string; code: string; message: string }>;
    };
    assert.deepEqual(out.features, compiled.features);
    assert.equal(out.rows.length, test.length);
    out.rows.forEach((row, i) => {
      if (expected.rejected[i]) assert.equal(row, null, `row ${i} is rejected`);
      else assert.deepEqual(row, Array.from(expected.values.subarray(i * compiled.width, (i + 1) * compiled.width)), `row ${i}`);
    });
    assert.ok(out.rows.some((row) => row === null) && out.rows.some((row) => row !== null));
    assert.deepEqual(
      out.issues.map((i) => [i.row, i.column, i.code]),
      expected.issues.map((i) => [i.row, i.column, i.code]),
    );
    assert.ok(out.issues.every((i) => typeof i.message === 'string' && i.message.startsWith(`Row ${i.row}, column`)));
    assert.match(r.stderr, /rows rejected/);

    // The CSV carries the same rows except what CSV cannot carry: NaN and "absent" both become empty (missing).
    const csv = cli('transform', '--schema', schemaPath, '--data', join(dir, 'test.csv'));
    assert.equal(csv.status, 0, csv.stderr);
    const fromCsv = JSON.parse(csv.stdout) as typeof out;
    const differ = fromCsv.rows.map((row, i) => (JSON.stringify(row) === JSON.stringify(out.rows[i]) ? -1 : i)).filter((i) => i >= 0);
    // Only rows holding values JSON and CSV carry differently may differ: Island 42 (CSV: text "42", still
    // rejected but with another issue) and Beak Length Infinity (JSON: null → imputed; CSV: text "Infinity" → rejected).
    for (const i of differ)
      assert.ok(test[i]!.Island === 42 || test[i]!['Beak Length (mm)'] === Infinity, `row ${i} differs between JSON and CSV: ${JSON.stringify(test[i])}`);
    assert.ok(differ.length > 0);
  });

  it('transform --strict exits 1 when a row is rejected; 0 when none is', () => {
    const schemaPath = join(dir, 'schema.json');
    assert.equal(cli('transform', '--schema', schemaPath, '--data', join(dir, 'test.json'), '--strict').status, 1);
    assert.equal(cli('transform', '--schema', schemaPath, '--data', join(dir, 'train.json'), '--strict').status, 0);
  });

  it('types writes a .d.ts that accepts valid rows and rejects wrong ones (checked by tsc)', () => {
    const r = cli('types', join(dir, 'schema.json'), '--out', join(dir, 'penguins.d.ts'), '--name', 'Penguin');
    assert.equal(r.status, 0, r.stderr);
    const dts = readFileSync(join(dir, 'penguins.d.ts'), 'utf8');
    assert.match(dts, /export interface Penguin \{/);
    assert.match(dts, /"Island": string;/, 'unknown: ignore → any string');
    assert.match(dts, /"Beak Length \(mm\)"\?: number \| null \| undefined;/);
    assert.match(dts, /"Body Mass \(g\)"\?: number \| string \| null \| undefined;/, 'decimal strings allowed');
    assert.match(dts, /"Sex"\?: "FEMALE" \| "MALE" \| "\." \| null \| undefined;/);
    assert.match(dts, /export type Label = "Adelie" \| "Chinstrap" \| "Gentoo";/);
    writeFileSync(
      join(dir, 'use.ts'),
      [
        "import type { Penguin, Width, Features } from './penguins';",
        "const ok: Penguin = { Island: 'Dream', Sex: 'MALE', 'Body Mass (g)': '4100' };",
        'const width: Width = 12;',
        "const first: Features[0] = 'Island_Dream';",
        '// @ts-expect-error wrong column name',
        "const typo: Penguin = { Island: 'Dream', 'Beak Lenght (mm)': 40 };",
        '// @ts-expect-error string for a number column without decimal parsing',
        "const str: Penguin = { Island: 'Dream', 'Beak Length (mm)': '40' };",
        '// @ts-expect-error Island is required',
        "const none: Penguin = { Sex: 'MALE' };",
        '// @ts-expect-error unseen category for a column with unknown: "error"',
        "const sex: Penguin = { Island: 'Dream', Sex: 'OTHER' };",
        'export { ok, width, first, typo, str, none, sex };',
      ].join('\n'),
    );
    const program = ts.createProgram([join(dir, 'use.ts')], { strict: true, exactOptionalPropertyTypes: true, noEmit: true, skipLibCheck: false, types: [] });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    assert.deepEqual(diagnostics, []);
  });

  it('caller mistakes exit non-zero (a usage error 2) with a coded message naming the option, file, column or step', () => {
    const missing = cli('fit', '--data', 'x.json');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /\[INVALID_OPTIONS\] missing --spec/);
    const nofile = cli('transform', '--schema', join(dir, 'schema.json'), '--data', join(dir, 'nope.json'));
    assert.equal(nofile.status, 1, 'bad data, not a bad flag');
    assert.match(nofile.stderr, /\[DATA_INVALID\] cannot read data file .*nope\.json/);
    writeFileSync(join(dir, 'bad-schema.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(dir, 'schema.json'), 'utf8')), width: 3 }));
    assert.match(cli('types', join(dir, 'bad-schema.json')).stderr, /\[SCHEMA_INVALID\] Invalid schema: schema: "width" is 3 but "features" has 12 names/);
    writeFileSync(join(dir, 'bad-rows.json'), JSON.stringify([{ Island: 'Dream', 'Beak Length (mm)': 'forty' }]));
    const fit = cli('fit', '--spec', c.spec, '--data', join(dir, 'bad-rows.json'));
    assert.equal(fit.status, 1);
    assert.match(fit.stderr, /\[FIT_FAILED\] fitSchema: column "Beak Length \(mm\)": 1 training value\(s\) fail the inference rules/);
    assert.match(cli('fit', '--spec', c.spec, '--data', join(dir, 'train.json'), '--bogus').stderr, /\[INVALID_OPTIONS\] unknown option --bogus\n/);
  });
});
