/**
 * The dashboard page, served by the collector: the HTML and CSS inline here, the script typed
 * TypeScript in dashboard-page/ (checked and linted with the rest), bundled into one module by
 * dashboard-page/build.mjs (uPlot itself is served from node_modules). Data is rendered with
 * textContent only.
 */
import { readFile } from 'node:fs/promises';

let script: Promise<string> | undefined;

/**
 * `GET /dashboard.js`. The built CLI reads dist/node/dashboard.js, which the build wrote next to
 * it; from source (tsx, where this module is a .ts file) the page is bundled once, on first request.
 */
export function dashboardScript(): Promise<string> {
  script ??= import.meta.url.endsWith('.ts')
    ? import(new URL('./dashboard-page/build.mjs', import.meta.url).href).then((m: { buildDashboardScript: () => Promise<string> }) => m.buildDashboardScript())
    : readFile(new URL('./dashboard.js', import.meta.url), 'utf8');
  script.catch(() => (script = undefined)); // a failed read or build is retried on the next request
  return script;
}

/** `GET /dashboard`. Each range option's `data-step` is its bucket size in ms (60–96 buckets; drift uses 4×). */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ferryml telemetry</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/uPlot.min.css"><link rel="stylesheet" href="/dashboard.css">
</head><body>
<header><h1>ferryml telemetry</h1>
<form id="controls">
<label>model <select id="model"></select></label>
<label>version <select id="version"><option value="">all</option></select></label>
<label>range <select id="range"><option value="3600000" data-step="60000">1 h</option><option value="21600000" data-step="300000">6 h</option><option value="86400000" data-step="900000" selected>24 h</option><option value="604800000" data-step="7200000">7 d</option></select></label>
<label id="token-label">admin token <input id="token" type="password" autocomplete="off" size="24"></label>
<button type="submit">refresh</button></form></header>
<p id="status" role="status"></p>
<p id="updated"></p>
<section id="cards"></section>
<section class="charts">
<figure><figcaption>Latency per call, ms <small>p50 and p95 per <span class="step"></span>, all backends</small></figcaption><div id="chart-latency"></div></figure>
<figure><figcaption>Backend mix <small>calls per <span class="step"></span>, stacked by backend</small></figcaption><div id="chart-backends"></div></figure>
<figure><figcaption>Errors <small>per <span class="step"></span>, stacked by code; dashed: error rate, right axis</small></figcaption><div id="chart-errors"></div></figure>
<figure><figcaption>Drift per feature, PSI <small>per <span class="drift-step"></span>; warn 0.1, alert 0.25; not scored under the min rows; line style per version</small></figcaption><div id="chart-drift"></div></figure>
</section>
<div class="tables">
<section id="alerts-section"><h2>Alerts <small>all models; rules and receivers in /api/health</small></h2><table id="alerts-firing"></table><table id="alerts-recent"></table></section>
<section><h2>Output drift <small>against the bundle's output baseline</small></h2><table id="output-drift"></table></section>
<section><h2>Strange outputs</h2><table id="strange"></table></section>
<section id="drift-section"><h2>Drift per model version <small>PSI of counts merged across clients and windows, over the whole range and its last sixth</small></h2><div id="drift"></div></section>
<section><h2>Validation issues</h2><table id="issues"></table></section>
<section><h2>Errors by code</h2><table id="errors"></table></section>
<section><h2>Model loads by source</h2><table id="sources"></table></section>
<section><h2>Rejected backends</h2><table id="rejected"></table></section>
</div>
<script type="module" src="/dashboard.js"></script>
</body></html>`;

/** `GET /dashboard.css`. Grid cells get `min-width: 0` and scroll inside: a wide table never spills into its neighbour. */
export const DASHBOARD_CSS = `*{box-sizing:border-box}body{font:14px system-ui,sans-serif;margin:1rem 2rem;color:#222}
@media (max-width:600px){body{margin:.5rem}}
header{display:flex;gap:.5rem 2rem;align-items:baseline;flex-wrap:wrap}h1{font-size:1.3rem;margin:0}
h2{font-size:1.1rem;margin:.5rem 0}h2 small,figcaption small{font-weight:400;color:#555;font-size:.85rem}
form{display:flex;gap:.5rem 1rem;flex-wrap:wrap;align-items:center}input{max-width:100%}
#updated{color:#555;margin:.3rem 0}#status{color:#c62828;margin:.3rem 0}#status:empty{display:none}
#cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(7rem,1fr));gap:.5rem;margin:.8rem 0}
.card{border:1px solid #ddd;border-radius:6px;padding:.35rem .6rem;font-size:.85rem;color:#444}.card b{display:block;font-size:1.3rem;color:#222}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(520px,100%),1fr));gap:1rem 2rem}
figure{margin:0;min-width:0}figcaption{font-weight:600;margin-bottom:.3rem}
.uplot{max-width:100%}.u-legend .u-label{overflow-wrap:anywhere}
.tables{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(340px,100%),1fr));gap:1rem 2rem;align-items:start;margin-top:1rem}
.tables>section{min-width:0;overflow-x:auto}#drift-section,#alerts-section{grid-column:1/-1}
#drift>table{margin-bottom:1rem}
/* Scoped to .tables: uPlot's legend is a table too. */
.tables table{border-collapse:collapse;width:100%}.tables caption{text-align:left;font-weight:600;padding:.3rem 0}
.tables td,.tables th{border-bottom:1px solid #eee;padding:.25rem .5rem;text-align:left;vertical-align:top}.tables th{white-space:nowrap;background:#f6f6f6}
.tables .num{text-align:right;font-variant-numeric:tabular-nums}.empty{color:#777}
.ok{color:#1a7f37}.warn{color:#b35900}.alert{color:#c62828;font-weight:700}.insufficient{color:#777}`;
