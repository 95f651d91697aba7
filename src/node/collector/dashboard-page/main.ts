/**
 * The dashboard page's script (`GET /dashboard.js`, bundled by build.mjs): reads the read API
 * with the bearer token and fills the page. The PSI thresholds are the SDK's own (psi.ts).
 */
import { PSI_ALERT, PSI_WARN } from '../../../telemetry/psi.js';
import { alertTables } from './alerts.js';
import type { AlertsAnswer, ModelsAnswer, Summary, Timeseries } from './api-types.js';
import { COLORS, color, line, plot, stacked } from './charts.js';
import type { Values } from './charts.js';
import { byId, driftTables, el, fmt, int, otherTables, pct } from './tables.js';

const TOKEN_KEY = 'ferryml-token';
const token = byId('token', HTMLInputElement);
const params = new URLSearchParams(location.hash.slice(1));
const fromHash = params.get('token');
if (fromHash) {
  sessionStorage.setItem(TOKEN_KEY, fromHash);
  history.replaceState(null, '', location.pathname);
}
token.value = sessionStorage.getItem(TOKEN_KEY) ?? '';

const DASHES: Array<number[] | undefined> = [undefined, [6, 3], [2, 3], [8, 3, 2, 3]]; // one per model version in the drift chart
const BACKEND_COLORS: Record<string, string> = { webgpu: '#2ca02c', wasm: '#1f77b4', cpu: '#ff7f0e' };
const ERROR_COLORS = ['#d62728', '#ff7f0e', '#8c564b', '#e377c2', '#bcbd22', '#9467bd'];

