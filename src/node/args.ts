/**
 * The one command-line parser of the `ferryml` commands and the collector: node:util `parseArgs`
 * (strict), with every caller mistake a `FerryError` `INVALID_OPTIONS` carrying the usage text.
 * The CLI exits 2 on `INVALID_OPTIONS` (a usage error), 1 on every other error.
 */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { FerryError } from '../errors.js';

/**
 * Parses `argv` strictly; an unknown flag or a missing value throws `INVALID_OPTIONS` with the usage.
 * An unknown flag reads `unknown option --bakend (did you mean --backend?)`: node's own text for it
 * ends in a quote it never closes.
 */
export function parseCommand<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    const unknown = (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && /'(-[^']*)'/.exec((error as Error).message)?.[1];
    if (unknown) {
      const near = closestOption(unknown, Object.keys(options));
      throw new FerryError('INVALID_OPTIONS', `unknown option ${unknown}${near ? ` (did you mean --${near}?)` : ''}\n\n${usage}`, {
        cause: error,
        details: { argv, option: unknown },
      });
    }
    throw new FerryError('INVALID_OPTIONS', `${(error as Error).message}\n\n${usage}`, { cause: error, details: { argv } });
  }
}

/** The option name closest to a mistyped flag (edit distance at most 2, or a prefix of it), if any. */
export function closestOption(flag: string, names: readonly string[]): string | undefined {
  const typed = flag.replace(/^--?/, '');
  let best: string | undefined;
  let bestDistance = 3;
  for (const name of names) {
    const d = name.startsWith(typed) && typed.length >= 2 ? 1 : editDistance(typed, name);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** Throws `INVALID_OPTIONS` naming the missing option. */
export function requireOption(value: string | undefined, flag: string, usage: string): string {
  if (value === undefined || value === '') throw new FerryError('INVALID_OPTIONS', `missing ${flag}\n\n${usage}`, { details: { option: flag } });
  return value;
}

/** A number option (undefined when absent); throws `INVALID_OPTIONS` naming it when the text is not one. */
export function numberOption(value: string | undefined, name: string, check: (n: number) => boolean = Number.isFinite): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !check(n)) {
    throw new FerryError('INVALID_OPTIONS', `--${name}: "${value}" is not a valid value`, { details: { option: `--${name}`, got: value } });
  }
  return n;
}
