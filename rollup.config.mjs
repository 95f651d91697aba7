// Three builds:
//  1. the browser SDK: dist/ferryml.js, dist/lite.js (ferryml/lite: no path to tfjs) and the tooling subpaths dist/{schema,bundle,telemetry}.js
//     (ESM, tfjs and idb-keyval external, backends and optional subsystems in lazily loaded chunks
//     in dist/chunks/), dist/ferryml-worker.js (emitted where the worker host references it, see
//     workerUrls), tfjs-backend-wasm's three binaries next to them (see wasmAssets) + one .d.ts
//     per entry;
//  2. ferryml/node (dist/node.js: the file-system cache store, Node built-ins external) and its .d.ts;
//  3. the Node CLI: dist/node/cli.js (the `ferryml` bin), everything in node_modules external, and
//     dist/node/dashboard.js, the collector dashboard's page script.
// The demo build lives in demo/rollup.demo.mjs and is chained here when it exists.
import typescript from '@rollup/plugin-typescript';
import terser from '@rollup/plugin-terser';
import { dts } from 'rollup-plugin-dts';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const external = (id) => /^(@tensorflow\/|idb-keyval)/.test(id);
const nodeExternal = (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0');

const ts = (overrides = {}) =>
  typescript({
    tsconfig: './tsconfig.base.json',
    compilerOptions: { lib: ['ES2022', 'DOM', 'DOM.Iterable'], declaration: false, noEmit: false, outDir: undefined, ...overrides },
    include: ['src/**/*.ts'],
    exclude: ['test/**', 'bench/**', 'demo/**', 'training/**'],
  });

/**
 * Worker entries of the SDK: `new URL('./worker.ts', import.meta.url)` in its source (what a dev
 * server runs) becomes `new URL('../ferryml-worker.js', import.meta.url)` — the emitted worker,
 * relative to whichever chunk the expression lands in (dist/ or dist/chunks/). It stays a
 * `new Worker(new URL(…, import.meta.url))`, the form Vite and webpack 5 bundle workers from.
 */
function workerUrls(workers) {
  const pattern = /new URL\((['"])(\.{1,2}\/[^'"]+\.ts)\1,\s*import\.meta\.url\)/g;
  let refs;
  return {
    name: 'ferryml-worker-url',
    buildStart() {
      refs = new Map();
    },
    transform(code, id) {
      if (!code.includes('import.meta.url')) return null;
      let changed = false;
      const out = code.replace(pattern, (match, _quote, rel) => {
        const file = relative(process.cwd(), resolve(dirname(id), rel))
          .split(sep)
          .join('/');
        if (!workers[file]) return match;
        changed = true;
        if (!refs.has(file)) refs.set(file, this.emitFile({ type: 'chunk', id: resolve(file), fileName: workers[file] }));
        return `import.meta.ROLLUP_FILE_URL_${refs.get(file)}`;
      });
      // map: null keeps the TypeScript map (only columns on this one line move).
      return changed ? { code: out, map: null } : null;
    },
    resolveFileUrl({ relativePath }) {
      // Rollup's default appends `.href`, which hides the pattern from bundlers.
      return `new URL(${JSON.stringify(relativePath.startsWith('.') ? relativePath : `./${relativePath}`)}, import.meta.url)`;
    },
  };
}

/**
 * The WASM binaries of the SDK: `new URL('<path>.wasm', import.meta.url)` in its source (a path
 * into node_modules, what a dev server serves) becomes `new URL('./<file>.wasm', import.meta.url)`
 * relative to the chunk it lands in, and the binary is emitted into dist/ as an asset — so an
 * app's bundler (Vite, webpack 5) copies it with the SDK and nothing needs configuring.
 */
function wasmAssets() {
  const pattern = /new URL\((['"])(\.{1,2}\/[^'"]+\.wasm)\1,\s*import\.meta\.url\)/g;
  let refs;
  return {
    name: 'ferryml-wasm-assets',
    buildStart() {
      refs = new Map();
    },
    transform(code, id) {
      if (!code.includes('.wasm')) return null;
      let changed = false;
      const out = code.replace(pattern, (_match, _quote, rel) => {
        const file = resolve(dirname(id), rel);
        changed = true;
        if (!refs.has(file)) refs.set(file, this.emitFile({ type: 'asset', fileName: file.split(sep).pop(), source: readFileSync(file) }));
        return `import.meta.ROLLUP_FILE_URL_${refs.get(file)}`;
      });
      return changed ? { code: out, map: null } : null;
    },
  };
}

/**
 * The worker as shipped is self-contained: tfjs bundled in (ESM, backends in lazy chunks under
 * dist/worker/), so it runs wherever the SDK's `new Worker(new URL(…))` finds it without the app's
 * bundler touching its imports. Vite's dev server serves a dependency's worker as is, and tfjs's
 * CommonJS dependencies (seedrandom, long) then fail with "module is not defined"; a bundler that
 * does process it (Vite build, webpack) gets code that needs nothing more. esbuild builds it
 * (seconds; @rollup/plugin-commonjs took minutes on tfjs here) after the SDK build has written
 * dist/, over the worker chunk rollup emitted for the URL rewrite.
 */
function selfContainedWorker(entry, name) {
  return {
    name: 'ferryml-self-contained-worker',
    async writeBundle(options) {
      const { build } = await import('esbuild');
      // Chunk names carry content hashes: drop the previous build's, or they pile up (and get packed).
      rmSync(join(options.dir, 'worker'), { recursive: true, force: true });
      await build({
        entryPoints: { [name]: entry },
        outdir: options.dir,
        bundle: true,
        format: 'esm',
        splitting: true,
        minify: true,
        platform: 'browser',
        target: 'es2022',
        chunkNames: 'worker/[name]-[hash]',
        legalComments: 'none',
        logLevel: 'warning',
        // tfjs-backend-wasm's emscripten glue probes `typeof __filename`; webpack rewrites that
        // probe in an ES module but leaves the name, which then throws in the worker. No Node here.
        define: { __filename: 'undefined', __dirname: 'undefined' },
      });
    },
  };
}

/** The collector's dashboard script, bundled from its typed sources next to the CLI (dist/node/dashboard.js). */
function dashboardScript() {
  return {
    name: 'ferryml-dashboard-script',
    async generateBundle() {
      const { buildDashboardScript } = await import('./src/node/collector/dashboard-page/build.mjs');
      this.emitFile({ type: 'asset', fileName: 'dashboard.js', source: await buildDashboardScript() });
    },
  };
}

/** The entries of the browser SDK: the app API (root) and the tooling subpaths. */
const entries = {
  ferryml: 'src/index.ts',
  lite: 'src/entries/lite.ts',
  schema: 'src/entries/schema.ts',
  bundle: 'src/entries/bundle.ts',
  telemetry: 'src/entries/telemetry.ts',
};
/** `ferryml/tfjs`: the tfjs engine for `useTfjs` of `ferryml/edge`, sharing the root's chunks. */
entries.tfjs = 'src/entries/tfjs.ts';

/**
 * The cold path in one chunk (issue 15): everything src/plain-path.ts reaches statically that no
 * app entry (`appEntries`: ferryml, ferryml/lite) reaches (bundle open/verify/cache, engine choice, plain-JS engine, model and scheduler)
 * goes into chunks/plain-path-[hash].js, which the core imports with one dynamic `import()` — one
 * module round trip from the entry instead of one per lazy level. Chunks that load later (the
 * tfjs engine, telemetry, the worker host) import from it what they share with it.
 * Rollup pulls a manual chunk's dependencies into it unless they are in another manual chunk, so
 * the app entries' modules that the cold path also imports are grouped here too, by the set of app
 * entries that reach them (`core-<entries>`, as rollup's own chunking groups them), to stay in the
 * core. The tooling entries (schema, bundle, telemetry, tfjs) import what they need from these chunks.
 */
function plainPathChunk(appEntries) {
  let chunkOf;
  // The modules a first prediction of a plain-JS model runs: what the app entries and the plain
  // path reach statically (filled with `chunkOf`; read by `coldPathHint`).
  const cold = new Set();
  const closure = (start, getModuleInfo) => {
    const seen = new Set();
    const stack = [start];
    while (stack.length) {
      const info = getModuleInfo(stack.pop());
      if (!info || info.isExternal || seen.has(info.id)) continue;
      seen.add(info.id);
      stack.push(...info.importedIds);
    }
    return seen;
  };
  const manualChunks = (id, { getModuleInfo }) => {
    if (!chunkOf) {
      chunkOf = new Map();
      const reach = Object.entries(appEntries).map(([name, file]) => [name, closure(resolve(file), getModuleInfo)]);
      // The IndexedDB code the browser entries offer (src/cache/idb-slot.ts) comes with the plain path.
      const plain = new Set([...closure(resolve('src/plain-path.ts'), getModuleInfo), ...closure(resolve('src/cache/idb-code.ts'), getModuleInfo)]);
      for (const m of plain) {
        const by = reach.filter(([, set]) => set.has(m)).map(([name]) => name);
        chunkOf.set(m, by.length ? `core-${by.join('-')}` : 'plain-path');
      }
      for (const m of [...plain, ...reach.flatMap(([, set]) => [...set])]) cold.add(m);
    }
    return chunkOf.get(id);
  };
  return {
    manualChunks,
    /**
     * V8's explicit compile hint (Chrome ≥ 136) atop the chunks that hold the cold path's modules
     * (the files preload.json lists), so they compile off the main thread while they stream in
     * (README "Compile hints"). It reaches pages that load dist/ as it is (an import map); an app's
     * bundler drops it unless its config puts it back.
     */
    coldPathHint: (chunk) => (chunk.moduleIds.some((m) => cold.has(m)) ? '//# allFunctionsCalledOnLoad' : ''),
  };
}

/**
 * dist/preload.json: per app entry, the files its first load with a plain-JS model fetches (the
 * entry, its static imports, the plain-path chunk and its static imports), for an app that serves
 * dist/ as is to write `<link rel="modulepreload">` for (README "One round trip for the SDK's code").
 */
function preloadList(appEntries) {
  return {
    name: 'ferryml-preload-list',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((c) => c.type === 'chunk');
      const byFile = new Map(chunks.map((c) => [c.fileName, c]));
      const plainPath = chunks.find((c) => c.name === 'plain-path');
      const list = {};
      for (const name of appEntries) {
        const seen = new Set();
        const stack = [`${name}.js`, ...(plainPath ? [plainPath.fileName] : [])];
        while (stack.length) {
          const file = stack.pop();
          if (seen.has(file) || !byFile.has(file)) continue;
          seen.add(file);
          stack.push(...byFile.get(file).imports);
        }
        list[name] = [...seen].sort();
      }
      this.emitFile({ type: 'asset', fileName: 'preload.json', source: `${JSON.stringify(list, null, 2)}\n` });
    },
  };
}

const coldPath = plainPathChunk({ ferryml: entries.ferryml, lite: entries.lite });

const builds = [
  {
    input: entries,
    external,
    // Source maps stay out of the package (package.json `files`); they serve local tools. Hidden: no
    // `sourceMappingURL` comment, which in the package would point at a missing file (DevTools and
    // bundlers request it: 404s and warnings).
    output: {
      dir: 'dist',
      format: 'es',
      sourcemap: 'hidden',
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/[name]-[hash].js',
      manualChunks: coldPath.manualChunks,
      banner: coldPath.coldPathHint,
    },
    plugins: [
      ts(),
      workerUrls({ 'src/runtime/worker.ts': 'ferryml-worker.js' }),
      wasmAssets(),
      selfContainedWorker('src/runtime/worker.ts', 'ferryml-worker'),
      preloadList(['ferryml', 'lite']),
    ],
  },
  {
    // `ferryml/edge` (dist/edge.js, one file): its loadModel takes tfjs and telemetry only from what the
    // app hands in (src/runtime/edge-code.ts), so nothing here imports them, even lazily.
    input: { edge: 'src/entries/edge.ts' },
    external,
    // Shipped minified: wrangler bundles without minifying by default, and this is the entry whose size is the budget.
    // `freeze: false`: the namespaces of the inlined `import()`s (the plain-JS path, the local bundle,
    // the cache manager) are internal. As plain object literals, not `Object.freeze(…)` calls that a
    // bundler must keep, the app's bundler drops the ones its code never reaches: a Worker that never
    // calls `modelCache` ships none of the cache manager (0.37 KB gzip of the README Worker with
    // wrangler's defaults, room that issue 15's move of the schema compiler out of the core needed).
    output: { dir: 'dist', format: 'es', sourcemap: 'hidden', entryFileNames: '[name].js', inlineDynamicImports: true, freeze: false },
    plugins: [ts(), terser({ module: true, compress: { passes: 2 } })],
  },
  {
    // With the worker's (`export {}`: it runs for its effect), so that `import 'ferryml/worker'` type-checks.
    input: { ...(({ tfjs: _tfjs, ...rest }) => rest)(entries), 'ferryml-worker': 'src/runtime/worker.ts' },
    external,
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: 'chunks/[name]-[hash].d.ts' },
    plugins: [dts({ tsconfig: './tsconfig.browser.json' })],
  },
  {
    // Apart from the others: sharing chunks with them would put the engine's tfjs-core types into ferryml.d.ts.
    input: { edge: 'src/entries/edge.ts', tfjs: 'src/entries/tfjs.ts' },
    external,
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: 'chunks/edge-[name]-[hash].d.ts' },
    plugins: [dts({ tsconfig: './tsconfig.browser.json' })],
  },
  {
    // `ferryml/node` (dist/node.js): the file-system cache store for Node, Bun and Deno servers. On its
    // own (node: built-ins external), so no browser or edge build ever reaches node:fs.
    input: { node: 'src/node/entry.ts' },
    external: nodeExternal,
    output: { dir: 'dist', format: 'es', sourcemap: 'hidden', entryFileNames: '[name].js' },
    plugins: [ts({ types: ['node'] })],
  },
  {
    input: { node: 'src/node/entry.ts' },
    external: nodeExternal,
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].d.ts' },
    plugins: [dts({ tsconfig: './tsconfig.json' })],
  },
  {
    input: { cli: 'src/node/cli.ts' },
    external: nodeExternal,
    output: { dir: 'dist/node', format: 'es', sourcemap: 'hidden', chunkFileNames: '[name]-[hash].js' },
    plugins: [ts({ lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: ['node'] }), dashboardScript()],
  },
];

/** The browser SDK's build, also run by test/server/sdk-dist.mjs for the tests of the built files. */
export const sdkBuild = builds[0];
/** The `ferryml/edge` build (dist/edge.js), also run by the edge tests (test/node/support/edge.ts). */
export const edgeBuild = builds[1];
/** The `ferryml/node` build (dist/node.js), also run by the edge tests. */
export const nodeBuild = builds.find((b) => b.input.node && !b.output.entryFileNames.endsWith('.d.ts'));

const demo = existsSync('demo/rollup.demo.mjs') ? (await import('./demo/rollup.demo.mjs')).default : [];
export default [...builds, ...demo];
