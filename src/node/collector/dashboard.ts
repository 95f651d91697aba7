/**
 * The dashboard page, served by the collector (inline here so the bundled CLI needs no asset
 * files; uPlot itself is served from node_modules). Data is rendered with textContent only:
 * stored strings are verbatim client input.
 */

/** `GET /dashboard`. */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ferryml telemetry</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/uPlot.min.css"><link rel="stylesheet" href="/dashboard.css">
</head><body>
<header><h1>ferryml telemetry</h1>
<form id="controls">
<label>model <select id="model"></select></label>
<label>version <select id="version"><option value="">all</option></select></label>
<label>range <select id="range"><option value="3600000">1 h</option><option value="21600000">6 h</option><option value="86400000" selected>24 h</option><option value="604800000">7 d</option></select></label>
<label id="token-label">admin token <input id="token" type="password" autocomplete="off" size="24"></label>
<button type="submit">refresh</button></form></header>
<p id="status" role="status"></p>
<section id="cards"></section>
<section class="charts">
<figure><figcaption>Latency per call (ms): p50 and p95</figcaption><div id="chart-latency"></div></figure>
<figure><figcaption>Backend mix (calls per bucket)</figcaption><div id="chart-backends"></div></figure>
<figure><figcaption>Errors per bucket</figcaption><div id="chart-errors"></div></figure>
<figure><figcaption>Drift per feature (PSI); warn 0.1, alert 0.25</figcaption><div id="chart-drift"></div></figure>
</section>
<section class="tables">
<div><h2>Drift now</h2><table id="drift"></table></div>
<div><h2>Validation issues</h2><table id="issues"></table></div>
<div><h2>Errors by code</h2><table id="errors"></table></div>
<div><h2>Rejected backends</h2><table id="rejected"></table></div>
</section>
<script type="module" src="/dashboard.js"></script>
</body></html>`;

/** `GET /dashboard.css`. */
export const DASHBOARD_CSS = `body{font:14px system-ui,sans-serif;margin:1rem 2rem;color:#222}
header{display:flex;gap:2rem;align-items:baseline;flex-wrap:wrap}h1{font-size:1.3rem;margin:0}
form{display:flex;gap:1rem;flex-wrap:wrap;align-items:center}
#cards{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}.card{border:1px solid #ddd;border-radius:6px;padding:.5rem 1rem;min-width:8rem}
.card b{display:block;font-size:1.4rem}.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:1rem}
figure{margin:0}figcaption{font-weight:600;margin-bottom:.3rem}.tables{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:1rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:.2rem .5rem;text-align:left}
.ok{color:#1a7f37}.warn{color:#b35900}.alert{color:#c62828;font-weight:700}.insufficient{color:#777}#status{color:#c62828}`;

/** `GET /dashboard.js`: fetches the read API with the bearer token and draws uPlot charts. */
export const DASHBOARD_JS = `import uPlot from '/assets/uPlot.esm.js';
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.hash.slice(1));
if (params.get('token')) { sessionStorage.setItem('ferryml-token', params.get('token')); history.replaceState(null, '', location.pathname); }
$('token').value = sessionStorage.getItem('ferryml-token') || '';
const charts = {};
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

async function api(path) {
  const res = await fetch(path, { headers: { Authorization: 'Bearer ' + $('token').value } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(res.status + ': ' + (body.message || res.statusText));
  return body;
}

function table(el, head, rows) {
  el.replaceChildren();
  const tr = el.insertRow();
  for (const h of head) { const th = document.createElement('th'); th.textContent = h; tr.append(th); }
  for (const r of rows) {
    const row = el.insertRow();
    for (const c of r) { const td = row.insertCell(); if (c && typeof c === 'object') { td.textContent = c.text; td.className = c.cls; } else td.textContent = c; }
  }
  if (!rows.length) { const td = el.insertRow().insertCell(); td.colSpan = head.length; td.textContent = 'none'; }
}

function card(label, value) {
  const d = document.createElement('div'); d.className = 'card';
  const b = document.createElement('b'); b.textContent = value; d.append(b, label); return d;
}

const fmt = (v, digits = 2) => (v == null ? '–' : Number(v).toFixed(digits));
const pct = (v) => (v == null ? '–' : (100 * v).toFixed(1) + ' %');

function plot(id, series, data, opts = {}) {
  const el = $(id);
  charts[id]?.destroy();
  el.replaceChildren();
  charts[id] = new uPlot({ width: Math.max(480, el.clientWidth || 560), height: 240, series: [{}, ...series], axes: [{}, { size: 60 }], ...opts }, data, el);
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
    vsel.replaceChildren(new Option('all', ''), ...model.versions.map((x) => new Option(x.version, x.version)));
    vsel.value = model.versions.some((x) => x.version === v) ? v : '';
    const to = Date.now() + 60000;
    const q = new URLSearchParams({ model: model.name, from: String(to - Number($('range').value)), to: String(to) });
    if (vsel.value) q.set('version', vsel.value);
    const [s, ts] = await Promise.all([api('/api/summary?' + q), api('/api/timeseries?' + q)]);
    const p = s.predictions;
    $('cards').replaceChildren(
      card('predictions (rows)', p.rows), card('calls', p.calls), card('error rate', pct(p.errorRate)),
      card('p50 ms', fmt(p.latency.p50)), card('p95 ms', fmt(p.latency.p95)), card('loads', s.loads.count),
      card('cache hits', pct(s.loads.cacheHitShare)), card('offline loads', pct(s.loads.offlineShare)), card('clients', s.sessions));
    const t = ts.points.map((x) => x.t / 1000);
    plot('chart-latency', [{ label: 'p50', stroke: COLORS[0] }, { label: 'p95', stroke: COLORS[1] }], [t, ts.points.map((x) => x.p50), ts.points.map((x) => x.p95)]);
    const backends = [...new Set(ts.points.flatMap((x) => Object.keys(x.backends)))];
    plot('chart-backends', backends.map((b, i) => ({ label: b, stroke: COLORS[i % COLORS.length], fill: COLORS[i % COLORS.length] + '33' })), [t, ...backends.map((b) => ts.points.map((x) => x.backends[b] ?? 0))]);
    plot('chart-errors', [{ label: 'errors', stroke: COLORS[1] }], [t, ts.points.map((x) => x.errors)]);
    const features = [...new Set(ts.points.flatMap((x) => Object.keys(x.drift)))];
    plot('chart-drift', [
      ...features.map((f, i) => ({ label: f, stroke: COLORS[i % COLORS.length], spanGaps: true })),
      { label: 'warn 0.1', stroke: '#b35900', dash: [6, 4] }, { label: 'alert 0.25', stroke: '#c62828', dash: [6, 4] },
    ], [t, ...features.map((f) => ts.points.map((x) => x.drift[f] ?? null)), t.map(() => 0.1), t.map(() => 0.25)]);
    table($('drift'), ['feature', 'rows', 'PSI', 'status', 'missing', 'unknown', 'out of range'], s.drift.map((d) =>
      [d.feature, d.rows, fmt(d.psi, 3), { text: d.status, cls: d.status }, d.missing, d.unknown, d.outOfRange]));
    table($('issues'), ['column', 'code', 'count'], s.validation.map((i) => [i.column, i.code, i.count]));
    table($('errors'), ['code', 'count'], Object.entries(p.errorsByCode));
    table($('rejected'), ['backend', 'reason', 'loads'], Object.entries(s.loads.rejectedBackends).flatMap(([b, rs]) => Object.entries(rs).map(([r, n]) => [b, r, n])));
  } catch (e) {
    $('status').textContent = String(e.message || e);
  }
}

$('controls').addEventListener('submit', (e) => { e.preventDefault(); refresh(); });
for (const id of ['model', 'version', 'range']) $(id).addEventListener('change', refresh);
refresh();
setInterval(refresh, 30000);`;
