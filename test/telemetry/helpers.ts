// Shared by the telemetry browser suites: the real collector started by test/server/collector.mjs,
// its read API, the OTLP fault proxy, and a seeded PRNG so streams are the same on every run.

// A collector's Retry-After is kept in localStorage (src/telemetry/endpoint-wait.ts) and the test
// files run one at a time in one browser profile: a wait one file was told must not hold the next's.
for (const key of Object.keys(localStorage)) if (key.startsWith('ferryml:retry-after:')) localStorage.removeItem(key);
export interface CollectorInfo {
  url: string;
  token: string;
  running: boolean;
}

export async function collector(): Promise<CollectorInfo> {
  return (await fetch('/__collector')).json() as Promise<CollectorInfo>;
}

export async function stopCollector(): Promise<void> {
  await fetch('/__collector/stop', { method: 'POST' });
}

export async function startCollector(): Promise<void> {
  await fetch('/__collector/start', { method: 'POST' });
}

/** GET on the collector's read API (through the test server, which adds the admin token). */
export async function readApi<T = any>(path: string): Promise<T> {
  const res = await fetch(`/__collector${path}`);
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<T>;
}

export interface PlanStep {
  status: number;
  retryAfter?: number;
  forward?: boolean;
  times?: number;
}

export interface ProxyLog {
  /** `status` is undefined while the proxy is still answering that request. */
  log: Array<{ at: number; status?: number | 'network'; batchId?: string; records: number; bytes: number }>;
  pending: number;
}

/** Scripts the fault proxy's next answers for `scenario`; returns its endpoint for createTelemetry. */
export async function plan(scenario: string, steps: PlanStep[] = []): Promise<string> {
  await fetch(`/__otlp-plan/${scenario}`, { method: 'POST', body: JSON.stringify(steps) });
  return `${location.origin}/__otlp/${scenario}`;
}

export async function proxyLog(scenario: string): Promise<ProxyLog> {
  return (await fetch(`/__otlp-plan/${scenario}`)).json() as Promise<ProxyLog>;
}

/** Polls until `check` returns a value other than undefined (or throws after `timeoutMs`). */
export async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** mulberry32, the seeded PRNG training uses too. */
export { seededRandom as prng } from '../../training/random.js';

export const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
