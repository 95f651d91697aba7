/**
 * `GET /dashboard-tables.js`: the dashboard's tables (an ES module the page imports). Stored
 * strings are verbatim client input, so they only reach the page through textContent.
 */

/** The module's source. */
export const DASHBOARD_TABLES_JS = `export const int = (v) => Number(v).toLocaleString('en');
export const fmt = (v, digits = 2) => (v == null ? '–' : Number(v).toFixed(digits));
export const pct = (v) => (v == null ? '–' : (100 * v).toFixed(1) + ' %');
export const el = (tag, text, cls) => { const e = document.createElement(tag); if (text != null) e.textContent = text; if (cls) e.className = cls; return e; };
const num = (text, cls) => ({ text, cls, num: true });

/** Fills table t; cells are strings, numbers (formatted, right-aligned) or { text, cls, num }. */
export function table(t, head, rows, caption) {
  t.replaceChildren();
  if (caption) t.createCaption().textContent = caption;
  const numeric = head.map((_, k) => rows.length > 0 && rows.every((r) => typeof r[k] === 'number' || r[k]?.num));
  const hr = t.createTHead().insertRow();
  head.forEach((h, k) => hr.append(el('th', h, numeric[k] ? 'num' : '')));
  const body = t.createTBody();
  for (const r of rows) {
    const row = body.insertRow();
    r.forEach((c, k) => {
      const td = row.insertCell();
      td.textContent = c && typeof c === 'object' ? c.text : typeof c === 'number' ? int(c) : c;
      td.className = [numeric[k] ? 'num' : '', c?.cls ?? ''].join(' ').trim();
    });
  }
  if (!rows.length) { const td = body.insertRow().insertCell(); td.colSpan = head.length; td.textContent = 'none in this range'; td.className = 'empty'; }
  return t;
}

// PSI and its status in one cell: "0.312 alert", or why there is no score.
const psiCell = (d) => (d == null ? num('no rows', 'insufficient') : d.psi == null ? num('under ' + d.minRows + ' rows', 'insufficient') : num(fmt(d.psi, 3) + ' ' + d.status, d.status));

/**
 * Drift: one table per model version (the same feature of two versions is two baselines, so two
 * rows, never silently mixed), one row per feature. \`recent\` is the summary of the range's
 * last part: drift that started an hour ago barely moves a day's merged counts.
 */
export function driftTables(box, s, recent, recentLabel, rangeLabel) {
  const key = (d) => JSON.stringify([d.version, d.schemaHash, d.feature]);
  const latest = new Map(recent.drift.map((d) => [key(d), d]));
  const groups = new Map();
  for (const d of s.drift) {
    const g = JSON.stringify([d.version, d.schemaHash]);
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g).push(d);
  }
  box.replaceChildren(...[...groups.values()].map((ds) => {
    const t = document.createElement('table');
    t.dataset.version = ds[0].version ?? '';
    const caption = 'version ' + (ds[0].version ?? '(none sent)') + (ds[0].schemaHash ? ' · schema ' + ds[0].schemaHash : '');
    // The scores first: on a phone the rest scrolls sideways inside the section.
    return table(t, ['feature', 'PSI ' + rangeLabel, 'PSI ' + recentLabel, 'rows', 'kind', 'missing', 'unknown', 'out of range', 'clients'], ds.map((d) => [
      d.feature, psiCell(d), psiCell(latest.get(key(d))), d.rows, d.kind, d.missing, d.unknown, d.outOfRange, d.clients]), caption);
  }));
  if (!groups.size) box.replaceChildren(el('p', 'No drift windows in this range.', 'empty'));
}

/** Validation issues, errors by code, load sources (any value a client sends) and rejected backends. */
export function otherTables($, s) {
  const p = s.predictions;
  table($('issues'), ['column', 'code', 'count'], s.validation.map((i) => [i.column, i.code, i.count]));
  const attempts = p.calls + p.errors;
  table($('errors'), ['code', 'count', 'of calls'], Object.entries(p.errorsByCode).sort((a, b) => b[1] - a[1]).map(([c, n]) => [c, n, num(pct(n / attempts))]));
  table($('sources'), ['source', 'loads', 'share', 'mean ms'], s.loads.bySource.map((l) => [l.source, l.count, num(pct(l.share)), num(fmt(l.meanMs, 0))]));
  table($('rejected'), ['backend', 'reason', 'loads'], Object.entries(s.loads.rejectedBackends).flatMap(([b, rs]) => Object.entries(rs).map(([r, n]) => [b, r, n])));
}`;
