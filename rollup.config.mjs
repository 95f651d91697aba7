// Two builds:
//  1. the browser SDK: dist/ferryml.js (ESM, tfjs and idb-keyval external, backends and
//     optional subsystems in lazily loaded chunks) + dist/ferryml.d.ts;
//  2. the Node CLI: dist/node/cli.js (the `ferryml` bin), everything in node_modules external.
// The demo build lives in demo/rollup.demo.mjs and is chained here when it exists.
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';
import { existsSync } from 'node:fs';

const external = (id) => /^(@tensorflow\/|idb-keyval)/.test(id);
const nodeExternal = (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0');

const ts = (overrides = {}) =>
  typescript({
    tsconfig: './tsconfig.base.json',
    compilerOptions: { lib: ['ES2022', 'DOM', 'DOM.Iterable'], declaration: false, noEmit: false, outDir: undefined, ...overrides },
    include: ['src/**/*.ts'],
    exclude: ['test/**', 'bench/**', 'demo/**', 'training/**'],
  });

const builds = [
  {
    input: { ferryml: 'src/index.ts', 'ferryml-worker': 'src/runtime/worker.ts' },
    external,
    output: { dir: 'dist', format: 'es', sourcemap: true, entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
    plugins: [ts()],
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

// The worker entry exists once the runtime lands; build only what is there.
builds[0].input = Object.fromEntries(Object.entries(builds[0].input).filter(([, f]) => existsSync(f)));

const demo = existsSync('demo/rollup.demo.mjs') ? (await import('./demo/rollup.demo.mjs')).default : [];
export default [...builds, ...demo];
