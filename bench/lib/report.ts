// The printed table and the JSON written to bench/results/.
import type { Figure, ItemResult } from './item.js';

const fmtValue = (f: Figure) => {
  if (f.unit === 'bytes') return f.value >= 1e6 ? `${(f.value / 1e6).toFixed(2)} MB` : `${(f.value / 1024).toFixed(1)} KiB`;
  if (f.unit === 'ms') return `${f.value} ms`;
  return `${f.value >= 10 ? f.value.toFixed(1) : f.value >= 0.01 ? f.value.toFixed(3) : f.value.toPrecision(2)}×`;
};
const fmtTarget = (f: Figure) => {
  if (!f.target) return '';
  const v = f.unit === 'bytes' ? (f.target.value >= 1 ? `${+(f.target.value / 1024).toFixed(2)} KiB` : `${f.target.value}× ORT`) : `${f.target.value}`;
  return `${f.target.op} ${v}`;
};
const fmtSpread = (f: Figure) => (f.spread ? `${f.spread.p10}–${f.spread.p90}` : '');
const fmtMet = (f: Figure) => (f.met === undefined ? '' : f.met ? 'met' : 'NOT met');

/** Rows of the results table: item, figure, value, p10–p90, target, verdict. */
export function tableRows(results: ItemResult[]): string[][] {
  const rows: string[][] = [];
  for (const r of results) {
    if (r.status !== 'measured') {
      rows.push([r.key, r.status === 'pending' ? `pending: ${r.reason}` : `error: ${r.reason}`, '', '', '', '']);
      continue;
    }
    r.figures.forEach((f, i) => rows.push([i === 0 ? r.key : '', f.name, fmtValue(f), fmtSpread(f), fmtTarget(f), fmtMet(f)]));
  }
  return rows;
}

const HEAD = ['item', 'figure', 'value', 'p10–p90', 'target', 'verdict'];

/** A plain-text table for the console. */
export function textTable(results: ItemResult[]): string {
  const rows = [HEAD, ...tableRows(results)];
  const widths = HEAD.map((_, c) => Math.max(...rows.filter((r) => !r[1]?.startsWith('pending') && !r[1]?.startsWith('error')).map((r) => r[c]!.length)));
  return rows
    .map((r) =>
      r.slice(2).every((c) => c === '') && r[1] !== ''
        ? `${r[0]!.padEnd(widths[0]!)}  ${r[1]}`
        : r
            .map((c, i) => c.padEnd(widths[i]!))
            .join('  ')
            .trimEnd(),
    )
    .join('\n');
}

/** The same table in Markdown, for BENCHMARKS.md. */
export function markdownTable(results: ItemResult[]): string {
  const rows = tableRows(results).map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`);
  return [`| ${HEAD.join(' | ')} |`, `|${HEAD.map(() => ' --- ').join('|')}|`, ...rows].join('\n');
}
