// The browser SDK as it ships, for the tests of the built files: the first request under
// /.cache/sdk-dist/ runs rollup.config.mjs's SDK build (the same config as `npm run build`, into
// .cache/sdk-dist/ so a concurrent `npm run build` of dist/ is not disturbed; ~9 s, once per test
// run and only when a test asks), then the files are served as they are — the runner's import
// resolution maps their bare `@tensorflow/*` and `idb-keyval` imports, as an app's server would.
//
//   GET /.cache/sdk-dist/<file>   a built file (ferryml.js, ferryml-worker.js, chunks/…)
//   GET /__sdk-dist               → { files: [built file names], requests: { file: count } }
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

const PREFIX = '/.cache/sdk-dist/';
const outDir = join(process.cwd(), '.cache/sdk-dist');
const requests = {};
let built;

async function build() {
  const [{ rollup }, { sdkBuild }] = await Promise.all([import('rollup'), import('../../rollup.config.mjs')]);
  await rm(outDir, { recursive: true, force: true });
  const warnings = [];
  // Type errors are `npm run typecheck`'s to report (and may be another file's, mid-edit).
  const bundle = await rollup({ ...sdkBuild, onwarn: (w) => w.plugin !== 'typescript' && warnings.push(`${w.code}: ${w.message}`) });
  try {
    const { output } = await bundle.write({ ...sdkBuild.output, dir: outDir });
    // A bundling warning (e.g. two files emitted under one name) is a defect the tests should see.
    if (warnings.length) throw new Error(`the SDK build warned:\n${warnings.join('\n')}`);
    return output.map((o) => o.fileName).filter((f) => !f.endsWith('.map'));
  } finally {
    await bundle.close();
  }
}

export const middleware = [
  async (ctx, next) => {
    if (ctx.path === '/__sdk-dist') {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { files: await (built ??= build()), requests };
      return;
    }
    if (!ctx.path.startsWith(PREFIX)) return next();
    await (built ??= build());
    const file = ctx.path.slice(PREFIX.length);
    requests[file] = (requests[file] ?? 0) + 1;
    return next();
  },
];
