/**
 * `process.runtime.name` / `process.runtime.version` (OpenTelemetry resource semantic conventions)
 * of the runtime sending telemetry, so the collector can tell a browser from an edge isolate.
 * Names: `bun`, `deno`, `workerd` (Cloudflare Workers; no version is exposed there), `nodejs`,
 * `browser` (version left out: the user agent is not sent).
 */
import { str } from './otlp.js';
import type { KeyValue } from './otlp.js';

interface Globals {
  Bun?: { version?: unknown };
  Deno?: { version?: { deno?: unknown } };
  process?: { versions?: { node?: unknown } };
  navigator?: { userAgent?: unknown };
}

export function runtimeAttributes(): KeyValue[] {
  const g = globalThis as Globals;
  const pair = (name: string, version: unknown) => [
    str('process.runtime.name', name),
    ...(typeof version === 'string' ? [str('process.runtime.version', version)] : []),
  ];
  if (g.Bun) return pair('bun', g.Bun.version);
  if (g.Deno) return pair('deno', g.Deno.version?.deno);
  if (g.navigator?.userAgent === 'Cloudflare-Workers') return pair('workerd', undefined);
  if (typeof g.process?.versions?.node === 'string') return pair('nodejs', g.process.versions.node);
  return pair('browser', undefined);
}
