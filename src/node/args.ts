/**
 * The one command-line parser of the `ferryml` commands and the collector: node:util `parseArgs`
 * (strict), with every caller mistake a `FerryError` `INVALID_OPTIONS` carrying the usage text.
 * The CLI exits 2 on `INVALID_OPTIONS` (a usage error), 1 on every other error.
 */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { FerryError } from '../errors.js';

/** Parses `argv` strictly; an unknown flag or a missing value throws `INVALID_OPTIONS` with the usage. */
export function parseCommand<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new FerryError('INVALID_OPTIONS', `${(error as Error).message}\n\n${usage}`, { cause: error, details: { argv } });
  }
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
