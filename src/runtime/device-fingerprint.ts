/**
 * The device a remembered backend choice belongs to. Apart from the WebGPU probe
 * (./probe-webgpu.ts) so that the plain-JS engine, which needs the fingerprint but never probes,
 * does not bring the probe into the plain-JS path's chunk (issue 15).
 */
import type { AdapterInfo } from './types.js';

/** A short device fingerprint: a remembered backend choice is reused only on the same device. */
export function deviceFingerprint(adapter: AdapterInfo | undefined): string {
  const gpu = adapter
    ? `${adapter.vendor}/${adapter.architecture}/${adapter.device}/${adapter.description}/${adapter.isFallbackAdapter ? 'sw' : 'hw'}`
    : 'none';
  return withGpu(gpu);
}

/** `hash:gpu`, the hash over this browser (user agent, cores) and `gpu`. */
function withGpu(gpu: string): string {
  const nav = globalThis.navigator as { userAgent?: string; hardwareConcurrency?: number } | undefined;
  const raw = `${nav?.userAgent ?? 'no-ua'}|${nav?.hardwareConcurrency ?? 0}|${gpu}`;
  // FNV-1a: short, stable, and no crypto.subtle (absent on plain http origins).
  let h = 0x811c9dc5;
  for (let i = 0; i < raw.length; i++) h = Math.imul(h ^ raw.charCodeAt(i), 0x01000193);
  return `${(h >>> 0).toString(16).padStart(8, '0')}:${gpu}`;
}

/**
 * Whether `device` (a fingerprint stored with a remembered choice) could be this device, checked
 * without probing WebGPU: the browser and its cores must match exactly; the GPU the record names is
 * taken at its word here (the tfjs path compares it with the adapter it gets, ./select.ts). A new
 * browser version, or a record copied from another machine, does not match.
 */
export function couldBeThisDevice(device: string): boolean {
  const at = device.indexOf(':');
  return at > 0 && withGpu(device.slice(at + 1)) === device;
}
