// The shipped artefacts, as a user gets them: `npm run build` output, the `ferryml` bin, the size budget.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

before(() => {
  const r = spawnSync('npx', ['rollup', '-c', 'rollup.config.mjs'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `rollup failed:\n${r.stderr}`);
});

test('npm run build writes the ESM SDK, its worker and one bundled .d.ts', () => {
  for (const f of ['dist/ferryml.js', 'dist/ferryml-worker.js', 'dist/ferryml.d.ts']) assert.ok(existsSync(f), `${f} missing`);
  const js = readFileSync('dist/ferryml.js', 'utf8');
  // tfjs stays external (a peer dependency) and backends load lazily.
  assert.doesNotMatch(js, /from\s*['"]@tensorflow\/tfjs-backend-webgpu['"]/);
  const dts = readFileSync('dist/ferryml.d.ts', 'utf8');
  assert.match(dts, /export \{[^}]*\bloadModel\b/);
});

test("the files of a plain-JS model's first prediction, and only they, open with V8's compile hint (preload.json's lists)", async () => {
  const { staticGraph } = (await import(new URL('../../scripts/chunk-modules.mjs', import.meta.url).href)) as {
    staticGraph: (entry: string, options?: { dynamic?: boolean }) => string[];
  };
  const hint = '//# allFunctionsCalledOnLoad\n';
  const cold = new Set(Object.values(JSON.parse(readFileSync('dist/preload.json', 'utf8')) as Record<string, string[]>).flat());
  assert.ok(cold.has('ferryml.js') && cold.has('lite.js') && [...cold].some((f) => /^chunks\/plain-path-/.test(f)), [...cold].join(', '));
  for (const f of cold) assert.ok(readFileSync(join('dist', f), 'utf8').startsWith(hint), `dist/${f} does not start with the compile hint`);
  // tfjs, the worker, telemetry and the rest load later or never: compiled lazily, as V8 decides.
  // Every file the browser entries can load (not whatever dist/chunks holds from earlier builds).
  const browserEntries = readdirSync('dist').filter((f) => f.endsWith('.js') && f !== 'node.js');
  const lazy = [...new Set(browserEntries.flatMap((e) => staticGraph(join('dist', e), { dynamic: true })))]
    .map((f) => relative(resolve('dist'), f))
    .filter((f) => !cold.has(f));
  assert.ok(lazy.length > 5 && lazy.includes('tfjs.js') && lazy.includes('telemetry.js') && lazy.includes('ferryml-worker.js'), lazy.join(', '));
  for (const f of lazy) assert.ok(!readFileSync(join('dist', f), 'utf8').includes('allFunctionsCalledOnLoad'), `dist/${f} has the compile hint`);
});

test('the built `ferryml` bin starts (one shebang, ESM, commands resolve)', () => {
  const bin = readFileSync('dist/node/cli.js', 'utf8');
  assert.equal(bin.split('\n').filter((l) => l.startsWith('#!')).length, 1);
  const r = spawnSync(process.execPath, ['dist/node/cli.js', '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  for (const c of ['fit', 'transform', 'pack', 'verify', 'predict', 'collector']) assert.match(r.stdout, new RegExp(`\\b${c}\\b`));
  const v = spawnSync(process.execPath, ['dist/node/cli.js', 'verify', 'models'], { encoding: 'utf8' });
  assert.equal(v.status, 0, v.stderr + v.stdout);
});

test('npm run size reports the core and enforces the budget', () => {
  const r = spawnSync(process.execPath, ['scripts/size.mjs', '--json'], { encoding: 'utf8' });
  // One JSON line per measured entry (the core, then ferryml/lite), merged.
  const jsonLines = r.stdout.split('\n').filter((l) => l.startsWith('{'));
  const last = Object.assign({}, ...jsonLines.map((l) => JSON.parse(l) as object)) as {
    coreGzipBytes: number;
    budgetBytes: number;
    liteGzipBytes: number;
    liteBudgetBytes: number;
    litePackages: string[];
  };
  assert.ok(last.coreGzipBytes > 1000, 'measured something real');
  assert.ok(last.liteGzipBytes > last.coreGzipBytes, 'lite measured with everything it can load');
  const over = last.coreGzipBytes > last.budgetBytes || last.liteGzipBytes > last.liteBudgetBytes;
  assert.equal(r.status, over ? 1 : 0);
  assert.ok(last.coreGzipBytes <= last.budgetBytes, `core ${last.coreGzipBytes} B over budget ${last.budgetBytes} B`);
  assert.ok(last.liteGzipBytes <= last.liteBudgetBytes, `lite ${last.liteGzipBytes} B over budget ${last.liteBudgetBytes} B`);
  assert.deepEqual(last.litePackages, ['idb-keyval'], 'lite reaches no tfjs package');
});

test('the SDK core holds neither the schema compiler nor the WebGPU probe; compileSchema comes with the plain-path chunk (issue 15)', async () => {
  const { staticGraph, dynamicTargets, importsOf, modulesOf } = (await import(new URL('../../scripts/chunk-modules.mjs', import.meta.url).href)) as {
    staticGraph: (entry: string, options?: { dynamic?: boolean }) => string[];
    dynamicTargets: (graph: string[]) => string[];
    importsOf: (file: string) => { static: string[]; dynamic: string[] };
    modulesOf: (file: string) => string[];
  };
  // Only after the bundle is open: the schema compiler; only on the tfjs path: the WebGPU probe.
  const later = ['src/schema/compile.ts', 'src/runtime/probe-webgpu.ts'];
  for (const entry of ['dist/ferryml.js', 'dist/lite.js']) {
    const core = staticGraph(entry);
    const modules = core.flatMap(modulesOf);
    assert.ok(modules.includes('src/load-model-core.ts') && modules.includes('src/model/early-fetch.ts'), `${entry}: the graph was read`);
    for (const m of later) assert.ok(!modules.includes(m), `${entry} loads ${m} before the registry request`);
    // compileSchema comes with the plain-path chunk, which the core imports itself (in parallel with
    // the registry request) and which imports nothing outside the core: no second round trip.
    const plainPath = dynamicTargets(core).filter((f) => /\/chunks\/plain-path-[\w-]+\.js$/.test(f));
    assert.equal(plainPath.length, 1, `${entry}: one plain-path chunk, imported by the core`);
    const chunk = plainPath[0]!;
    for (const m of ['src/plain-path.ts', 'src/schema/compile.ts']) assert.ok(modulesOf(chunk).includes(m), `${entry}: ${m} is not in the plain-path chunk`);
    // The core calls it on the plain-path module's namespace (rollup writes it as a frozen object in the chunk).
    assert.match(readFileSync(chunk, 'utf8'), /\bcompileSchema: compileSchema\b/);
    assert.ok(
      core.some((f) => readFileSync(f, 'utf8').includes('.compileSchema(')),
      `${entry}: the core does not call compileSchema on the plain-path module`,
    );
    assert.deepEqual(
      importsOf(chunk).static.filter((f) => !core.includes(f)),
      [],
      `${entry}: the plain-path chunk imports only from the core`,
    );
  }
  // ferryml/lite never reaches the probe, not even lazily.
  const lite = staticGraph('dist/lite.js', { dynamic: true });
  assert.ok(!lite.flatMap(modulesOf).includes('src/runtime/probe-webgpu.ts'), 'ferryml/lite reaches the WebGPU probe');
  // The core's size against scripts/size.mjs's BUDGET: 'npm run size reports the core and enforces the budget' above.
});
