// Two builds:
//  1. the browser SDK: dist/ferryml.js (ESM, tfjs and idb-keyval external, backends and
//     optional subsystems in lazily loaded chunks in dist/chunks/), dist/ferryml-worker.js (emitted
//     where the worker host references it, see workerUrls) + dist/ferryml.d.ts;
//  2. the Node CLI: dist/node/cli.js (the `ferryml` bin), everything in node_modules external.
// The demo build lives in demo/rollup.demo.mjs and is chained here when it exists.
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';
import { existsSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';

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
        const file = relative(process.cwd(), resolve(dirname(id), rel)).split(sep).join('/');
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

const builds = [
  {
    input: { ferryml: 'src/index.ts' },
    external,
    output: { dir: 'dist', format: 'es', sourcemap: true, entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
    plugins: [ts(), workerUrls({ 'src/runtime/worker.ts': 'ferryml-worker.js' })],
  },
  {
    input: 'src/index.ts',
    external,
    output: { file: 'dist/ferryml.d.ts', format: 'es' },
    plugins: [dts({ tsconfig: './tsconfig.browser.json' })],
  },
  {
    input: { cli: 'src/node/cli.ts' },
    external: nodeExternal,
    output: { dir: 'dist/node', format: 'es', sourcemap: true, chunkFileNames: '[name]-[hash].js' },
    plugins: [ts({ lib: ['ES2022', 'DOM'], types: ['node'] })],
  },
];

/** The browser SDK's build, also run by test/server/sdk-dist.mjs for the tests of the built files. */
export const sdkBuild = builds[0];

const demo = existsSync('demo/rollup.demo.mjs') ? (await import('./demo/rollup.demo.mjs')).default : [];
export default [...builds, ...demo];
