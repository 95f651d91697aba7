// Cold page loads: a fresh browser context (empty HTTP cache and IndexedDB) opens one page that
// loads its runtime and model and makes one prediction; the bytes are what the static server's
// transfer log says it sent for that page, grouped by kind. Gzip sizes of the same files are
// given for context (scripts/serve.mjs does not compress; a CDN would). A warm visit revalidates
// its HTTP cache (scripts/serve.mjs sends ETag/Last-Modified with `no-cache`): a file that did not
// change comes back as a 304 with no body, counted under `notModified`, not in `bytes`.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BenchContext } from './context.js';

/** Bytes of one cold page load. */
export interface ColdLoad {
  /** Body bytes the server sent (200s); a 304 sends none. */
  bytes: number;
  gzipBytes: number;
  byKind: Record<'js' | 'wasm' | 'model' | 'page', number>;
  /** Responses with a body (200s). */
  requests: number;
  files: Array<{ path: string; bytes: number; gzip: number }>;
  /** Revalidations answered 304 (no body): the file came from the browser's HTTP cache. */
  notModified: { requests: number; paths: string[] };
  /** JS bytes by package (from esbuild's metafile), over the chunks this page loaded. */
  jsByPackage: Record<string, number>;
  /** ms from navigation start to the first prediction. */
  msToFirstPrediction: number;
  prediction: unknown;
}

const kindOf = (path: string): keyof ColdLoad['byKind'] =>
  path.endsWith('.wasm') ? 'wasm' : /\.m?js$/.test(path) ? 'js' : path.endsWith('.html') ? 'page' : 'model';

/** Disk file behind a served URL path (the server's routes, longest prefix first). */
function diskPath(routes: Record<string, string>, path: string): string | undefined {
  const hit = Object.entries(routes)
    .sort((a, b) => b[0].length - a[0].length)
    .find(([prefix]) => path.startsWith(prefix));
  return hit ? join(hit[1], path.slice(hit[0].length)) : undefined;
}

/**
 * Opens `page` cold with `query` and measures what it transferred until its first prediction.
 * `warm`: the page is loaded once first in the same fresh context (HTTP cache, IndexedDB and
 * localStorage filled as an earlier visit leaves them), then loaded again and that load measured.
 */
export async function coldLoad(ctx: BenchContext, page: string, query: string, { warm = false } = {}): Promise<ColdLoad> {
  const url = ctx.pages[page];
  if (!url) throw new Error(`page ${page} was not built`);
  const logWindow = `${page}-${Math.random().toString(36).slice(2)}`;
  const context = await ctx.browser.newContext();
  try {
    const p = await context.newPage();
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(String(e)));
    // The page reports through the console (bench/pages/cold-common.ts `publish`): nothing is
    // injected into it while it loads.
    const visit = async () => {
      const reported = p.waitForEvent('console', { predicate: (m) => m.text().startsWith('bench:'), timeout: 60_000 });
      const [message] = await Promise.all([reported, p.goto(`${ctx.server.url}${url}${query}`)]);
      const text = message.text();
      if (!text.startsWith('bench:done ')) throw new Error(`${page}: ${text.slice('bench:'.length)}`);
      return JSON.parse(text.slice('bench:done '.length)) as { prediction: unknown; ms: number };
    };
    if (warm) {
      await visit();
      // Let the first visit's background work (cache writes) finish, as a real earlier visit would.
      await p.waitForTimeout(300);
    }
    ctx.server.log.mark(logWindow);
    const done = await visit();
    ctx.server.log.mark('none');
    if (errors.length) throw new Error(`${page}: ${errors.join('; ')}`);
    const log = ctx.server.log.entries(logWindow);
    const sent = log.filter((t) => t.status === 200);
    const revalidated = log.filter((t) => t.status === 304).map((t) => t.path);
    const files = sent.map((t) => {
      const disk = diskPath(ctx.routes, t.path);
      const gzip = disk && statSync(disk, { throwIfNoEntry: false })?.isFile() ? gzipSync(readFileSync(disk)).length : t.bytes;
      return { path: t.path, bytes: t.bytes, gzip };
    });
    const byKind = { js: 0, wasm: 0, model: 0, page: 0 };
    for (const f of files) byKind[kindOf(f.path)] += f.bytes;
    const jsByPackage: Record<string, number> = {};
    for (const f of files) for (const [pkg, n] of Object.entries(ctx.origins[f.path] ?? {})) jsByPackage[pkg] = (jsByPackage[pkg] ?? 0) + n;
    return {
      jsByPackage,
      bytes: files.reduce((a, f) => a + f.bytes, 0),
      gzipBytes: files.reduce((a, f) => a + f.gzip, 0),
      byKind,
      requests: files.length,
      files,
      notModified: { requests: revalidated.length, paths: revalidated },
      msToFirstPrediction: Math.round(done.ms),
      prediction: done.prediction,
    };
  } finally {
    await context.close();
  }
}
