/**
 * Parsed OTLP records → `otel_logs` rows exactly as the OpenTelemetry Collector's ClickHouse
 * exporter writes them (`exporter_logs.go`: `attributesToMap` → pdata `Value.AsString()`), so a
 * record that reaches ClickHouse through ferryml's collector and one that comes through an
 * OpenTelemetry Collector are the same row.
 */
import type { LogRow, ParsedGroup } from './otlp-parse.js';

// encoding/json escapes these in strings by default (HTML safety); JSON.stringify does not.
const goString = (s: string) => JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Go's `json.Marshal` of `Value.AsRaw()`: object keys sorted (Go maps marshal sorted), HTML characters escaped. */
function goJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (typeof v === 'string') return goString(v);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${goString(k)}:${goJson(o[k])}`)
      .join(',')}}`;
  }
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON.stringify returns undefined for undefined and functions
  return JSON.stringify(v) ?? 'null';
}

/**
 * pdata `Value.AsString()`: strings as they are, numbers as ES6 `Number#toString` (Go's
 * `float64AsString` follows it), booleans `true`/`false`, bytes as their base64, arrays and
 * maps as JSON text, an empty value as ''.
 */
export function asExporterString(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return goJson(v);
}

/** A decoded attribute object → the exporter's `Map(String, String)`. */
export function asExporterMap(attrs: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) out[k] = asExporterString(v);
  return out;
}

/** `Timestamp` for JSONEachRow: seconds.nanoseconds, exact (DateTime64(9) takes it as is). */
function timestamp(unixNano: string): string {
  const ns = unixNano.padStart(10, '0');
  return `${ns.slice(0, -9)}.${ns.slice(-9)}`;
}

function row(r: LogRow, scope: NonNullable<ParsedGroup['scope']>, scopeAttributes: Record<string, string>): Record<string, unknown> {
  const resource = JSON.parse(r.resource) as Record<string, unknown>;
  const body = r.body === null ? null : (JSON.parse(r.body) as unknown);
  return {
    Timestamp: timestamp(r.timeUnixNano),
    TraceId: r.traceId ?? '',
    SpanId: r.spanId ?? '',
    TraceFlags: 0,
    SeverityText: r.severityText ?? '',
    SeverityNumber: r.severity,
    ServiceName: typeof resource['service.name'] === 'string' ? resource['service.name'] : '',
    Body: asExporterString(body),
    ResourceSchemaUrl: '',
    ResourceAttributes: asExporterMap(resource),
    ScopeSchemaUrl: '',
    ScopeName: scope.name,
    ScopeVersion: scope.version,
    ScopeAttributes: scopeAttributes,
    LogAttributes: asExporterMap(JSON.parse(r.attributes) as Record<string, unknown>),
    EventName: r.eventName ?? '',
  };
}

/** The rows of parsed groups, in order. */
export function otelLogRows(groups: readonly ParsedGroup[]): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const g of groups) {
    const scope = g.scope ?? { name: '', version: '', attributes: g.batchId === undefined ? {} : { 'ferryml.batch.id': g.batchId } };
    const scopeAttributes = asExporterMap(scope.attributes);
    for (const r of g.rows) out.push(row(r, scope, scopeAttributes));
  }
  return out;
}
