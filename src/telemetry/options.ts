import { checkNumber, optionError, pageBase } from '../check-options.js';
import type { OfflineOptions, TelemetryOptions } from './types.js';

/** Options with every default filled in; what the telemetry modules read. */
export interface NormalizedTelemetryOptions {
  /** `${endpoint}/v1/logs`, trailing slashes of `endpoint` removed; an `endpoint` ending in `/v1/logs` as it is. */
  url: string;
  headers: Record<string, string>;
  serviceName: string;
  flushIntervalMs: number;
  maxBatchRecords: number;
  maxBatchBytes: number;
  maxQueueRecords: number;
  windowMs: number;
  driftMinRows: number;
  driftExactRows: number;
  driftSampleEvery: number;
  drift: boolean;
  sampleRate: number;
  rawValues: ReadonlySet<string>;
  rawOutputs: boolean;
  deviceDetails: boolean;
  rejectionText: boolean;
  keepaliveBytes: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  requestTimeoutMs: number;
  /** `undefined` when the IndexedDB queue is off. */
  offline: Required<OfflineOptions> | undefined;
}

/** The defaults of {@link TelemetryOptions}, as documented there. */
export const telemetryDefaults = {
  serviceName: 'ferryml',
  flushIntervalMs: 5_000,
  maxBatchRecords: 100,
  maxBatchBytes: 48 * 1024,
  maxQueueRecords: 1_000,
  windowMs: 60_000,
  driftMinRows: 100,
  // A window of 10,000 rows scores PSI to ~0.001 (≈ bins / rows); counting every row past that
  // only costs time. Past it, 1 in 64: a counted row costs ~0.06 µs in isolation (stores + count)
  // and looked closer to ~0.3 µs in the full-page bench, so on a page that does nothing but
  // predict, drift stays well under 1 % of a ~0.9 µs batched row.
  driftExactRows: 10_000,
  driftSampleEvery: 64,
  drift: true,
  sampleRate: 0,
  rawOutputs: false,
  deviceDetails: false,
  rejectionText: false,
  // Chromium and Firefox reject a keepalive request once the in-flight keepalive bodies of the
  // page would pass 64 KiB (fetch spec, "keepalive" inflight bytes); stay 4 KiB under it.
  keepaliveBytes: 60 * 1024,
  maxAttempts: 5,
  retryBaseMs: 1_000,
  retryMaxMs: 30_000,
  requestTimeoutMs: 30_000,
  offline: { maxBatches: 30, maxBytes: 1024 * 1024, minDelayMs: 5_000, maxDelayMs: 3_600_000, dbName: 'ferryml-telemetry' },
} as const;

const SCOPE = 'telemetry';
function fail(option: string, expected: string, got: unknown): never {
  throw optionError(SCOPE, option, expected, got);
}
const positive = (option: string, value: number | undefined, fallback: number, min = 1) => checkNumber(SCOPE, option, value, fallback, { min });
const integer = (option: string, value: number | undefined, fallback: number, min: number, infinity = false) =>
  checkNumber(SCOPE, option, value, fallback, { integer: true, min, infinity });

/**
 * Fills in defaults and checks caller mistakes (these throw `INVALID_OPTIONS` at creation;
 * nothing after creation throws). Accepts `offline: true` as the default queue.
 */
export function normalizeOptions(options: TelemetryOptions): NormalizedTelemetryOptions {
  if (typeof options !== 'object' || options === null) fail('options', 'an object with an `endpoint`', options);
  let base: URL;
  try {
    base = new URL(options.endpoint, pageBase());
  } catch {
    fail('endpoint', 'an absolute http(s) URL (or one relative to the page), e.g. "http://localhost:4318"', options.endpoint);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') fail('endpoint', 'an http(s) URL', options.endpoint);
  const sampleRate = checkNumber(SCOPE, 'sampleRate', options.sampleRate, telemetryDefaults.sampleRate, { min: 0, max: 1 });
  const d = telemetryDefaults;
  const headers: Record<string, string> = { 'Content-Type': 'application/json', ...options.headers };
  if (options.ingestKey !== undefined) headers['X-Ferryml-Ingest-Key'] = options.ingestKey;
  const off = options.offline ?? true;
  const o = typeof off === 'object' ? off : {};
  return {
    // A base URL gets the signal's path; a URL that already ends in it (OTEL_EXPORTER_OTLP_LOGS_ENDPOINT's
    // usual value) is used as is, as the OTLP exporter spec treats a signal-specific endpoint.
    // (The path only: a query string, such as a gateway's key, stays after it.)
    url: ((base.pathname = base.pathname.replace(/(\/v1\/logs)?\/*$/, '/v1/logs')), base.href),
    headers,
    serviceName: options.serviceName ?? d.serviceName,
    flushIntervalMs: positive('flushIntervalMs', options.flushIntervalMs, d.flushIntervalMs),
    maxBatchRecords: positive('maxBatchRecords', options.maxBatchRecords, d.maxBatchRecords),
    maxBatchBytes: positive('maxBatchBytes', options.maxBatchBytes, d.maxBatchBytes, 1024),
    maxQueueRecords: positive('maxQueueRecords', options.maxQueueRecords, d.maxQueueRecords),
    windowMs: positive('windowMs', options.windowMs, d.windowMs),
    driftMinRows: positive('driftMinRows', options.driftMinRows, d.driftMinRows),
    driftExactRows: integer('driftExactRows', options.driftExactRows, d.driftExactRows, 0, true),
    driftSampleEvery: integer('driftSampleEvery', options.driftSampleEvery, d.driftSampleEvery, 1),
    drift: options.drift ?? d.drift,
    sampleRate,
    rawValues: new Set(options.rawValues ?? []),
    rawOutputs: options.rawOutputs ?? d.rawOutputs,
    deviceDetails: options.deviceDetails ?? d.deviceDetails,
    rejectionText: options.rejectionText ?? d.rejectionText,
    keepaliveBytes: positive('keepaliveBytes', options.keepaliveBytes, d.keepaliveBytes, 0),
    maxAttempts: positive('maxAttempts', options.maxAttempts, d.maxAttempts),
    retryBaseMs: positive('retryBaseMs', options.retryBaseMs, d.retryBaseMs, 0),
    retryMaxMs: positive('retryMaxMs', options.retryMaxMs, d.retryMaxMs, 0),
    requestTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs, d.requestTimeoutMs),
    offline:
      off === false
        ? undefined
        : {
            maxBatches: positive('offline.maxBatches', o.maxBatches, d.offline.maxBatches),
            maxBytes: positive('offline.maxBytes', o.maxBytes, d.offline.maxBytes),
            minDelayMs: positive('offline.minDelayMs', o.minDelayMs, d.offline.minDelayMs, 0),
            maxDelayMs: positive('offline.maxDelayMs', o.maxDelayMs, d.offline.maxDelayMs, 0),
            dbName: o.dbName ?? d.offline.dbName,
          },
  };
}
