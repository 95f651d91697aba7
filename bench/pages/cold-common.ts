// Shared by the cold-load pages: the input row, what a baseline app reads at start-up, and
// the `bench:done` console line the orchestrator waits for.
import type { Manifest, Schema } from '../../src/index.js';

/** The page's query: `?bundle=/models/penguins/1.0.0&onnx=/bench/.build/models/penguins.onnx`. */
export const query = new URLSearchParams(location.search);

/** Fetches JSON or throws naming the URL. */
export async function json<T>(url: string): Promise<T> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return (await r.json()) as T;
}

/** The input row, passed in `?row=` (JSON) so no page fetches anything just to have a row. */
export const row = JSON.parse(query.get('row') ?? '{}') as Record<string, unknown>;

/**
 * What a baseline app needs besides its runtime and weights: the labels and the fitted
 * constants of its hand-written preprocessing (manifest.json and schema.json of `?bundle=`).
 */
export async function bundleFacts() {
  const bundle = query.get('bundle')!;
  const manifest = await json<Manifest>(`${bundle}/manifest.json`);
  const schema = await json<Schema>(`${bundle}/${manifest.schema}`);
  const labels = manifest.output.kind === 'classification' ? manifest.output.labels : [];
  return { bundle, manifest, schema, labels };
}

/**
 * Every request of the page, the page itself first, as `file requested→first byte→received` in ms
 * since navigation start: which waited in series (the module graph, the registry, the manifest, the
 * files) and whether a wait was the server's answer or the body.
 */
export function requestLog(): string[] {
  const t = (e: PerformanceResourceTiming) =>
    `${e.name.replace(/[?#].*$/, '').replace(/^.*\//, '')} ${Math.round(e.startTime)}→${Math.round(e.responseStart)}→${Math.round(e.responseEnd)}`;
  return [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].map((e) => t(e as PerformanceResourceTiming));
}

/**
 * Publishes the page's start-up work: logs `bench:done {prediction, ms}` (ms since navigation
 * start) or `bench:error <message>` to the console, where bench/lib/cold-load.ts waits for it.
 * The console, not a `window` property the orchestrator polls: Playwright's `waitForFunction` and
 * `evaluate` inject its ~300 KB utility script into the page, and on a cold load that script was
 * compiled and run in the middle of the page's own start-up, on the clock being measured.
 */
export function publish(work: () => Promise<unknown>): void {
  work().then(
    (prediction) => console.log(`bench:done ${JSON.stringify({ prediction, ms: performance.now() })}`),
    (e: unknown) => console.log(`bench:error ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`),
  );
}
