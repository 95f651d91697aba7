// Bundles the browser side of the benchmarks with esbuild, the way an app would ship it:
// minified ESM with code splitting (so a lazily imported tfjs backend or SDK chunk is only
// transferred when the page really loads it, and the cold-load byte counts stay honest).
// tfjs's ESM build imports CommonJS packages (long, seedrandom); bundling resolves them here,
// exactly like scripts/vendor.mjs does for the test server.
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** A page: an entry module and the HTML that loads it. */
export interface PageEntry {
  /** Output name: `<name>.html` and `<name>.js` under the build directory. */
  name: string;
  /** Entry module (TypeScript), relative to the repository root. */
  entry: string;
}

/**
 * Bundles every entry into `outdir` (emptied first) and writes one HTML page per entry
 * (`minify: false` for readable profiles).
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
    logLevel: 'warning',
    // onnxruntime-web's default export condition is the build with its wasm glue inlined.
    conditions: ['browser', 'import', 'default'],
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const base = `/${relative(root, outdir)}`;
  const urls: Record<string, string> = {};
  for (const p of pages) {
    writeFileSync(
      join(outdir, `${p.name}.html`),
      `<!doctype html><meta charset="utf-8"><title>${p.name}</title><script type="module" src="./${p.name}.js"></script>\n`,
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

/** Per output chunk (URL path): minified bytes contributed by each package or source area. */
export type ChunkOrigins = Record<string, Record<string, number>>;

/** `node_modules/@tensorflow/tfjs-core/…` → `@tensorflow/tfjs-core`; `src/…` → `ferryml (src/)`. */
function originOf(input: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (m) return m[1]!;
  if (input.startsWith('src/')) return 'ferryml (src/)';
  if (input.startsWith('bench/')) return 'bench page code';
  return input;
}
