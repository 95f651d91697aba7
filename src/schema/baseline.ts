/**
 * The per-column training baseline shipped in the schema, against which telemetry measures
 * drift (bin counts → PSI). Numbers: training deciles as bin edges; categories: shares.
 */
import { linspace, percentile, sorted } from './stats.js';
import type { CategoricalBaseline, NumericBaseline } from './types.js';
import type { CategoryValue } from './values.js';
import { baselineBin } from './bin.js';

/**
 * Numeric baseline from the non-missing training values: inner decile edges computed like
 * `np.percentile(x, [10, …, 90])` with duplicates removed, and the share of values per bin.
 */
export function numericBaseline(values: readonly number[], missing: number): NumericBaseline {
  const rows = values.length + missing;
  const s = sorted(values);
  const edges: number[] = [];
  if (s.length > 0)
    for (const q of linspace(0, 100, 11).slice(1, -1)) {
      const e = percentile(s, q);
      if (edges.length === 0 || e > edges[edges.length - 1]!) edges.push(e);
    }
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const x of values) counts[baselineBin(edges, x)]!++;
  return {
    kind: 'numeric',
    edges,
    shares: counts.map((c) => (values.length ? c / values.length : 0)),
    missing: rows ? missing / rows : 0,
    rows,
  };
}

/** Categorical baseline: the share of non-missing training values per category (in encoder order). */
export function categoricalBaseline(categories: readonly CategoryValue[], values: readonly CategoryValue[], missing: number): CategoricalBaseline {
  const rows = values.length + missing;
  const index = new Map(categories.map((c, i) => [c, i]));
  const counts = new Array<number>(categories.length).fill(0);
  for (const v of values) {
    const i = index.get(v);
    if (i !== undefined) counts[i]!++;
  }
  return {
    kind: 'categorical',
    categories: [...categories],
    shares: counts.map((c) => (values.length ? c / values.length : 0)),
    missing: rows ? missing / rows : 0,
    rows,
  };
}
