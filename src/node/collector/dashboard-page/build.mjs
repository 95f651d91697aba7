// Bundles the dashboard page's script (main.ts and what it imports) into one ES module, as
// `GET /dashboard.js` serves it. Used twice with the same options: by rollup.config.mjs, which
// writes dist/node/dashboard.js next to the CLI, and by dashboard.ts when the collector runs from
// source (tsx). `uplot` stays an import of the collector's own /assets/uPlot.esm.js (no CDN).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

/** @returns {Promise<string>} the bundled script */
export async function buildDashboardScript() {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./main.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [
      {
        name: 'uplot-from-collector',
        setup(b) {
          b.onResolve({ filter: /^uplot$/ }, () => ({ path: '/assets/uPlot.esm.js', external: true }));
        },
      },
    ],
  });
  return result.outputFiles[0].text;
}
