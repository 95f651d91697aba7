// The benchmark items in the order they run (size first: its build must not overlap timings).
import type { BenchContext } from '../lib/context.js';
import type { ItemResult } from '../lib/item.js';
import { cacheItem } from './cache.js';
import { preprocessItem } from './preprocess.js';
import { sizeItem } from './size.js';

/** One item: its key in latest.json, its title, and how to run it. */
export interface Item {
  key: string;
  title: string;
  run(ctx: BenchContext): Promise<ItemResult>;
}

/** Every item, in run order. */
export const ITEMS: Item[] = [
  { key: 'size', title: 'SDK core min+gzip bytes', run: sizeItem },
  { key: 'preprocess', title: 'ferryml transform ÷ scikit-learn', run: preprocessItem },
  { key: 'cache', title: 'warm IndexedDB load ÷ cold network load', run: cacheItem },
];
