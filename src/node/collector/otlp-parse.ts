/**
 * Reads an OTLP/HTTP JSON `ExportLogsServiceRequest` (opentelemetry-proto JSON mapping) into
 * rows. Structural errors reject the request (400); a bad log record is rejected alone and
 * counted for `partialSuccess`. Strings are stored as bound parameters and JSON text, never
 * interpolated, and made well-formed UTF-16 first (a lone surrogate becomes U+FFFD): SQLite
 * would store it as invalid UTF-8, which then no query by name can match. Records outside the
 * accepted time window are rejected alone, and so are records with an attribute or a body over
 * its size cap, or over the record cap ({@link TooLarge}, counted in `tooLarge`): the SDK allows
 * records larger than the attribute cap, and one of them must not lose its batch's good records.
 */

/** One stored log record. JSON columns hold decoded AnyValues (ints as numbers when safe). */
export interface LogRow {
  timeMs: number;
  timeUnixNano: string;
  service: string | null;
  model: string | null;
  version: string | null;
  schemaHash: string | null;
  session: string | null;
  event: string | null;
  severity: number;
  severityText: string | null;
  traceId: string | null;
  spanId: string | null;
  body: string | null;
  attributes: string;
  resource: string;
  /** `ferryml.seq`: with `session`, the record's identity across retries (dedupe key). */
  seq: number | null;
  /** The record's own `eventName` field (`event` falls back to the `event.name` attribute); ClickHouse keeps it in `EventName`. */
  eventName?: string | null;
}

/** What a request may hold: sizes and the accepted time window. */
export interface ParseLimits {
  maxAttributeBytes: number;
  maxRecordBytes: number;
  /** Records timed before this (epoch ms) are rejected: past retention. */
  minTimeMs: number;
  /** Records timed after this are rejected: the future. */
  maxTimeMs: number;
}

const NO_LIMITS: ParseLimits = { maxAttributeBytes: Infinity, maxRecordBytes: Infinity, minTimeMs: -Infinity, maxTimeMs: Infinity };

/** A record, attribute or body over its cap: that record is rejected (413 only when all are). */
export class TooLarge extends Error {
  override name = 'TooLarge';
}

/** The string as well-formed UTF-16 (Node ≥ 20: String.prototype.toWellFormed). */
export const wellFormed = (s: string): string => (s as unknown as { toWellFormed(): string }).toWellFormed();

/** The records of one scope; `batchId` is the scope's `ferryml.batch.id` (the idempotency key). */
export interface ParsedGroup {
  batchId: string | undefined;
  rows: LogRow[];
  /** The instrumentation scope (name, version, attributes): ClickHouse keeps it in its own columns. */
  scope?: { name: string; version: string; attributes: Record<string, unknown> };
}

/** What a request held: groups of good rows, and how many records were rejected and why. */
export interface ParsedRequest {
  groups: ParsedGroup[];
  accepted: number;
  rejected: number;
  /** Of the rejected, the records over a size cap ({@link TooLarge}). */
  tooLarge: number;
  errors: string[];
}

/** A request the collector cannot read at all: answered 400 with this message. */
export class MalformedRequest extends Error {
  override name = 'MalformedRequest';
}

const SEVERITY_NAMES = [
  'UNSPECIFIED',
  'TRACE',
  'TRACE2',
  'TRACE3',
  'TRACE4',
  'DEBUG',
  'DEBUG2',
  'DEBUG3',
  'DEBUG4',
  'INFO',
  'INFO2',
  'INFO3',
  'INFO4',
  'WARN',
  'WARN2',
  'WARN3',
  'WARN4',
  'ERROR',
  'ERROR2',
  'ERROR3',
  'ERROR4',
  'FATAL',
  'FATAL2',
  'FATAL3',
  'FATAL4',
];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function list(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new MalformedRequest(`${path} must be an array; got ${typeof v}`);
  return v;
}

