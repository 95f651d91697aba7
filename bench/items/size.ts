// Item 7, `size`: the SDK core's min+gzip bytes (tfjs and idb-keyval excluded) and everything
// `ferryml/lite` can load, as scripts/size.mjs measures them after a fresh `npm run build`, each
// judged against the budget scripts/size.mjs enforces (README "Size budget").
import { spawnSync } from 'node:child_process';
import type { BenchContext } from '../lib/context.js';
import { judged, meets, type ItemResult } from '../lib/item.js';

const KEY = 'size';
const TITLE = 'SDK core and ferryml/lite min+gzip bytes (tfjs excluded)';

/** Runs the item; see the file comment. */
export async function sizeItem(ctx: BenchContext): Promise<ItemResult> {
  // Build first: a stale dist/ would measure yesterday's SDK.
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ctx.root, encoding: 'utf8' });
  if (build.status !== 0) {
    return {
      key: KEY,
      title: TITLE,
      status: 'error',
      reason: `npm run build failed: ${(build.stderr || build.stdout).trim().split('\n').slice(-5).join(' | ')}`,
      figures: [],
    };
  }
  const size = spawnSync(process.execPath, ['scripts/size.mjs', '--json'], { cwd: ctx.root, encoding: 'utf8' });
  // Two JSON lines: the core's, then ferryml/lite's.
  const json = size.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const core = json.find((j) => 'coreGzipBytes' in j) as { coreGzipBytes: number; lazyGzipBytes: number; budgetBytes: number } | undefined;
  const lite = json.find((j) => 'liteGzipBytes' in j) as { liteGzipBytes: number; liteBudgetBytes: number; litePackages: string[] } | undefined;
  if (!core || !lite)
    return { key: KEY, title: TITLE, status: 'error', reason: `scripts/size.mjs printed no core or lite JSON: ${size.stderr.trim()}`, figures: [] };
  const { coreGzipBytes, lazyGzipBytes, budgetBytes } = core;
  const target = { op: '<=' as const, value: budgetBytes };
  const liteTarget = { op: '<=' as const, value: lite.liteBudgetBytes };
  const parts = size.stdout
    .split('\n')
    .filter((l) => /^(core|lazy) /.test(l))
    .map((l) => l.replace(/\s+/g, ' ').trim());
  return judged({
    key: KEY,
    title: TITLE,
    status: 'measured',
    figures: [
      {
        name: 'core',
        unit: 'bytes',
        value: coreGzipBytes,
        target,
        met: meets(coreGzipBytes, target),
        detail: { budgetBytes, files: parts.filter((p) => p.startsWith('core')) },
      },
      {
        name: 'ferryml/lite, all it can load',
        unit: 'bytes',
        value: lite.liteGzipBytes,
        target: liteTarget,
        met: meets(lite.liteGzipBytes, liteTarget),
        detail: { budgetBytes: lite.liteBudgetBytes, packages: lite.litePackages },
      },
      { name: 'lazy chunks (context)', unit: 'bytes', value: lazyGzipBytes, detail: { files: parts.filter((p) => p.startsWith('lazy')) } },
    ],
  });
}
