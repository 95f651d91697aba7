// Runs the `ferryml` CLI in-process (no spawn), capturing what it prints and its exit code.
import { exitCodeOf, main } from '../../../src/node/cli.js';

/** `ferryml ...args`, as `{ code, out }`; a thrown error counts as exit 1 with its message printed. */
export async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const { log, error } = console;
  console.log = console.error = (...parts: unknown[]) => void lines.push(parts.join(' '));
  try {
    const code = await main(args).catch((e: unknown) => {
      lines.push((e as Error).message);
      return 1;
    });
    return { code, out: lines.join('\n') };
  } finally {
    Object.assign(console, { log, error });
  }
}

/** The error `ferryml ...args` throws (its `code` and message) and the exit code the CLI gives it; `code` undefined when it returned instead. */
export async function cliError(...args: string[]): Promise<{ code: string | undefined; message: string; exit: number }> {
  const { log, error } = console;
  console.log = console.error = () => undefined;
  try {
    const exit = await main(args);
    return { code: undefined, message: `exited ${exit} without throwing`, exit };
  } catch (e) {
    return { code: (e as { code?: string }).code, message: (e as Error).message, exit: exitCodeOf(e) };
  } finally {
    Object.assign(console, { log, error });
  }
}
