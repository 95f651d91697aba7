#!/usr/bin/env node
// `ferryml <command> [options]`: each command lives in ./commands/<command>.ts and exports
// `run(argv: string[]): Promise<number>` (the exit code) and `usage: string`.
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {};

export interface CommandModule {
  usage: string;
  run(argv: string[]): Promise<number>;
}

/** Registers a command; commands register in ./commands/index.ts so this file stays stable. */
export function command(name: string, summary: string, load: () => Promise<CommandModule>): void {
  COMMANDS[name] = { summary, load };
}

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length), 8);
  return [
    'Usage: ferryml <command> [options]   (ferryml <command> --help for details; ferryml --version)',
    '',
    ...Object.entries(COMMANDS)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  await import('./commands/index.js');
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    console.log(version());
    return 0;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? 0 : 2;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    console.error(`ferryml: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  const mod = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(mod.usage);
    return 0;
  }
  return mod.run(rest);
}

/** The package's version: package.json sits two levels up from both src/node/cli.ts and dist/node/cli.js. */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/**
 * tfjs-backend-cpu prints a "looks like you are running TensorFlow.js in Node.js" banner on first
 * use unless the PROD flag is set (its warn() is silent in PROD); the CLI's output is data.
 */
async function quietTfjs(): Promise<void> {
  try {
    const tf = await import('@tensorflow/tfjs-core');
    tf.env().set('PROD', true);
  } catch {
    // tfjs not installed: the commands that need it say so themselves.
  }
}

/**
 * Exit code of a thrown error: 2 for a usage error (`INVALID_OPTIONS`), 1 for everything else, bad
 * input data (`DATA_INVALID`: a data file that cannot be read, a row that cannot be parsed) included.
 */
export function exitCodeOf(error: unknown): number {
  return (error as { code?: unknown } | null)?.code === 'INVALID_OPTIONS' ? 2 : 1;
}

/**
 * Whether this module is the process's entry. npm runs bins through symlinks
 * (`node_modules/.bin/ferryml` → `../ferryml/dist/node/cli.js`), so compare real paths, never names.
 */
function isEntry(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  quietTfjs()
    .then(() => main(process.argv.slice(2)))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (error: unknown) => {
        const e = error as { code?: string; message?: string };
        console.error(`ferryml: ${e.code ? `[${e.code}] ` : ''}${e.message ?? String(error)}`);
        process.exitCode = exitCodeOf(error);
      },
    );
}
