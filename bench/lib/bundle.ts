// Bundles the browser side of the benchmarks with esbuild, the way an app would ship it:
// minified ESM with code splitting (so a lazily imported tfjs backend or SDK chunk is only
// transferred when the page really loads it, and the cold-load byte counts stay honest).
// tfjs's ESM build imports CommonJS packages (long, seedrandom); bundling resolves them here,
// exactly like scripts/vendor.mjs does for the test server.
import { build, type Metafile, type Plugin } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** A page: an entry module and the HTML that loads it. */
export interface PageEntry {
  /** Output name: `<name>.html` and `<name>.js` under the build directory. */
  name: string;
  /** Entry module (TypeScript), relative to the repository root. */
  entry: string;
  /**
   * Modules the page loads with a dynamic `import()` on its critical path (relative to the
   * repository root; `*` matches a content hash): their chunks and everything those import
   * statically are `modulepreload`ed too, as Vite's preload helper would fetch them alongside the
   * `import()`.
   */
  preload?: string[];
  /**
   * `"dist"`: the page gets the SDK as an app does, from the installed package — its import of
   * `src/index.ts` is bundled from `dist/ferryml.js` (package.json `exports["."]`, what
   * `import … from 'ferryml'` resolves to; built by `npm run build`) instead of the sources, so its
   * chunks are what an app's bundler makes of the published build. Default: the sources.
   */
  sdk?: 'dist';
  /**
   * A first line for every JS file of the page's build (esbuild `banner`), as an app's bundler
   * config adds one: `//# allFunctionsCalledOnLoad` is V8's explicit compile hint (Chrome ≥ 136),
   * which has each function compiled eagerly, off the main thread while the file streams in,
   * instead of on first call. Pages bundled together must agree on it.
   */
  banner?: string;
}

/** Resolves the SDK's root entry (`src/index.ts`, imported as `…/src/index.js`) to the built package's. */
function sdkFromDist(root: string): Plugin {
  const entry = join(root, 'dist', 'ferryml.js');
  return {
    name: 'ferryml-from-dist',
    setup(b) {
      b.onResolve({ filter: /\/src\/index\.js$/ }, (args) => {
        if (join(args.resolveDir, args.path) !== join(root, 'src', 'index.js')) return undefined;
        if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
        return { path: entry };
      });
    },
  };
}

/** Newest modification time of the files under `dir` (recursive). */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) t = Math.max(t, statSync(join(e.parentPath, e.name)).mtimeMs);
  return t;
}

/**
 * Runs `npm run build` when `dist/ferryml.js` is missing or older than `src/`, the rollup config or
 * package.json, so that a page bundled from `dist/` measures the working tree's SDK; says what it did.
 */
export function ensureDist(root: string): string {
  const built = join(root, 'dist', 'ferryml.js');
  const sources = Math.max(newest(join(root, 'src')), statSync(join(root, 'rollup.config.mjs')).mtimeMs, statSync(join(root, 'package.json')).mtimeMs);
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return 'dist/ is up to date with src/';
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  return 'built dist/ (npm run build): it was missing or older than src/';
}

/** `dist/chunks/plain-path-*.js` → a RegExp for esbuild's metafile entry points. */
const pattern = (glob: string) => new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);

/**
 * Bundles every entry into `outdir` (emptied first) and writes one HTML page per entry
 * (`minify: false` for readable profiles). Each page `modulepreload`s the chunks its entry imports
 * statically (what Vite's build emits for any app), so the module graph is fetched in one round
 * trip rather than one per level, plus the chunks of its `preload` modules.
 * Returns the URL path of each page, keyed by name.
 */
export async function bundlePages(
  root: string,
  outdir: string,
  pages: PageEntry[],
  minify = true,
): Promise<{ urls: Record<string, string>; origins: ChunkOrigins }> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const fromDist = pages.some((p) => p.sdk === 'dist');
  if (fromDist && !pages.every((p) => p.sdk === 'dist')) throw new Error('pages bundled together must get the SDK from the same place');
  const banner = pages[0]?.banner;
  if (!pages.every((p) => p.banner === banner)) throw new Error('pages bundled together must have the same banner');
  const result = await build({
    metafile: true,
    absWorkingDir: root,
    entryPoints: Object.fromEntries(pages.map((p) => [p.name, p.entry])),
    bundle: true,
    splitting: true,
    minify,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir,
    chunkNames: 'chunks/[name]-[hash]',
    ...(banner === undefined ? {} : { banner: { js: banner } }),
    logLevel: 'warning',
    // onnxruntime-web's default export condition is the build with its wasm glue inlined.
    conditions: ['browser', 'import', 'default'],
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: fromDist ? [sdkFromDist(root)] : [],
    // dist/ferryml.js names the chunks it needs with bare imports (rollup's hoisting); under the
    // package's `"sideEffects": false` a bundler drops those, as it would in any app.
    logOverride: { 'ignored-bare-import': 'silent' },
  });
  const base = `/${relative(root, outdir)}`;
  const urls: Record<string, string> = {};
  const outputs = result.metafile.outputs;
  for (const p of pages) {
    const entryFile = join(relative(root, outdir), `${p.name}.js`);
    const wanted = (p.preload ?? []).map(pattern);
    const starts = [entryFile, ...Object.keys(outputs).filter((f) => wanted.some((w) => w.test(outputs[f]!.entryPoint ?? '')))];
    if (starts.length !== 1 + (p.preload?.length ?? 0)) throw new Error(`${p.name}: no chunk for some of ${p.preload?.join(', ')}`);
    const links = [...staticClosure(outputs, starts)]
      .filter((f) => f !== entryFile)
      .map((f) => `<link rel="modulepreload" href="./${relative(relative(root, outdir), f)}">`)
      .join('');
    writeFileSync(
      join(outdir, `${p.name}.html`),
      `<!doctype html><meta charset="utf-8"><title>${p.name}</title>${links}<script type="module" src="./${p.name}.js"></script>\n`,
    );
    urls[p.name] = `${base}/${p.name}.html`;
  }
  const origins: ChunkOrigins = {};
  for (const [file, out] of Object.entries(result.metafile.outputs)) {
    if (!file.endsWith('.js')) continue;
    const by: Record<string, number> = {};
    for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) {
      const origin = originOf(input);
      by[origin] = (by[origin] ?? 0) + bytesInOutput;
    }
    origins[`/${relative(root, join(root, file))}`] = by;
  }
  return { urls, origins };
}

/** Output files reached from `starts` through static imports (esbuild metafile paths). */
function staticClosure(outputs: Metafile['outputs'], starts: string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...starts];
  while (stack.length) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const i of outputs[file]?.imports ?? []) if (i.kind === 'import-statement' && !i.external) stack.push(i.path);
  }
  return seen;
}

/** Per output chunk (URL path): minified bytes contributed by each package or source area. */
export type ChunkOrigins = Record<string, Record<string, number>>;

/** `node_modules/@tensorflow/tfjs-core/…` → `@tensorflow/tfjs-core`; `src/…` → `ferryml (src/)`. */
function originOf(input: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (m) return m[1]!;
  if (input.startsWith('src/')) return 'ferryml (src/)';
  if (input.startsWith('dist/')) return 'ferryml (dist/)';
  if (input.startsWith('bench/')) return 'bench page code';
  return input;
}
