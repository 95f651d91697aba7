// `--write-doc`: replaces the generated part of BENCHMARKS.md (between the two markers) with this
// run's facts, table and verdicts, so the document and bench/results/latest.json never disagree.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { ItemResult } from './item.js';
import { markdownTable } from './report.js';

const START = '<!-- bench:generated:start -->';
const END = '<!-- bench:generated:end -->';

/** The generated Markdown for one run. */
export function generatedSection(
  results: ItemResult[],
  report: { generatedAt: string; durationSeconds: number; quick: boolean; machine: Record<string, unknown> },
): string {
  const m = report.machine;
  const field = (key: string): string => String(m[key]);
  const verdicts = results.map((r) => {
    if (r.status === 'pending') return `- **${r.key}**: pending — ${r.reason}`;
    if (r.status === 'error') return `- **${r.key}**: error — ${r.reason}`;
    const judged = r.figures.filter((f) => f.met !== undefined);
    if (!judged.length) return `- **${r.key}**: measured (no target)`;
    const missed = judged.filter((f) => !f.met).map((f) => f.name);
    return `- **${r.key}**: ${missed.length ? `**target NOT met** (${missed.join('; ')})` : 'target met'}`;
  });
  return [
    START,
    `Run ${report.generatedAt} · commit \`${String(m['commit']).slice(0, 12)}\`${m['dirty'] ? ' (with uncommitted changes)' : ''} · ${report.durationSeconds} s${report.quick ? ' · **--quick (smoke run, not figures)**' : ''}`,
    '',
    `Machine: ${field('cpu')}, ${field('cores')} cores, ${field('memoryGiB')} GiB, ${field('os')} · ${field('browser')} · Node ${field('node')} · load average ${field('loadAverageAtStart')} at start, ${field('loadAverageAtEnd')} at end (the machine is shared)`,
    '',
    markdownTable(results),
    '',
    ...verdicts,
    END,
  ].join('\n');
}

/** Writes the section into `file` between the markers (appending both when absent). */
export function writeDoc(file: string, section: string): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  const next = a >= 0 && b > a ? `${text.slice(0, a)}${section}${text.slice(b + END.length)}` : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}
