// The demo build → dist/demo/: the page shell, the page's code and the SDK from src/ (rollup,
// TypeScript stripped by esbuild), tfjs as one esbuild pre-bundle under vendor/, the tfjs WASM
// binaries, and the service worker with the list of files it precaches.
//
// Why tfjs is not bundled by rollup: its ESM build imports CommonJS packages (long, seedrandom,
// the emscripten glue), and converting ~2.5 MB with @rollup/plugin-commonjs took ~16 s here
// against ~2 s for esbuild (once; later builds reuse it by lockfile stamp). Rollup keeps the
// `@tensorflow/*` imports external and rewrites them to the vendor files, so the page, its
// lazily loaded backends and the SDK's worker share one tfjs-core instance.
import nodeResolve from '@rollup/plugin-node-resolve';
import { build, transform } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VENDOR_ENTRIES } from '../scripts/vendor.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/demo');
const vendorDir = join(root, '.cache/demo-vendor');
const wasmDir = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');

/** Minified esbuild pre-bundle of tfjs, rebuilt only when the lockfile changes. */
async function buildVendor() {
  const stamp = createHash('sha256')
    .update(readFileSync(join(root, 'package-lock.json')))
    .update(JSON.stringify(VENDOR_ENTRIES))
    .update('min')
    .digest('hex');
  const stampFile = join(vendorDir, '.stamp');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return;
  // Start empty: chunk names are content hashes, and stale ones would be copied into the demo.
  rmSync(vendorDir, { recursive: true, force: true });
  mkdirSync(vendorDir, { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(VENDOR_ENTRIES).map(([spec, name]) => [name, spec])),
    bundle: true,
    splitting: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: vendorDir,
    chunkNames: 'chunk-[hash]',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  writeFileSync(stampFile, stamp);
}

/** Strips TypeScript with esbuild (type checking is `npm run typecheck`'s job) and maps `./x.js` imports to `./x.ts`. */
const typescript = {
  name: 'demo-typescript',
  resolveId(source, importer) {
    if (!importer || !source.startsWith('.') || !source.endsWith('.js')) return null;
    const ts = resolve(dirname(importer), source.replace(/\.js$/, '.ts'));
    return existsSync(ts) ? ts : null;
  },
  async transform(code, id) {
    if (!id.endsWith('.ts')) return null;
    const result = await transform(code, { loader: 'ts', format: 'esm', target: 'es2022', sourcemap: true, sourcefile: id });
    return { code: result.code, map: result.map };
  },
};

/** tfjs stays external and points at the vendor files next to the page's chunks. */
const vendorPaths = Object.fromEntries(Object.entries(VENDOR_ENTRIES).map(([spec, name]) => [spec, `./vendor/${name}.js`]));

/** Copies the shell, the vendor bundle and the WASM binaries, and writes the service worker's precache list. */
const assets = {
  name: 'demo-assets',
  async buildStart() {
    await buildVendor();
    for (const f of ['demo/index.html', 'demo/styles.css', 'demo/icon.svg']) this.addWatchFile(join(root, f));
  },
  generateBundle(_options, bundle) {
    const emit = (fileName, source) => this.emitFile({ type: 'asset', fileName, source });
    for (const f of ['index.html', 'styles.css', 'icon.svg']) emit(f, readFileSync(join(root, 'demo', f)));
    for (const f of readdirSync(vendorDir)) if (f.endsWith('.js')) emit(`vendor/${f}`, readFileSync(join(vendorDir, f)));
    for (const f of readdirSync(wasmDir)) if (f.endsWith('.wasm')) emit(`vendor/${f}`, readFileSync(join(wasmDir, f)));
    const sw = bundle['sw.js'];
    if (!sw || sw.type !== 'chunk') return;
    // Everything the page can need offline; source maps stay network-only.
    const files = Object.keys(bundle)
      .filter((f) => f !== 'sw.js' && !f.endsWith('.map'))
      .sort();
    const hash = createHash('sha256');
    for (const f of files) hash.update(f).update(bundle[f].type === 'chunk' ? bundle[f].code : bundle[f].source);
    const version = hash.digest('hex').slice(0, 16);
    sw.code = sw.code.replace('self.__PRECACHE__', JSON.stringify({ version, files: ['./', ...files] }));
  },
};

export default [
  {
    // worker: the SDK's worker entry (loadModel's `worker: { url }`), built next to the page so its
    // tfjs imports resolve to the same vendor files.
    input: { app: 'demo/src/main.ts', worker: 'src/runtime/worker.ts', sw: 'demo/sw.ts' },
    external: (id) => id in vendorPaths,
    output: {
      dir: out,
      format: 'es',
      sourcemap: true,
      entryFileNames: '[name].js',
      chunkFileNames: '[name]-[hash].js',
      paths: vendorPaths,
    },
    // idb-keyval (plain ESM) is bundled; tfjs is external (above).
    plugins: [typescript, nodeResolve({ browser: true }), assets],
    onwarn(warning, warn) {
      // tfjs's minified bundle and the SDK's circular type-only imports are not worth a warning here.
      if (warning.code === 'CIRCULAR_DEPENDENCY') return;
      warn(warning);
    },
  },
];

/** Where the demo is written (the e2e test checks it is up to date). */
export const demoOutDir = out;
