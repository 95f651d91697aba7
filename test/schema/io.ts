// Test I/O that works the same in Node (node:test) and Chromium (web-test-runner): the shared
// schema suites read repository files through here, so one test module runs in both.

/** True under Node (the shared suites also run in Chromium). */
export const isNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';

/** Reads a repository file (path relative to the repository root) as text. */
export async function readText(path: string): Promise<string> {
  if (isNode) {
    // A variable specifier keeps the browser bundler from resolving a Node built-in.
    const fs = 'node:fs/promises';
    const { readFile } = (await import(/* @vite-ignore */ fs)) as typeof import('node:fs/promises');
    return readFile(path, 'utf8');
  }
  const response = await fetch(`/${path}`);
  if (!response.ok) throw new Error(`GET /${path}: ${response.status}`);
  return response.text();
}

/** Writes a repository file (Node only: used to regenerate fixtures). */
export async function writeText(path: string, text: string): Promise<void> {
  const fs = 'node:fs/promises';
  const { writeFile } = (await import(/* @vite-ignore */ fs)) as typeof import('node:fs/promises');
  await writeFile(path, text);
}

/** Reads a repository JSON file. */
export async function readJsonFile<T = unknown>(path: string): Promise<T> {
  return JSON.parse(await readText(path)) as T;
}

/** SHA-256 of bytes as hex, with WebCrypto (global in Node >= 20 and in the browser). */
export async function sha256(bytes: ArrayBufferView | string): Promise<string> {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
  const digest = await crypto.subtle.digest('SHA-256', data);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Whether the fixtures should be regenerated (`FERRYML_UPDATE_FIXTURES=1`, Node only). */
export const updateFixtures =
  isNode && (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.FERRYML_UPDATE_FIXTURES === '1';

/**
 * Runs a command (Node only) with `input` on stdin and returns its stdout; throws with its
 * stderr when it cannot start or exits non-zero. Used to compute references with Python.
 */
export async function runCommand(command: string, args: string[], input: string): Promise<string> {
  const cp = 'node:child_process';
  const { spawnSync } = (await import(/* @vite-ignore */ cp)) as typeof import('node:child_process');
  const r = spawnSync(command, args, { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`${command} could not start: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}
