/**
 * Asks the platform for a WebGPU adapter before any tfjs code is loaded, so "no WebGPU here"
 * costs no download of the WebGPU backend and yields a precise reason.
 */
import type { AdapterInfo, Rejection } from './types.js';

/** The slice of the WebGPU API used here (TypeScript's DOM lib has no WebGPU types). */
interface GpuAdapterLike {
  info?: Partial<AdapterInfo>;
  /** Deprecated location of the flag (Chrome < 131); `info.isFallbackAdapter` is current. */
  isFallbackAdapter?: boolean;
  requestAdapterInfo?: () => Promise<Partial<AdapterInfo>>;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

/** Result of {@link probeWebGpu}: adapter facts, or why there is no usable adapter. */
export type WebGpuProbe = { ok: true; adapter: AdapterInfo } | { ok: false; rejection: Rejection };

const text = (v: unknown) => (typeof v === 'string' ? v : '');

/** Looks for a WebGPU adapter as tfjs will ask for it (high-performance); never throws. */
export async function probeWebGpu(): Promise<WebGpuProbe> {
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) {
    return {
      ok: false,
      rejection: {
        backend: 'webgpu',
        code: 'NO_WEBGPU',
        reason: 'navigator.gpu is not available here (a browser without WebGPU, an insecure context, or a runtime such as Node that has none)',
      },
    };
  }
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return { ok: false, rejection: { backend: 'webgpu', code: 'NO_ADAPTER', reason: `navigator.gpu.requestAdapter() threw: ${String(error)}` } };
  }
  if (!adapter) {
    return {
      ok: false,
      rejection: { backend: 'webgpu', code: 'NO_ADAPTER', reason: 'navigator.gpu.requestAdapter() returned null (GPU blocklisted or unavailable)' },
    };
  }
  let info: Partial<AdapterInfo> = adapter.info ?? {};
  if (!adapter.info && adapter.requestAdapterInfo) info = await adapter.requestAdapterInfo().catch(() => ({}));
  return {
    ok: true,
    adapter: {
      vendor: text(info.vendor),
      architecture: text(info.architecture),
      device: text(info.device),
      description: text(info.description),
      isFallbackAdapter: info.isFallbackAdapter === true || adapter.isFallbackAdapter === true,
    },
  };
}
