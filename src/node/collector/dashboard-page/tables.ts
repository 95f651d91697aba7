/**
 * The dashboard's tables. Stored strings are verbatim client input, so they only reach the page
 * through textContent.
 */
import type { DriftRow, Summary } from './api-types.js';

export const int = (v: number): string => v.toLocaleString('en');
export const fmt = (v: number | null | undefined, digits = 2): string => (v == null ? '–' : v.toFixed(digits));
export const pct = (v: number | null | undefined): string => (v == null ? '–' : `${(100 * v).toFixed(1)} %`);

/** A new element with `text` (as textContent) and `cls`. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string | null, cls?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text != null) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

/** The element with this id, of this type; a page without it is a bug in dashboard.ts, named here. */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const e = document.getElementById(id);
  if (!(e instanceof type)) throw new Error(`dashboard: no ${type.name} #${id}`);
  return e;
}

/** A cell: a string, a number (formatted, right-aligned) or text with a class. */
export type Cell = string | number | { text: string; cls?: string; num?: boolean };
export const num = (text: string, cls?: string): Cell => ({ text, num: true, ...(cls ? { cls } : {}) });

/** Fills table `t`: a column is right-aligned when every cell in it is numeric. */
export function table(t: HTMLTableElement, head: string[], rows: Cell[][], caption?: string): HTMLTableElement {
  t.replaceChildren();
  if (caption) t.createCaption().textContent = caption;
  const isNum = (c: Cell | undefined) => typeof c === 'number' || (typeof c === 'object' && c.num === true);
  const numeric = head.map((_, k) => rows.length > 0 && rows.every((r) => isNum(r[k])));
  const hr = t.createTHead().insertRow();
  head.forEach((h, k) => hr.append(el('th', h, numeric[k] ? 'num' : '')));
  const body = t.createTBody();
  for (const r of rows) {
    const row = body.insertRow();
    r.forEach((c, k) => {
      const td = row.insertCell();
      td.textContent = typeof c === 'object' ? c.text : typeof c === 'number' ? int(c) : c;
      td.className = [numeric[k] ? 'num' : '', typeof c === 'object' ? (c.cls ?? '') : ''].join(' ').trim();
    });
  }
  if (!rows.length) {
    const td = body.insertRow().insertCell();
    td.colSpan = head.length;
    td.textContent = 'none in this range';
    td.className = 'empty';
  }
  return t;
}

// PSI and its status in one cell: "0.312 alert", or why there is no score.
const psiCell = (d: DriftRow | undefined): Cell =>
  d == null ? num('no rows', 'insufficient') : d.psi == null ? num(`under ${d.minRows} rows`, 'insufficient') : num(`${fmt(d.psi, 3)} ${d.status}`, d.status);

/**
 * Drift: one table per model version (the same feature of two versions is two baselines, so two
 * rows, never silently mixed), one row per feature. `recent` is the summary of the range's last
 * part: drift that started an hour ago barely moves a day's merged counts.
 */
export function driftTables(box: HTMLElement, s: Summary, recent: Summary, recentLabel: string, rangeLabel: string): void {
  const key = (d: DriftRow) => JSON.stringify([d.version, d.schemaHash, d.feature]);
  const latest = new Map(recent.drift.map((d) => [key(d), d]));
  const groups = new Map<string, DriftRow[]>();
  for (const d of s.drift) {
    const g = JSON.stringify([d.version, d.schemaHash]);
    const list = groups.get(g);
    if (list) list.push(d);
    else groups.set(g, [d]);
  }
  box.replaceChildren(
    ...[...groups.values()].map((ds) => {
      const first = ds[0]!;
      const t = document.createElement('table');
      t.dataset.version = first.version ?? '';
      const caption = `version ${first.version ?? '(none sent)'}${first.schemaHash ? ` · schema ${first.schemaHash}` : ''}`;
      // The scores first: on a phone the rest scrolls sideways inside the section.
      const head = ['feature', `PSI ${rangeLabel}`, `PSI ${recentLabel}`, 'rows', 'kind', 'missing', 'unknown', 'out of range', 'clients'];
      const rows = ds.map((d): Cell[] => [d.feature, psiCell(d), psiCell(latest.get(key(d))), d.rows, d.kind, d.missing, d.unknown, d.outOfRange, d.clients]);
      return table(t, head, rows, caption);
    }),
  );
  if (!groups.size) box.replaceChildren(el('p', 'No drift windows in this range.', 'empty'));
}

/** Validation issues, errors by code, load sources (any value a client sends) and rejected backends. */
export function otherTables(s: Summary): void {
  const p = s.predictions;
  table(
    byId('issues', HTMLTableElement),
    ['column', 'code', 'count'],
    s.validation.map((i) => [i.column, i.code, i.count]),
  );
  const attempts = p.calls + p.errors;
  const errors = Object.entries(p.errorsByCode).sort((a, b) => b[1] - a[1]);
  table(
    byId('errors', HTMLTableElement),
    ['code', 'count', 'of calls'],
    errors.map(([c, n]) => [c, n, num(pct(n / attempts))]),
  );
  table(
    byId('sources', HTMLTableElement),
    ['source', 'loads', 'share', 'mean ms'],
    s.loads.bySource.map((l) => [l.source, l.count, num(pct(l.share)), num(fmt(l.meanMs, 0))]),
  );
  const rejected = Object.entries(s.loads.rejectedBackends).flatMap(([b, rs]) => Object.entries(rs).map(([r, n]): Cell[] => [b, r, n]));
  table(byId('rejected', HTMLTableElement), ['backend', 'reason', 'loads'], rejected);
}
