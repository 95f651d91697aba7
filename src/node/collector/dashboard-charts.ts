/**
 * `GET /dashboard-charts.js`: the dashboard's uPlot helpers (an ES module the page imports).
 * Every chart's x scale is pinned to the selected time range: uPlot 1.6 auto-ranges a lone
 * x value t (one bucket of data, as after a short demo session) to [t, t + ~2.7 years].
 */

/** The module's source. */
export const DASHBOARD_CHARTS_JS = `import uPlot from '/assets/uPlot.esm.js';

export const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
const charts = {};
// For the devtools console and the dashboard test: the live uPlot instances by element id.
window.ferrymlDashboard = { charts };

const HEIGHT = 240;
const widthOf = (el) => Math.max(240, el.clientWidth || 560);
// Bars start at their bucket's start (align 1) and fill it: a bar spans [t, t + step).
const barPaths = uPlot.paths.bars({ size: [0.85, Infinity], align: 1 });
// y from 0 with headroom; counts and latencies are never negative.
const fromZero = (floor) => (u, min, max) => [0, Math.max(floor, (max ?? 0) * 1.1)];

// Charts follow their column's width (a narrow window, a rotated phone).
const observer = new ResizeObserver((entries) => {
  for (const e of entries) {
    const u = charts[e.target.id];
    if (u && Math.abs(u.width - widthOf(e.target)) > 4) u.setSize({ width: widthOf(e.target), height: HEIGHT });
  }
});

/**
 * (Re)draws the chart in #id. \`range\` is [fromMs, toMs]: the x axis always spans it, whatever
 * the data; \`x\` are bucket starts in UNIX seconds (what uPlot's time scale expects).
 */
export function plot(id, { range, x, series, data, y = {}, axes = [], scales = {}, bands }) {
  const el = document.getElementById(id);
  charts[id]?.destroy();
  el.replaceChildren();
  const opts = {
    width: widthOf(el),
    height: HEIGHT,
    series: [{}, ...series],
    scales: { x: { time: true, range: () => [range[0] / 1000, range[1] / 1000] }, y: { range: fromZero(1), ...y }, ...scales },
    axes: [{}, { size: 56 }, ...axes],
    cursor: { drag: { x: false, y: false } },
  };
  if (bands) opts.bands = bands;
  charts[id] = new uPlot(opts, [x, ...data], el);
  observer.observe(el);
  return charts[id];
}

/**
 * Stacked bars: \`parts\` is [{ label, values }] (null = no data in that bucket). Series k holds
 * the running total up to part k and a band fills it down to part k-1; the legend shows each
 * part's own value, not the running total.
 */
export function stacked(parts) {
  const totals = [];
  let below = null;
  for (const p of parts) {
    const sum = p.values.map((v, i) => (v == null && (below?.[i] ?? null) == null ? null : (v ?? 0) + (below?.[i] ?? 0)));
    totals.push(sum);
    below = sum;
  }
  const series = parts.map((p, k) => {
    const color = p.color ?? COLORS[k % COLORS.length];
    return { label: p.label, stroke: color, fill: color + 'aa', width: 0, paths: barPaths, points: { show: false }, value: (u, v, s, i) => (i == null || p.values[i] == null ? '--' : String(p.values[i])) };
  });
  const bands = parts.slice(1).map((_, k) => ({ series: [k + 2, k + 1] }));
  return { series, data: totals, bands };
}

/** A line series that shows lone points too (a bucket between two empty ones has no line to draw). */
export function line(label, stroke, more = {}) {
  return { label, stroke, width: 1.5, points: { show: true, size: 5, fill: stroke }, ...more };
}`;