/** Decodes an AnyValue; throws a message naming the path on a type error. */
export function decodeAnyValue(v: unknown, path: string, depth = 0): unknown {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) throw new Error(`${path} must be an AnyValue object; got ${Array.isArray(v) ? 'array' : typeof v}`);
  if (depth > 16) throw new Error(`${path} nests deeper than 16 levels`);
  const keys = Object.keys(v);
  if (keys.length === 0) return null;
  if (keys.length > 1) throw new Error(`${path} must hold one value field; got ${keys.join(', ')}`);
  const key = keys[0] as string;
  const x = v[key];
  switch (key) {
    case 'stringValue':
      if (typeof x !== 'string') throw new Error(`${path}.stringValue must be a string; got ${typeof x}`);
      return wellFormed(x);
    case 'boolValue':
      if (typeof x !== 'boolean') throw new Error(`${path}.boolValue must be a boolean; got ${typeof x}`);
      return x;
    case 'intValue': {
      // int64 is a decimal string in the JSON mapping; parsers also accept a JSON number.
      const s = typeof x === 'number' && Number.isInteger(x) ? String(x) : x;
      if (typeof s !== 'string' || !/^-?\d{1,19}$/.test(s)) throw new Error(`${path}.intValue must be an int64 (decimal string); got ${JSON.stringify(x)}`);
      const n = Number(s);
      return Number.isSafeInteger(n) ? n : s;
    }
    case 'doubleValue':
      if (typeof x === 'number') return x;
      if (x === 'NaN' || x === 'Infinity' || x === '-Infinity') return x;
      if (typeof x === 'string' && x.trim() !== '' && Number.isFinite(Number(x))) return Number(x);
      throw new Error(`${path}.doubleValue must be a number; got ${JSON.stringify(x)}`);
    case 'bytesValue':
      if (typeof x !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(x)) throw new Error(`${path}.bytesValue must be base64`);
      return x;
    case 'arrayValue':
      if (!isObject(x)) throw new Error(`${path}.arrayValue must be an object with "values"`);
      return listOf(x.values, `${path}.arrayValue.values`).map((e, i) => decodeAnyValue(e, `${path}.arrayValue.values[${i}]`, depth + 1));
    case 'kvlistValue':
      if (!isObject(x)) throw new Error(`${path}.kvlistValue must be an object with "values"`);
      return decodeAttributes(x.values, `${path}.kvlistValue.values`, depth + 1);
    default:
      throw new Error(`${path} has unknown field "${key}"`);
  }
}

function listOf(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Error(`${path} must be an array`);
  return v;
}

/** `KeyValue[]` → a plain object (a repeated key keeps its last value). */
export function decodeAttributes(v: unknown, path: string, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  listOf(v, path).forEach((kv, i) => {
    if (!isObject(kv) || typeof kv.key !== 'string') throw new Error(`${path}[${i}] must be {"key": string, "value": AnyValue}`);
    out[wellFormed(kv.key)] = decodeAnyValue(kv.value, `${path}[${i}].value`, depth);
  });
  return out;
}

function nanos(v: unknown, path: string): string | undefined {
  if (v === undefined || v === null || v === '0' || v === 0) return undefined;
  const s = typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? String(v) : v;
  if (typeof s !== 'string' || !/^\d{1,20}$/.test(s) || BigInt(s) > 0xffffffffffffffffn)
    throw new Error(`${path} must be a fixed64 (decimal string of nanoseconds); got ${JSON.stringify(v)}`);
  return s;
}

function hexId(v: unknown, bytes: number, path: string): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string' || !new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(v))
    throw new Error(`${path} must be ${bytes * 2} hex digits (OTLP JSON ids are hex, not base64); got ${JSON.stringify(v)}`);
  return /^0+$/.test(v) ? null : v.toLowerCase();
}

function severity(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < SEVERITY_NAMES.length) return v;
  // The JSON mapping allows an enum's name as well as its number.
  if (typeof v === 'string') {
    const i = SEVERITY_NAMES.indexOf(v.replace(/^SEVERITY_NUMBER_/, ''));
    if (i >= 0) return i;
  }
  throw new Error(`${path} must be a SeverityNumber 0…24; got ${JSON.stringify(v)}`);
}

const text = (v: unknown) => (typeof v === 'string' ? wellFormed(v) : null);

/** Throws {@link TooLarge} naming the first attribute over `maxAttributeBytes`, or the record over `maxRecordBytes`. */
function checkSizes(attributes: Record<string, unknown>, attributesJson: string, bodyJson: string | null, path: string, limits: ParseLimits): void {
  const recordBytes = Buffer.byteLength(attributesJson) + (bodyJson === null ? 0 : Buffer.byteLength(bodyJson));
  // Only a large record can hold a large attribute: measure them one by one only then.
  if (recordBytes > limits.maxAttributeBytes) {
    for (const [key, value] of Object.entries(attributes)) {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON.stringify returns undefined for an undefined value
      const bytes = Buffer.byteLength(JSON.stringify(value) ?? '');
      if (bytes > limits.maxAttributeBytes)
        throw new TooLarge(
          `${path}: attribute "${key.slice(0, 80)}" is ${bytes} bytes, over the collector's --max-attribute-bytes limit of ${limits.maxAttributeBytes}`,
        );
    }
    if (bodyJson !== null && Buffer.byteLength(bodyJson) > limits.maxAttributeBytes)
      throw new TooLarge(
        `${path}: body is ${Buffer.byteLength(bodyJson)} bytes, over the collector's --max-attribute-bytes limit of ${limits.maxAttributeBytes}`,
      );
  }
  if (recordBytes > limits.maxRecordBytes)
    throw new TooLarge(`${path}: record is ${recordBytes} bytes, over the collector's --max-record-bytes limit of ${limits.maxRecordBytes}`);
}

