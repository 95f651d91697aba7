// A child process spoken to in JSON lines: one command per line in, one answer per line out.
// The sklearn and Node preprocess timers run this way so they stay warm between rounds and
// the orchestrator can interleave them with the browser's rounds.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A running line-protocol child. */
export interface LineProcess {
  /** The first line the child printed (its ready message). */
  ready: Promise<Record<string, unknown>>;
  /** Sends one command and resolves with the child's answer (rejects on `{error}` or exit). */
  ask<T = Record<string, unknown>>(command: Record<string, unknown>): Promise<T>;
  close(): void;
}

/** Spawns `cmd args`, collecting stderr for error messages. */
export function startLineProcess(cmd: string, args: string[], cwd: string): LineProcess {
  const child = spawn(cmd, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-4000)));
  const waiting: Array<{ ok: (v: Record<string, unknown>) => void; fail: (e: Error) => void }> = [];
  const died = (why: string) => new Error(`${cmd} ${args.join(' ')}: ${why}\n${stderr.trim()}`);
  createInterface({ input: child.stdout }).on('line', (line) => {
    const w = waiting.shift();
    if (!w) return;
    try {
      const v = JSON.parse(line) as Record<string, unknown>;
      if (typeof v['error'] === 'string') w.fail(died(v['error']));
      else w.ok(v);
    } catch {
      w.fail(died(`not JSON: ${line.slice(0, 200)}`));
    }
  });
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.fail(died(`exited with ${code}`));
  });
  child.on('error', (e) => {
    for (const w of waiting.splice(0)) w.fail(died(e.message));
  });
  const next = () => new Promise<Record<string, unknown>>((ok, fail) => waiting.push({ ok, fail }));
  const ready = next();
  ready.catch(() => {});
  return {
    ready,
    ask: <T>(command: Record<string, unknown>) => {
      const answer = next();
      child.stdin.write(`${JSON.stringify(command)}\n`);
      return answer as Promise<T>;
    },
    close: () => void child.kill(),
  };
}
