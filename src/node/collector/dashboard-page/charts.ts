/**
 * The dashboard's uPlot helpers. `uplot` resolves to the collector's `/assets/uPlot.esm.js` when
 * the page is bundled (build.mjs). Every chart's x scale is pinned to the selected time range:
 * uPlot 1.6 auto-ranges a lone x value t (one bucket of data, as after a short demo session) to
 * [t, t + ~2.7 years].
 */
import uPlot from 'uplot';

export const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'] as const;
export const color = (k: number): string => COLORS[k % COLORS.length]!;

/** A column of values, `null` where a bucket has no data. */
export type Values = Array<number | null>;

const charts: Record<string, uPlot | undefined> = {};
declare global {
  interface Window {
    /** For the devtools console and the dashboard test: the live uPlot instances by element id. */
    ferrymlDashboard?: { charts: Record<string, uPlot | undefined> };
  }
}
window.ferrymlDashboard = { charts };

const HEIGHT = 240;
const widthOf = (e: HTMLElement) => Math.max(240, e.clientWidth || 560);
// Bars start at their bucket's start (align 1) and fill it: a bar spans [t, t + step).
const barPaths = uPlot.paths.bars?.({ size: [0.85, Infinity], align: 1 });
/** y from 0 with headroom; counts and latencies are never negative. */
export const fromZero =
  (floor: number): uPlot.Range.Function =>
  (_u, _min, max) => [0, Math.max(floor, ((max as number | null) ?? 0) * 1.1)];

// Charts follow their column's width (a narrow window, a rotated phone).
const observer = new ResizeObserver((entries) => {
  for (const e of entries) {
    const target = e.target as HTMLElement;
    const u = charts[target.id];
    if (u && Math.abs(u.width - widthOf(target)) > 4) u.setSize({ width: widthOf(target), height: HEIGHT });
  }
});

export interface Plot {
  /** [fromMs, toMs]: the x axis always spans it, whatever the data. */
  range: [number, number];
  /** Bucket starts in UNIX seconds (what uPlot's time scale expects). */
  x: number[];
  series: uPlot.Series[];
  data: Values[];
  y?: uPlot.Scale;
  axes?: uPlot.Axis[];
  scales?: uPlot.Scales;
  bands?: uPlot.Band[];
}

/** (Re)draws the chart in #id. */
export function plot(id: string, { range, x, series, data, y = {}, axes = [], scales = {}, bands }: Plot): uPlot {
  const box = document.getElementById(id);
  if (!box) throw new Error(`dashboard: no element #${id}`);
  charts[id]?.destroy();
  box.replaceChildren();
  const opts: uPlot.Options = {
    width: widthOf(box),
    height: HEIGHT,
    series: [{}, ...series],
    scales: { x: { time: true, range: () => [range[0] / 1000, range[1] / 1000] }, y: { range: fromZero(1), ...y }, ...scales },
    axes: [{}, { size: 56 }, ...axes],
    cursor: { drag: { x: false, y: false } },
    ...(bands ? { bands } : {}),
  };
  const u = new uPlot(opts, [x, ...data] as uPlot.AlignedData, box);
  charts[id] = u;
  observer.observe(box);
  return u;
}

/** One part of a stacked bar chart. */
export interface Part {
  label: string;
  values: Values;
  color?: string;
}

/**
 * Stacked bars. Series k holds the running total up to part k and a band fills it down to part
 * k-1; the legend shows each part's own value, not the running total.
 */
export function stacked(parts: Part[]): { series: uPlot.Series[]; data: Values[]; bands: uPlot.Band[] } {
  const totals: Values[] = [];
  let below: Values | null = null;
  for (const p of parts) {
    const under: Values | null = below;
    const sum: Values = p.values.map((v, i) => (v == null && (under?.[i] ?? null) == null ? null : (v ?? 0) + (under?.[i] ?? 0)));
    totals.push(sum);
    below = sum;
  }
  const series = parts.map((p, k): uPlot.Series => {
    const c = p.color ?? color(k);
    return {
      label: p.label,
      stroke: c,
      fill: `${c}aa`,
      width: 0,
      ...(barPaths ? { paths: barPaths } : {}),
      points: { show: false },
      value: (_u, _v, _s, i) => {
        const own = i == null ? null : p.values[i];
        return own == null ? '--' : String(own);
      },
    };
  });
  const bands = parts.slice(1).map((_, k): uPlot.Band => ({ series: [k + 2, k + 1] }));
  return { series, data: totals, bands };
}

/** A line series that shows lone points too (a bucket between two empty ones has no line to draw). */
export function line(label: string, stroke: string, more: uPlot.Series = {}): uPlot.Series {
  return { label, stroke, width: 1.5, points: { show: true, size: 5, fill: stroke }, ...more };
}
