// Browser tests: test/**/*.test.ts (not test/node) in Debian's headless Chromium with real
// WebGPU (SwiftShader Vulkan), real WASM, real IndexedDB and real fetch against this server.
// Fault injection and helper services live in test/server/*.mjs: each module may export
// `middleware` (Koa middleware array) and `plugins` (dev-server plugins); all are loaded here.
import { chromeLauncher } from '@web/test-runner-chrome';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildVendor } from './scripts/vendor.mjs';
import { findChromium } from './scripts/ensure.mjs';
import { chromiumArgs } from './scripts/chromium.mjs';

const root = process.cwd();
const vendor = await buildVendor(root);

const serverModules = await Promise.all(
  readdirSync(join(root, 'test/server'))
    .filter((f) => f.endsWith('.mjs'))
    .sort()
    .map((f) => import(`./test/server/${f}`)),
);

const executablePath = findChromium();
if (!executablePath) throw new Error('No Chromium: run `node scripts/ensure.mjs` or set CHROME_PATH');

/** Maps bare tfjs imports to the one pre-bundled copy. */
const vendorPlugin = {
  name: 'ferryml-vendor',
  resolveImport({ source }) {
    return vendor[source];
  },
};

// Chromium's profile for this run, removed when the runner exits.
const userDataDir = mkdtempSync(join(tmpdir(), 'ferryml-wtr-'));
process.on('exit', () => rmSync(userDataDir, { recursive: true, force: true }));

export default {
  rootDir: root,
  files: ['test/**/*.test.ts', '!test/node/**'],
  nodeResolve: { exportConditions: ['browser', 'import', 'default'] },
  concurrency: 1,
  concurrentBrowsers: 1,
  browserStartTimeout: 120_000,
  testsStartTimeout: 180_000,
  testsFinishTimeout: 600_000,
  testFramework: { config: { timeout: 60_000 } },
  plugins: [vendorPlugin, esbuildPlugin({ ts: true, target: 'es2022' }), ...serverModules.flatMap((m) => m.plugins ?? [])],
  middleware: serverModules.flatMap((m) => m.middleware ?? []),
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath,
        headless: true,
        args: chromiumArgs({ userDataDir }),
      },
    }),
  ],
};
