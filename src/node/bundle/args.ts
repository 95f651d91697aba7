/** Command-line parsing shared by the bundle commands (node:util `parseArgs`, strict). */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Parsed options and positionals; unknown options throw with the command's usage. */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n\n${usage}`);
  }
}

/** A number option, or an error naming it. */
export function numberOption(value: string | undefined, name: string, check: (n: number) => boolean = Number.isFinite): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !check(n)) throw new Error(`--${name}: "${value}" is not a valid value`);
  return n;
}
