/**
 * What the page learns from the server that started it (`npm start` writes /runtime/config.json):
 * where the collector is and the dashboard link. Without it (a plain static host) the demo runs
 * with telemetry off and says so.
 */

/** The demo's runtime configuration. */
export interface DemoConfig {
  /** Collector base URL (telemetry is POSTed to `${collector}/v1/logs`); undefined: telemetry off. */
  collector: string | undefined;
  /** Dashboard URL (never the admin token: the dashboard asks for it). */
  dashboard: string | undefined;
  /** Where the model registry is. */
  registry: string;
  /** Directory of tfjs-backend-wasm's binaries, copied into the demo build. */
  wasmPaths: string;
  /** The SDK's worker script, built next to the page. */
  workerUrl: string;
}

const here = (path: string) => new URL(path, location.href).href;

/** Reads /runtime/config.json (network first; the service worker keeps the last copy for offline loads). */
export async function loadConfig(): Promise<DemoConfig> {
  let raw: { collector?: unknown; dashboard?: unknown } = {};
  try {
    const response = await fetch(here('runtime/config.json'), { cache: 'no-store' });
    if (response.ok) raw = (await response.json()) as typeof raw;
  } catch {
    // No config (static hosting, or offline before the service worker cached it): telemetry off.
  }
  return {
    collector: typeof raw.collector === 'string' ? raw.collector : undefined,
    dashboard: typeof raw.dashboard === 'string' ? raw.dashboard : undefined,
    registry: here('models/index.json'),
    wasmPaths: here('vendor/'),
    workerUrl: here('worker.js'),
  };
}
