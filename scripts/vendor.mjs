// Pre-bundles the CommonJS-tainted browser dependencies (tfjs pulls in long, seedrandom and
// the emscripten glue) once with esbuild into ESM with code splitting, so there is exactly one
// tfjs-core instance however many packages import it. The test server and the benchmarks serve
// the result and map bare imports to it. ~4× faster than converting with the commonjs plugin.
import { build } from 'esbuild';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** Bare specifier → file name under the vendor directory. */
export const VENDOR_ENTRIES = {
  '@tensorflow/tfjs-core': 'tfjs-core',
  '@tensorflow/tfjs-layers': 'tfjs-layers',
  '@tensorflow/tfjs-converter': 'tfjs-converter',
  '@tensorflow/tfjs-backend-cpu': 'tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm': 'tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgpu': 'tfjs-backend-webgpu',
};

/** Builds the vendor bundle into `outdir` unless an up-to-date one is there; returns the map specifier → URL path. */
export async function buildVendor(root, outdir = join(root, '.cache', 'vendor'), urlBase = '/.cache/vendor') {
  const lock = readFileSync(join(root, 'package-lock.json'));
  const stamp = createHash('sha256').update(lock).update(JSON.stringify(VENDOR_ENTRIES)).digest('hex');
  const stampFile = join(outdir, '.stamp');
  if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
    mkdirSync(outdir, { recursive: true });
    await build({
      absWorkingDir: root,
      entryPoints: Object.fromEntries(Object.entries(VENDOR_ENTRIES).map(([spec, name]) => [name, spec])),
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      outdir,
      logLevel: 'warning',
      define: { 'process.env.NODE_ENV': '"production"' },
    });
    writeFileSync(stampFile, stamp);
  }
  return Object.fromEntries(Object.entries(VENDOR_ENTRIES).map(([spec, name]) => [spec, `${urlBase}/${name}.js`]));
}
