// Item 4, `cache`: warm load from IndexedDB (sha256 of every file verified again) ÷ cold load
// from the loopback server (fetch + verify + store), for the penguins and digits bundles.
// Loads go through the registry pinned to the bundle's version when models/index.json lists it
// (what an app does: the warm path still fetches index.json for revocations), else the bundle URL.
import type { BenchContext } from '../lib/context.js';
import { bundleSource, openPage } from '../lib/context.js';
import { judged, pending, ratioFigure, type Figure, type ItemResult } from '../lib/item.js';
import { pairedRatio, summarize } from '../lib/stats.js';
import type { CacheSource } from '../pages/cache.js';

const KEY = 'cache';
const TITLE = 'warm IndexedDB load ÷ cold network load';

type Rounds = { cold: number[]; warm: number[]; coldSources: string[]; warmSources: string[]; memoryOnly: boolean; bytes: number };

/** Runs the item; see the file comment. */
export async function cacheItem(ctx: BenchContext): Promise<ItemResult> {
  if (ctx.deps.openBundle !== true) return pending(KEY, TITLE, ctx.deps.openBundle);
  const present = (['penguins', 'digits'] as const).filter((n) => ctx.bundles[n]);
  if (!present.length) return pending(KEY, TITLE, 'no shipped bundle (models/penguins, models/digits) is there yet');
  const figures: Figure[] = [];
  const facts: Record<string, unknown> = {};
  for (const name of present) {
    const b = ctx.bundles[name]!;
    const source = bundleSource(ctx.root, b);
    const { page, context } = await openPage(ctx, 'cache');
    try {
      const r = (await page.evaluate(([s, n]) => (window as unknown as { bench: { rounds(s: CacheSource, n: number): Promise<unknown> } }).bench.rounds(s, n), [
        source,
        ctx.quick ? 3 : 12,
      ] as const)) as Rounds;
      if (r.memoryOnly) throw new Error(`${name}: the cache reported memory-only storage; the warm figure would not be IndexedDB`);
      if (r.warmSources.join() !== 'cache') throw new Error(`${name}: warm loads reported source ${r.warmSources.join(', ')}, expected cache`);
      figures.push(
        ratioFigure(
          `${name} ${b.version}`,
          pairedRatio(r.warm, r.cold),
          { warm: summarize(r.warm), cold: summarize(r.cold) },
          {
            target: { op: '<=', value: 0.35 },
            formula: 'warm openBundle ms ÷ cold openBundle ms',
            detail: { bundleBytes: r.bytes, via: 'registry' in source ? 'registry (pinned version)' : 'bundle URL' },
          },
        ),
      );
      facts[name] = { coldSources: r.coldSources, warmSources: r.warmSources };
    } finally {
      await context.close();
    }
  }
  return judged({ key: KEY, title: TITLE, status: 'measured', figures, facts });
}
