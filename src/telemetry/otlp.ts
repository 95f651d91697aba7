/**
 * OTLP/HTTP JSON encoding (opentelemetry-proto's JSON mapping): lowerCamelCase field names,
 * enums as integers, 64-bit integers as decimal strings, trace/span ids as hex. Attribute
 * values are typed explicitly (a JS number says nothing about int vs double).
 */

/** An `AnyValue` in the JSON mapping. */
export type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: AnyValue[] } }
  | { kvlistValue: { values: KeyValue[] } }
  | Record<string, never>;

/** A `KeyValue` attribute. */
export interface KeyValue {
  key: string;
  value: AnyValue;
}

/** `SeverityNumber` values used by ferryml (INFO, WARN, ERROR). */
export const SEVERITY = { INFO: 9, WARN: 13, ERROR: 17 } as const;

/** A string attribute. */
export const str = (key: string, value: string): KeyValue => ({ key, value: { stringValue: value } });
/** An int64 attribute (sent as a decimal string; rounded). */
export const int = (key: string, value: number): KeyValue => ({ key, value: { intValue: intString(value) } });
/** A double attribute; a non-finite value is sent as its JSON-mapping string ("NaN", "Infinity"). */
export const dbl = (key: string, value: number): KeyValue => ({ key, value: doubleValue(value) });
/** An array-of-int64 attribute. */
export const ints = (key: string, values: readonly number[]): KeyValue => ({
  key,
  value: { arrayValue: { values: values.map((v) => ({ intValue: intString(v) })) } },
});
/** An array-of-double attribute. */
export const dbls = (key: string, values: readonly number[]): KeyValue => ({
  key,
  value: { arrayValue: { values: values.map(doubleValue) } },
});

function intString(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toFixed(0) : '0';
}

function doubleValue(value: number): AnyValue {
  // The proto3 JSON mapping writes non-finite doubles as strings; JSON.stringify would write null.
  return { doubleValue: Number.isFinite(value) ? value : (String(value) as unknown as number) };
}

/**
 * Any JS value as an AnyValue (for opted-in raw inputs and outputs): numbers are doubles,
 * typed arrays and arrays become `arrayValue`, plain objects `kvlistValue`; depth is capped.
 */
export function anyValue(value: unknown, depth = 0): AnyValue {
  if (value === null || value === undefined) return {};
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    case 'number':
      return doubleValue(value);
    case 'bigint':
      return { intValue: value.toString() };
    default:
      break;
  }
  if (depth > 4) return { stringValue: '[depth limit]' };
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    const list = Array.from(value as ArrayLike<unknown>);
    return { arrayValue: { values: list.map((v) => anyValue(v, depth + 1)) } };
  }
  if (typeof value === 'object') {
    return { kvlistValue: { values: Object.entries(value).map(([k, v]) => ({ key: k, value: anyValue(v, depth + 1) })) } };
  }
  // Only symbols and functions get here (nullish, primitives and objects returned above).
  return { stringValue: typeof value === 'function' ? '[function]' : (value as symbol).toString() };
}

/** Epoch milliseconds as OTLP `fixed64` nanoseconds (a decimal string; ms precision, no float error). */
export function unixNano(ms: number): string {
  const whole = Math.floor(ms);
  const micros = Math.min(999, Math.round((ms - whole) * 1000));
  return whole === 0 ? '0' : `${whole}${String(micros).padStart(3, '0')}000`;
}

/** Random lowercase hex of `bytes` bytes (trace ids: 16, span ids: 8, batch ids: 16). */
export function randomHex(bytes: number): string {
  const b = new Uint8Array(bytes);
  crypto.getRandomValues(b);
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** One LogRecord as a JSON string; `event` goes to `eventName` and the `event.name` attribute. */
export function encodeRecord(record: { event: string; severity: number; timeMs: number; traceId: string; spanId: string; attributes: KeyValue[] }): string {
  const time = unixNano(record.timeMs);
  return JSON.stringify({
    timeUnixNano: time,
    observedTimeUnixNano: time,
    severityNumber: record.severity,
    severityText: record.severity >= SEVERITY.ERROR ? 'ERROR' : record.severity >= SEVERITY.WARN ? 'WARN' : 'INFO',
    eventName: record.event,
    attributes: [str('event.name', record.event), ...record.attributes],
    traceId: record.traceId,
    spanId: record.spanId,
  });
}

/**
 * An `ExportLogsServiceRequest` body around already-encoded records: one resource, one scope
 * whose `ferryml.batch.id` attribute is the idempotency key the collector dedupes on.
 */
export function batchBody(resource: string, batchId: string, records: readonly string[]): string {
  return (
    `{"resourceLogs":[{"resource":${resource},"scopeLogs":[{"scope":{"name":"ferryml","attributes":[` +
    `{"key":"ferryml.batch.id","value":{"stringValue":"${batchId}"}}]},"logRecords":[${records.join(',')}]}]}]}`
  );
}

/** A `Resource` as a JSON string. */
export function encodeResource(attributes: KeyValue[]): string {
  return JSON.stringify({ attributes });
}

/** UTF-8 byte length of a string without allocating an encoded copy. */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // 2 bytes below U+0800, 3 above, 4 for a surrogate pair (2 code units already counted).
    if (c >= 0x80) n += c < 0x800 ? 1 : c >= 0xd800 && c <= 0xdfff ? 1 : 2;
  }
  return n;
}
