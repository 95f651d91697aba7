// Item 7, `size`: the SDK core's min+gzip bytes (tfjs and idb-keyval excluded), as
// scripts/size.mjs measures it after a fresh `npm run build`.
import { spawnSync } from 'node:child_process';
import type { BenchContext } from '../lib/context.js';
import { judged, meets, type ItemResult } from '../lib/item.js';

const KEY = 'size';
const TITLE = 'SDK core min+gzip bytes (tfjs excluded)';
const TARGET = { op: '<=' as const, value: 15 * 1024 };

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
  const line = size.stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (!line) return { key: KEY, title: TITLE, status: 'error', reason: `scripts/size.mjs printed no JSON: ${size.stderr.trim()}`, figures: [] };
  const { coreGzipBytes, lazyGzipBytes, budgetBytes } = JSON.parse(line) as { coreGzipBytes: number; lazyGzipBytes: number; budgetBytes: number };
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
        target: TARGET,
        met: meets(coreGzipBytes, TARGET),
        detail: { budgetBytes, files: parts.filter((p) => p.startsWith('core')) },
      },
      { name: 'lazy chunks (context)', unit: 'bytes', value: lazyGzipBytes, detail: { files: parts.filter((p) => p.startsWith('lazy')) } },
    ],
  });
}
