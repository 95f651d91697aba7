// Runs the `ferryml` CLI in-process (no spawn), capturing what it prints and its exit code.
import { main } from '../../../src/node/cli.js';

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
