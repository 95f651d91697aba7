import type { CategoryColumn } from './types.js';

/**
 * Applies a category column's normalisation to a string: incoming values (./read.ts), and the
 * load-time check that every string category is unchanged by it (./check.ts). Its own module so
 * the SDK core, which checks schemas, does not carry the value readers of ./values.ts.
 */
export function normalizeString(s: string, mode: CategoryColumn['normalize']): string {
  const t = mode === 'trim' || mode === 'trim-lower' ? s.trim() : s;
  return mode === 'lower' || mode === 'trim-lower' ? t.toLowerCase() : t;
}
