// Shared by the cold-load pages: the input row, what a baseline app reads at start-up, and
// `window.bench.done` for the orchestrator.
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

/** Publishes the page's start-up work: resolves with the first prediction and ms since navigation start. */
export function publish(work: () => Promise<unknown>): void {
  const done = work().then((prediction) => ({ prediction, ms: performance.now() }));
  Object.assign(window, { bench: { done } });
}