function parseRecord(r: unknown, path: string, resource: Record<string, unknown>, resourceJson: string, now: number, limits: ParseLimits): LogRow {
  if (!isObject(r)) throw new Error(`${path} must be an object`);
  const attributes = decodeAttributes(r.attributes, `${path}.attributes`);
  const ns = nanos(r.timeUnixNano, `${path}.timeUnixNano`) ?? nanos(r.observedTimeUnixNano, `${path}.observedTimeUnixNano`);
  const sev = severity(r.severityNumber, `${path}.severityNumber`);
  if (r.severityText !== undefined && typeof r.severityText !== 'string') throw new Error(`${path}.severityText must be a string`);
  if (r.eventName !== undefined && typeof r.eventName !== 'string') throw new Error(`${path}.eventName must be a string`);
  const body = r.body === undefined ? undefined : decodeAnyValue(r.body, `${path}.body`);
  const timeNano = ns ?? `${now}000000`;
  const timeMs = Number(BigInt(timeNano) / 1_000_000n);
  if (timeMs < limits.minTimeMs || timeMs > limits.maxTimeMs) {
    const when = Math.abs(timeMs) <= 8.64e15 ? new Date(timeMs).toISOString() : `${timeNano} ns`;
    throw new Error(
      `${path}.timeUnixNano ${when} is outside the accepted window [${new Date(limits.minTimeMs).toISOString()}, ${new Date(limits.maxTimeMs).toISOString()}] (retention, and at most a day ahead); check the client's clock`,
    );
  }
  const attributesJson = JSON.stringify(attributes);
  const bodyJson = body === undefined ? null : JSON.stringify(body);
  checkSizes(attributes, attributesJson, bodyJson, path, limits);
  const seq = attributes['ferryml.seq'];
  return {
    timeMs,
    timeUnixNano: timeNano,
    service: text(resource['service.name']),
    model: text(resource['ml.model.name']),
    version: text(attributes['ml.model.version']) ?? text(resource['ml.model.version']),
    schemaHash: text(resource['ml.schema.hash']),
    session: text(resource['session.id']),
    event: text(r.eventName) || text(attributes['event.name']),
    severity: sev,
    severityText: text(r.severityText),
    traceId: hexId(r.traceId, 16, `${path}.traceId`),
    spanId: hexId(r.spanId, 8, `${path}.spanId`),
    body: bodyJson,
    attributes: attributesJson,
    resource: resourceJson,
    seq: typeof seq === 'number' && Number.isSafeInteger(seq) ? seq : null,
    eventName: text(r.eventName),
  };
}

/** Parses a decoded JSON request. Throws {@link MalformedRequest} for structural errors. */
export function parseExportRequest(json: unknown, now = Date.now(), limits: ParseLimits = NO_LIMITS): ParsedRequest {
  if (!isObject(json))
    throw new MalformedRequest(`the body must be a JSON object (ExportLogsServiceRequest); got ${Array.isArray(json) ? 'an array' : typeof json}`);
  const out: ParsedRequest = { groups: [], accepted: 0, rejected: 0, tooLarge: 0, errors: [] };
  const reject = (n: number, message: string) => {
    out.rejected += n;
    if (out.errors.length < 5) out.errors.push(message);
  };
  list(json.resourceLogs, 'resourceLogs').forEach((rl, i) => {
    const rp = `resourceLogs[${i}]`;
    if (!isObject(rl)) throw new MalformedRequest(`${rp} must be an object`);
    const scopes = list(rl.scopeLogs, `${rp}.scopeLogs`);
    let resource: Record<string, unknown>;
    try {
      resource = isObject(rl.resource) ? decodeAttributes(rl.resource.attributes, `${rp}.resource.attributes`) : {};
    } catch (e) {
      const n = scopes.reduce<number>((s, sl) => s + (isObject(sl) && Array.isArray(sl.logRecords) ? sl.logRecords.length : 0), 0);
      return void reject(n, (e as Error).message);
    }
    const resourceJson = JSON.stringify(resource);
    scopes.forEach((sl, j) => {
      const sp = `${rp}.scopeLogs[${j}]`;
      if (!isObject(sl)) throw new MalformedRequest(`${sp} must be an object`);
      const records = list(sl.logRecords, `${sp}.logRecords`);
      let batchId: string | undefined;
      let scopeAttrs: Record<string, unknown>;
      try {
        scopeAttrs = isObject(sl.scope) ? decodeAttributes(sl.scope.attributes, `${sp}.scope.attributes`) : {};
        const id = scopeAttrs['ferryml.batch.id'];
        if (id !== undefined && (typeof id !== 'string' || id.length === 0 || id.length > 128))
          throw new Error(`${sp}.scope ferryml.batch.id must be a string of 1…128 characters`);
        batchId = id === undefined ? undefined : wellFormed(id);
      } catch (e) {
        return void reject(records.length, (e as Error).message);
      }
      const rows: LogRow[] = [];
      records.forEach((r, k) => {
        try {
          rows.push(parseRecord(r, `${sp}.logRecords[${k}]`, resource, resourceJson, now, limits));
        } catch (e) {
          if (e instanceof TooLarge) out.tooLarge++;
          reject(1, (e as Error).message);
        }
      });
      out.accepted += rows.length;
      const scope = isObject(sl.scope) ? sl.scope : {};
      if (rows.length) out.groups.push({ batchId, rows, scope: { name: text(scope.name) ?? '', version: text(scope.version) ?? '', attributes: scopeAttrs } });
    });
  });
  return out;
}
