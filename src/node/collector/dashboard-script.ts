/**
 * `GET /dashboard.js`: reads the read API with the bearer token and fills the page (charts in
 * dashboard-charts.ts, tables in dashboard-tables.ts).
 */

/** The module's source. */
export const DASHBOARD_JS = `import { COLORS, line, plot, stacked } from '/dashboard-charts.js';
import { driftTables, el, fmt, int, otherTables, pct } from '/dashboard-tables.js';
import { alertTables } from '/dashboard-alerts.js';
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.hash.slice(1));
if (params.get('token')) { sessionStorage.setItem('ferryml-token', params.get('token')); history.replaceState(null, '', location.pathname); }
$('token').value = sessionStorage.getItem('ferryml-token') || '';
const WARN = 0.1, ALERT = 0.25; // src/telemetry/psi.ts PSI_WARN / PSI_ALERT
const DASHES = [undefined, [6, 3], [2, 3], [8, 3, 2, 3]]; // one per model version in the drift chart
const BACKEND_COLORS = { webgpu: '#2ca02c', wasm: '#1f77b4', cpu: '#ff7f0e' };
const ERROR_COLORS = ['#d62728', '#ff7f0e', '#8c564b', '#e377c2', '#bcbd22', '#9467bd'];

async function api(path) {
  const res = await fetch(path, { headers: { Authorization: 'Bearer ' + $('token').value } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(res.status + ': ' + (body.message || res.statusText));
  return body;
}

function card(label, value, title) {
  const d = el('div', null, 'card'); d.append(el('b', value), label);
  if (title) d.title = title;
  return d;
}

const duration = (ms) => (ms >= 3600000 ? +(ms / 3600000).toFixed(1) + ' h' : +(ms / 60000).toFixed(1) + ' min');

/** One x per bucket of [from, to) (the API lists only buckets with records), in UNIX seconds for uPlot. */
function buckets(ts, from, to, step) {
  const starts = Array.from({ length: Math.round((to - from) / step) }, (_, k) => from + k * step);
  const byT = new Map(ts.points.map((p) => [p.t, p]));
  const pts = starts.map((t) => byT.get(t));
  return { x: starts.map((t) => t / 1000), col: (f) => pts.map((p) => (p ? f(p) : null)), keys: (f) => [...new Set(pts.flatMap((p) => (p ? Object.keys(f(p)) : [])))].sort() };
}

function draw(s, ts, dts, from, to, step) {
  const range = [from, to];
  const { x, col, keys } = buckets(ts, from, to, step);
  plot('chart-latency', { range, x, series: [line('p50', COLORS[0]), line('p95', COLORS[1])], data: [col((p) => p.p50), col((p) => p.p95)] });

  const backends = keys((p) => p.backends);
  const fallback = COLORS.filter((c) => !Object.values(BACKEND_COLORS).includes(c));
  plot('chart-backends', { range, x, ...stacked(backends.map((b, i) => ({ label: b, values: col((p) => p.backends[b] ?? 0), color: BACKEND_COLORS[b] ?? fallback[i % fallback.length] }))) });

  const codes = keys((p) => p.errorsByCode);
  const e = stacked(codes.map((c, i) => ({ label: c, values: col((p) => p.errorsByCode[c] ?? 0), color: ERROR_COLORS[i % ERROR_COLORS.length] })));
  const rate = col((p) => (p.calls + p.errors ? (100 * p.errors) / (p.calls + p.errors) : null));
  plot('chart-errors', {
    range, x, bands: e.bands, data: [...e.data, rate],
    series: [...e.series, line('error rate', '#444', { scale: '%', width: 1, dash: [4, 3], points: { show: true, size: 3 }, value: (u, v) => (v == null ? '--' : v.toFixed(2) + ' %') })],
    scales: { '%': { range: (u, min, max) => [0, Math.max(1, (max ?? 0) * 1.1)] } },
    axes: [{ scale: '%', side: 1, size: 50, grid: { show: false }, values: (u, vals) => vals.map((v) => v + ' %') }],
  });

  // PSI per model version and feature, in coarser buckets: PSI of a few hundred rows is noisy.
  const d = buckets(dts, from, to, dts.step);
  const versions = [...new Set(s.drift.map((x) => x.version))];
  const features = [...new Set(s.drift.map((x) => x.feature))];
  const lines = s.drift.filter((a, i, all) => all.findIndex((b) => b.version === a.version && b.feature === a.feature) === i);
  const data = lines.map((l) => d.col((p) => p.drift.find((x) => x.version === l.version && x.feature === l.feature)?.psi ?? null));
  const maxPsi = Math.max(0, ...data.flat().filter((v) => v != null));
  const xs = [...d.x, to / 1000]; // one more x at the range's end: the threshold lines reach the right edge
  plot('chart-drift', {
    range, x: xs,
    series: [
      ...lines.map((l) => line(versions.length > 1 ? l.feature + ' · ' + (l.version ?? 'no version') : l.feature, COLORS[features.indexOf(l.feature) % COLORS.length], { dash: DASHES[versions.indexOf(l.version) % DASHES.length] })),
      { label: 'warn ' + WARN, stroke: '#b35900', width: 1, dash: [10, 5], points: { show: false } },
      { label: 'alert ' + ALERT, stroke: '#c62828', width: 1, dash: [10, 5], points: { show: false } },
    ],
    data: [...data.map((v) => [...v, null]), xs.map(() => WARN), xs.map(() => ALERT)],
    y: { range: () => [0, Math.max(0.3, maxPsi * 1.1)] },
  });
}

async function refresh() {
  $('status').textContent = '';
  try {
    sessionStorage.setItem('ferryml-token', $('token').value);
    const { models } = await api('/api/models');
    const msel = $('model');
    const current = msel.value;
    msel.replaceChildren(...models.map((m) => new Option(m.name, m.name)));
    if (current && models.some((m) => m.name === current)) msel.value = current;
    const model = models.find((m) => m.name === msel.value);
    if (!model) { $('status').textContent = 'No telemetry received yet.'; return; }
    const vsel = $('version');
    const v = vsel.value;
    vsel.replaceChildren(new Option('all', ''), ...model.versions.map((x) => new Option(x.version ?? '(none)', x.version ?? '')));
    vsel.value = model.versions.some((x) => x.version === v) ? v : '';
    // Buckets on multiples of the step: the same buckets on every refresh; the last one holds now.
    const opt = $('range').selectedOptions[0];
    const span = Number(opt.value);
    const step = Number(opt.dataset.step);
    const driftStep = step * 4;
    const to = (Math.floor(Date.now() / driftStep) + 1) * driftStep;
    const from = to - span;
    const recentFrom = to - span / 6;
    const q = (f = from) => {
      const p = new URLSearchParams({ model: model.name, from: String(f), to: String(to) });
      if (vsel.value) p.set('version', vsel.value);
      return p;
    };
    const [s, recent, ts, dts, alerts] = await Promise.all([
      api('/api/summary?' + q()), api('/api/summary?' + q(recentFrom)),
      api('/api/timeseries?' + q() + '&step=' + step), api('/api/timeseries?' + q() + '&step=' + driftStep),
      api('/api/alerts'),
    ]);
    const p = s.predictions;
    const dropped = Object.values(s.drops).reduce((a, b) => a + b, 0);
    $('cards').replaceChildren(
      card('predicted rows', int(p.rows)), card('calls', int(p.calls)), card('error rate', pct(p.errorRate), 'errors / (calls + errors)'),
      card('p50 ms', fmt(p.latency.p50)), card('p95 ms', fmt(p.latency.p95)), card('model loads', int(s.loads.count)),
      card('loads from cache', pct(s.loads.cacheHitShare)), card('offline loads', pct(s.loads.offlineShare)), card('clients', int(s.sessions)),
      card('telemetry dropped', int(dropped), 'records the SDK dropped before sending (queue full, too large…)'),
      card('alerts firing', int(alerts.firing.length), 'all models; see Alerts below'),
      card('strange outputs', int(Object.values(s.strangeOutputs).reduce((a, b) => a + b, 0)), 'NaN/Infinity, probabilities not summing to 1, constant or empty outputs'));
    $('updated').textContent = 'Updated ' + new Date().toLocaleTimeString() + ' · ' + new Date(from).toLocaleString() + ' – ' + new Date(to).toLocaleString();
    for (const n of document.querySelectorAll('.step')) n.textContent = duration(step);
    for (const n of document.querySelectorAll('.drift-step')) n.textContent = duration(driftStep);
    draw(s, ts, dts, from, to, step);
    driftTables($('drift'), s, recent, 'last ' + duration(span / 6), duration(span));
    otherTables($, s);
    alertTables($, alerts, s);
  } catch (e) {
    $('status').textContent = String(e.message || e);
  }
}

$('controls').addEventListener('submit', (e) => { e.preventDefault(); refresh(); });
for (const id of ['model', 'version', 'range']) $(id).addEventListener('change', refresh);
refresh();
setInterval(refresh, 30000);`;
