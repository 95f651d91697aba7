// Issue 18: the declarations of `ferryml/edge` and `ferryml/tfjs` name no tfjs type, so a Worker
// project type-checks without tfjs installed. Builds them (rollup.config.mjs's declaration build
// of those two entries) into a package in a temp project where no @tensorflow package exists,
// and compiles a Worker against it with tsc: strict, skipLibCheck false, Web Worker libs only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { tempDir } from './support/temp-dir.js';

const require = createRequire(import.meta.url);

const WORKER = `import { loadModel, useTfjs, isValidationError, type Model } from 'ferryml/edge';
import wasmModule from './tfjs-backend-wasm-simd.wasm';

useTfjs(() => import('ferryml/tfjs'));
let model: Promise<Model> | undefined;

export default {
  async fetch(request: Request, env: { BUNDLE_URL: string }): Promise<Response> {
    model ??= loadModel({ bundle: env.BUNDLE_URL, backend: 'wasm', wasmModule, cache: { dbName: 'models' } });
    const m = await model;
    try {
      const p = await m.predict(await request.json());
      if (p.kind !== 'classification') return Response.json({ kind: p.kind });
      return Response.json({ label: p.label, probabilities: p.probabilities, cache: m.info.cache.memoryOnly });
    } catch (e) {
      if (isValidationError(e)) return Response.json({ issues: e.issues }, { status: 422 });
      throw e;
    }
  },
};
`;

test('ferryml/edge and ferryml/tfjs declarations import nothing from tfjs; a Worker compiles against them without tfjs installed', async () => {
  const app = tempDir('ferryml-edge-types-');
  const pkg = join(app, 'node_modules', 'ferryml');
  const config: string = '../../rollup.config.mjs'; // untyped .mjs: a non-literal specifier keeps tsc from resolving it
  const [{ rollup }, { default: builds }] = await Promise.all([import('rollup'), import(config)]);
  const dts = (builds as Array<{ input: Record<string, string>; output: Record<string, unknown> }>).find(
    (b) => String(b.output.entryFileNames).endsWith('.d.ts') && 'edge' in b.input && 'tfjs' in b.input,
  );
  assert.ok(dts, 'rollup.config.mjs has a declaration build of the edge and tfjs entries');
  const bundle = await rollup({ ...dts, onwarn: () => undefined });
  try {
    await bundle.write({ ...dts.output, dir: join(pkg, 'dist') });
  } finally {
    await bundle.close();
  }
  const declarations = [
    ...readdirSync(join(pkg, 'dist')).filter((f) => f.endsWith('.d.ts')),
    ...readdirSync(join(pkg, 'dist', 'chunks')).map((f) => `chunks/${f}`),
  ];
  assert.ok(declarations.includes('edge.d.ts') && declarations.includes('tfjs.d.ts'), declarations.join(', '));
  for (const file of declarations) {
    const text = readFileSync(join(pkg, 'dist', file), 'utf8');
    const imports = [...text.matchAll(/^(?:import|export)\b[^;]*?from\s+'([^']+)'|^import\s+'([^']+)'/gm)].map((m) => m[1] ?? m[2]);
    assert.deepEqual(
      imports.filter((s) => !s!.startsWith('.')),
      [],
      `${file} imports only its own chunks`,
    );
  }
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({
      name: 'ferryml',
      type: 'module',
      exports: { './edge': { types: './dist/edge.d.ts' }, './tfjs': { types: './dist/tfjs.d.ts' } },
    }),
  );
  mkdirSync(join(app, 'src'));
  writeFileSync(join(app, 'src', 'worker.ts'), WORKER);
  // What @cloudflare/workers-types declares for a Worker's .wasm imports.
  writeFileSync(join(app, 'src', 'wasm.d.ts'), `declare module '*.wasm' {\n  const module: WebAssembly.Module;\n  export default module;\n}\n`);
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        exactOptionalPropertyTypes: true,
        skipLibCheck: false,
        noEmit: true,
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        lib: ['ES2022', 'WebWorker'],
        types: [],
      },
      include: ['src'],
    }),
  );
  const r = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
