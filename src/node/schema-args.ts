// Argument parsing shared by `ferryml fit`, `transform` and `types`: node:util parseArgs with
// one FerryError for every caller mistake, and the usage text appended.
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { FerryError } from '../errors.js';

/** Parses `argv` strictly; an unknown flag or missing value throws `INVALID_OPTIONS` with the usage. */
export function parseCommand<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new FerryError('INVALID_OPTIONS', `${(error as Error).message}\n\n${usage}`, { cause: error });
  }
}

/** Throws `INVALID_OPTIONS` naming the missing option. */
export function requireOption(value: string | undefined, flag: string, usage: string): string {
  if (value === undefined || value === '') throw new FerryError('INVALID_OPTIONS', `missing ${flag}\n\n${usage}`);
  return value;
}