async function api<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${token.value}` } });
  const body = (await res.json().catch(() => ({}))) as { message?: string };
  if (!res.ok) throw new Error(`${res.status}: ${body.message ?? res.statusText}`);
  return body as T;
}

function card(label: string, value: string, title?: string): HTMLElement {
  const d = el('div', null, 'card');
  d.append(el('b', value), label);
  if (title) d.title = title;
  return d;
}

const duration = (ms: number) => (ms >= 3_600_000 ? `${+(ms / 3_600_000).toFixed(1)} h` : `${+(ms / 60_000).toFixed(1)} min`);
const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

type Point = Timeseries['points'][number];

/** One x per bucket of [from, to) (the API lists only buckets with records), in UNIX seconds for uPlot. */
function buckets(ts: Timeseries, from: number, to: number, step: number) {
  const starts = Array.from({ length: Math.round((to - from) / step) }, (_, k) => from + k * step);
  const byT = new Map(ts.points.map((p) => [p.t, p]));
  const pts = starts.map((t) => byT.get(t));
  return {
    x: starts.map((t) => t / 1000),
    col: (f: (p: Point) => number | null): Values => pts.map((p) => (p ? f(p) : null)),
    keys: (f: (p: Point) => Record<string, number>): string[] => [...new Set(pts.flatMap((p) => (p ? Object.keys(f(p)) : [])))].sort(),
  };
}

function draw(s: Summary, ts: Timeseries, dts: Timeseries, from: number, to: number, step: number): void {
  const range: [number, number] = [from, to];
  const { x, col, keys } = buckets(ts, from, to, step);
  plot('chart-latency', { range, x, series: [line('p50', COLORS[0]), line('p95', COLORS[1])], data: [col((p) => p.p50), col((p) => p.p95)] });

  const backends = keys((p) => p.backends);
  const fallback = COLORS.filter((c) => !Object.values(BACKEND_COLORS).includes(c));
  const backendParts = backends.map((b, i) => ({
    label: b,
    values: col((p) => p.backends[b] ?? 0),
    color: BACKEND_COLORS[b] ?? fallback[i % fallback.length]!,
  }));
  plot('chart-backends', { range, x, ...stacked(backendParts) });

  const codes = keys((p) => p.errorsByCode);
  const e = stacked(codes.map((c, i) => ({ label: c, values: col((p) => p.errorsByCode[c] ?? 0), color: ERROR_COLORS[i % ERROR_COLORS.length]! })));
  const rate = col((p) => (p.calls + p.errors ? (100 * p.errors) / (p.calls + p.errors) : null));
  const rateLine = line('error rate', '#444', {
    scale: '%',
    width: 1,
    dash: [4, 3],
    points: { show: true, size: 3 },
    value: (_u, v: number | null) => (v == null ? '--' : `${v.toFixed(2)} %`),
  });
  plot('chart-errors', {
    range,
    x,
    bands: e.bands,
    data: [...e.data, rate],
    series: [...e.series, rateLine],
    scales: { '%': { range: (_u, _min, max) => [0, Math.max(1, ((max as number | null) ?? 0) * 1.1)] } },
    // uPlot's Axis.Side is a const enum in its .d.ts: esbuild cannot inline it, and 1 is Side.Right.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
    axes: [{ scale: '%', side: 1, size: 50, grid: { show: false }, values: (_u, vals) => vals.map((v) => `${v} %`) }],
  });

  // PSI per model version and feature, in coarser buckets: PSI of a few hundred rows is noisy.
  const d = buckets(dts, from, to, dts.step);
  const versions = [...new Set(s.drift.map((r) => r.version))];
  const features = [...new Set(s.drift.map((r) => r.feature))];
  const lines = s.drift.filter((a, i, all) => all.findIndex((b) => b.version === a.version && b.feature === a.feature) === i);
  const data = lines.map((l) => d.col((p) => p.drift.find((r) => r.version === l.version && r.feature === l.feature)?.psi ?? null));
  const maxPsi = Math.max(0, ...data.flat().filter((v): v is number => v != null));
  const xs = [...d.x, to / 1000]; // one more x at the range's end: the threshold lines reach the right edge
  const label = (l: (typeof lines)[number]) => (versions.length > 1 ? `${l.feature} · ${l.version ?? 'no version'}` : l.feature);
  const dash = (l: (typeof lines)[number]) => DASHES[versions.indexOf(l.version) % DASHES.length];
  plot('chart-drift', {
    range,
    x: xs,
    series: [
      ...lines.map((l) => {
        const ld = dash(l);
        return line(label(l), color(features.indexOf(l.feature)), ld ? { dash: ld } : {});
      }),
      { label: `warn ${PSI_WARN}`, stroke: '#b35900', width: 1, dash: [10, 5], points: { show: false } },
      { label: `alert ${PSI_ALERT}`, stroke: '#c62828', width: 1, dash: [10, 5], points: { show: false } },
    ],
    data: [...data.map((v) => [...v, null]), xs.map(() => PSI_WARN), xs.map(() => PSI_ALERT)],
    y: { range: () => [0, Math.max(0.3, maxPsi * 1.1)] },
  });
}

async function refresh(): Promise<void> {
  const status = byId('status', HTMLElement);
  status.textContent = '';
  try {
    sessionStorage.setItem(TOKEN_KEY, token.value);
    const { models } = await api<ModelsAnswer>('/api/models');
    const msel = byId('model', HTMLSelectElement);
    const current = msel.value;
    msel.replaceChildren(...models.map((m) => new Option(m.name, m.name)));
    if (current && models.some((m) => m.name === current)) msel.value = current;
    const model = models.find((m) => m.name === msel.value);
    if (!model) {
      status.textContent = 'No telemetry received yet.';
      return;
    }
    const vsel = byId('version', HTMLSelectElement);
    const v = vsel.value;
    // Option values: '' for all, else the version as JSON, so "(none)" (null: `version=`) is not "all".
    vsel.replaceChildren(new Option('all', ''), ...model.versions.map((x) => new Option(x.version ?? '(none)', JSON.stringify(x.version))));
    vsel.value = model.versions.some((x) => JSON.stringify(x.version) === v) ? v : '';
    // Buckets on multiples of the step: the same buckets on every refresh; the last one holds now.
    const opt = byId('range', HTMLSelectElement).selectedOptions[0];
    if (!opt) return;
    const span = Number(opt.value);
    const step = Number(opt.dataset.step);
    const driftStep = step * 4;
    const to = (Math.floor(Date.now() / driftStep) + 1) * driftStep;
    const from = to - span;
    const recentFrom = to - span / 6;
    const q = (f = from) => {
      const p = new URLSearchParams({ model: model.name, from: String(f), to: String(to) });
      if (vsel.value) p.set('version', (JSON.parse(vsel.value) as string | null) ?? '');
      return p.toString();
    };
    const [s, recent, ts, dts, alerts] = await Promise.all([
      api<Summary>(`/api/summary?${q()}`),
      api<Summary>(`/api/summary?${q(recentFrom)}`),
      api<Timeseries>(`/api/timeseries?${q()}&step=${step}`),
      api<Timeseries>(`/api/timeseries?${q()}&step=${driftStep}`),
      api<AlertsAnswer>('/api/alerts'),
    ]);
    const p = s.predictions;
    byId('cards', HTMLElement).replaceChildren(
      card('predicted rows', int(p.rows)),
      card('calls', int(p.calls)),
      card('error rate', pct(p.errorRate), 'errors / (calls + errors)'),
      card('p50 ms', fmt(p.latency.p50)),
      card('p95 ms', fmt(p.latency.p95)),
      card('model loads', int(s.loads.count)),
      card('loads from cache', pct(s.loads.cacheHitShare)),
      card('offline loads', pct(s.loads.offlineShare)),
      card('clients', int(s.sessions)),
      card('telemetry dropped', int(total(s.drops)), 'records the SDK dropped before sending (queue full, too large…)'),
      card('alerts firing', int(alerts.firing.length), 'all models; see Alerts below'),
      card('strange outputs', int(total(s.strangeOutputs)), 'NaN/Infinity, probabilities not summing to 1, constant or empty outputs'),
    );
    byId('updated', HTMLElement).textContent =
      `Updated ${new Date().toLocaleTimeString()} · ${new Date(from).toLocaleString()} – ${new Date(to).toLocaleString()}`;
    for (const n of document.querySelectorAll('.step')) n.textContent = duration(step);
    for (const n of document.querySelectorAll('.drift-step')) n.textContent = duration(driftStep);
    draw(s, ts, dts, from, to, step);
    driftTables(byId('drift', HTMLElement), s, recent, `last ${duration(span / 6)}`, duration(span));
    otherTables(s);
    alertTables(alerts, s);
  } catch (e) {
    status.textContent = e instanceof Error ? e.message : String(e);
  }
}

byId('controls', HTMLElement).addEventListener('submit', (e) => {
  e.preventDefault();
  void refresh();
});
for (const id of ['model', 'version', 'range']) byId(id, HTMLSelectElement).addEventListener('change', () => void refresh());
void refresh();
setInterval(() => void refresh(), 30_000);
