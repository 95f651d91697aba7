// The SDK's wire format is the opentelemetry-proto JSON mapping: real payloads (createTelemetry →
// fetch → a capture server) are read field by field against the OTLP logs protobuf definitions,
// encoded to protobuf binary, decoded again and compared. The definitions below are transcribed
// from opentelemetry-proto (logs/v1, common/v1, resource/v1, collector/logs/v1); the first test
// proves the transcription by decoding the binary that opentelemetry-js's own serializer
// (@opentelemetry/otlp-transformer) writes and comparing it with that package's JSON output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { createTelemetry } from '../../src/telemetry/telemetry.js';
import type { Schema } from '../../src/schema/types.js';

const PROTO = `
syntax = "proto3";
package opentelemetry.proto;
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
enum SeverityNumber {
  SEVERITY_NUMBER_UNSPECIFIED = 0; SEVERITY_NUMBER_TRACE = 1; SEVERITY_NUMBER_TRACE2 = 2; SEVERITY_NUMBER_TRACE3 = 3;
  SEVERITY_NUMBER_TRACE4 = 4; SEVERITY_NUMBER_DEBUG = 5; SEVERITY_NUMBER_DEBUG2 = 6; SEVERITY_NUMBER_DEBUG3 = 7;
  SEVERITY_NUMBER_DEBUG4 = 8; SEVERITY_NUMBER_INFO = 9; SEVERITY_NUMBER_INFO2 = 10; SEVERITY_NUMBER_INFO3 = 11;
  SEVERITY_NUMBER_INFO4 = 12; SEVERITY_NUMBER_WARN = 13; SEVERITY_NUMBER_WARN2 = 14; SEVERITY_NUMBER_WARN3 = 15;
  SEVERITY_NUMBER_WARN4 = 16; SEVERITY_NUMBER_ERROR = 17; SEVERITY_NUMBER_ERROR2 = 18; SEVERITY_NUMBER_ERROR3 = 19;
  SEVERITY_NUMBER_ERROR4 = 20; SEVERITY_NUMBER_FATAL = 21; SEVERITY_NUMBER_FATAL2 = 22; SEVERITY_NUMBER_FATAL3 = 23;
  SEVERITY_NUMBER_FATAL4 = 24;
}
message LogRecord {
  fixed64 time_unix_nano = 1; fixed64 observed_time_unix_nano = 11; SeverityNumber severity_number = 2;
  string severity_text = 3; AnyValue body = 5; repeated KeyValue attributes = 6; uint32 dropped_attributes_count = 7;
  fixed32 flags = 8; bytes trace_id = 9; bytes span_id = 10; string event_name = 12;
}
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string schema_url = 3; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3; }
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
`;

const root = protobuf.parse(PROTO).root;
const Request = root.lookupType('opentelemetry.proto.ExportLogsServiceRequest');
// protobufjs represents 64-bit ints with long.js (present: util.Long), so nanosecond times keep every digit.
const Long = protobuf.util.Long as unknown as { fromString(s: string, unsigned?: boolean): protobuf.Long; fromValue(v: unknown): protobuf.Long };
const INT64 = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
// OTLP's one deviation from the proto3 JSON mapping: trace and span ids are hex, not base64.
const HEX_BYTES: Record<string, number> = { traceId: 16, spanId: 8 };

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads JSON by the proto3 JSON mapping into a protobufjs plain object, failing on unknown
 * fields, wrong types, two members of a oneof, enum names where numbers are required (strict).
 * `strictInt64`: 64-bit ints must be decimal strings (what ferryml writes); else numbers pass too.
 */
function fromJson(type: protobuf.Type, json: unknown, path: string, strictInt64: boolean): Json {
  assert.ok(isObj(json), `${path} must be an object`);
  const out: Json = {};
  for (const [key, value] of Object.entries(json)) {
    const field = type.fields[key];
    assert.ok(field, `${path}.${key} is not a field of ${type.name} (JSON names are lowerCamelCase)`);
    if (value === undefined) continue;
    field.resolve();
    const one = (v: unknown, p: string): unknown => {
      if (field.resolvedType instanceof protobuf.Type) return fromJson(field.resolvedType, v, p, strictInt64);
      if (field.resolvedType instanceof protobuf.Enum) {
        assert.ok(
          Number.isInteger(v) && Object.values(field.resolvedType.values).includes(v as number),
          `${p} must be an integer enum value; got ${JSON.stringify(v)}`,
        );
        return v;
      }
      if (INT64.has(field.type)) {
        const ok = (typeof v === 'string' && /^-?\d+$/.test(v)) || (!strictInt64 && Number.isSafeInteger(v));
        assert.ok(ok, `${p} (${field.type}) must be a decimal string; got ${JSON.stringify(v)}`);
        return Long.fromString(String(v), field.type.startsWith('u') || field.type === 'fixed64');
      }
      switch (field.type) {
        case 'string':
          assert.equal(typeof v, 'string', `${p} must be a string`);
          return v;
        case 'bool':
          assert.equal(typeof v, 'boolean', `${p} must be a boolean`);
          return v;
        case 'double':
          assert.ok(typeof v === 'number' || ['NaN', 'Infinity', '-Infinity'].includes(v as string), `${p} must be a number`);
          return Number(v);
        case 'uint32':
        case 'fixed32':
        case 'int32':
          assert.ok(Number.isInteger(v), `${p} must be an integer`);
          return v;
        case 'bytes': {
          const hex = HEX_BYTES[key];
          if (hex !== undefined) {
            assert.match(String(v), new RegExp(`^[0-9a-f]{${hex * 2}}$`), `${p} must be ${hex * 2} lowercase hex digits`);
            return Buffer.from(String(v), 'hex');
          }
          return Buffer.from(String(v), 'base64');
        }
        default:
          throw new Error(`${p}: unhandled type ${field.type}`);
      }
    };
    if (field.repeated) {
      assert.ok(Array.isArray(value), `${path}.${key} must be an array`);
      out[key] = value.map((v, i) => one(v, `${path}.${key}[${i}]`));
    } else out[key] = one(value, `${path}.${key}`);
  }
  for (const oneof of type.oneofsArray) {
    const set = oneof.oneof.filter((name) => json[name] !== undefined);
    assert.ok(set.length <= 1, `${path}: oneof ${oneof.name} has ${set.join(' and ')}`);
  }
  return out;
}

/** The canonical JSON mapping of a decoded message: defaults omitted, int64 as strings, ids hex. */
function toJson(type: protobuf.Type, msg: Json): Json {
  const out: Json = {};
  for (const field of type.fieldsArray) {
    field.resolve();
    const v = msg[field.name];
    const inOneof = field.partOf !== null;
    if (v === undefined || v === null) continue;
    const one = (x: unknown): unknown => {
      if (field.resolvedType instanceof protobuf.Type) return toJson(field.resolvedType, x as Json);
      if (INT64.has(field.type)) return Long.fromValue(x).toString();
      if (field.type === 'bytes')
        return HEX_BYTES[field.name] !== undefined ? Buffer.from(x as Uint8Array).toString('hex') : Buffer.from(x as Uint8Array).toString('base64');
      return x;
    };
    const val = field.repeated ? (v as unknown[]).map(one) : one(v);
    const isDefault = field.repeated ? (val as unknown[]).length === 0 : val === 0 || val === '0' || val === '' || val === false;
    if (!isDefault || inOneof) out[field.name] = val;
  }
  return out;
}

/** The original JSON in that canonical form (int64 numbers → strings, defaults dropped). */
function canon(type: protobuf.Type, json: Json): Json {
  return toJson(type, Request === type ? Request.fromObject(fromJson(type, json, '$', false)) : json);
}

/** JSON → plain object → protobuf binary → decoded message → canonical JSON. */
function roundTrip(json: Json, strictInt64: boolean): { binary: Uint8Array; back: Json } {
  const plain = fromJson(Request, json, '$', strictInt64);
  const message = Request.fromObject(plain);
  assert.equal(Request.verify(message), null);
  const binary = Request.encode(message).finish();
  return { binary, back: toJson(Request, Request.decode(binary)) };
}

test("the transcribed OTLP definitions decode opentelemetry-js's protobuf output into its JSON output", () => {
  const record = {
    hrTime: [1_700_000_000, 123_456_789],
    hrTimeObserved: [1_700_000_001, 5],
    severityNumber: 13,
    severityText: 'WARN',
    body: 'hello',
    attributes: { s: 'x', i: 42, d: 1.5, b: true, list: [1, 'two'], map: { a: 'b' } },
    droppedAttributesCount: 0,
    spanContext: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 },
    eventName: 'ferryml.test',
    resource: { attributes: { 'service.name': 'svc' } },
    instrumentationScope: { name: 'scope', version: '1.0.0' },
  };
  const binary = ProtobufLogsSerializer.serializeRequest([record] as never);
  assert.ok(binary && binary.length > 50);
  const decoded = toJson(Request, Request.decode(binary));
  const officialJson = JSON.parse(new TextDecoder().decode(JsonLogsSerializer.serializeRequest([record] as never))) as Json;
  assert.deepEqual(decoded, canon(Request, officialJson));
  const log = (((decoded.resourceLogs as Json[])[0]!.scopeLogs as Json[])[0]!.logRecords as Json[])[0]!;
  assert.equal(log.timeUnixNano, '1700000000123456789');
  assert.equal(log.observedTimeUnixNano, '1700000001000000005');
  assert.equal(log.severityNumber, 13);
  assert.equal(log.eventName, 'ferryml.test');
  assert.equal(log.traceId, '0af7651916cd43dd8448eb211c80319c');
  assert.equal(log.flags, 1);
});

const schema: Schema = {
  formatVersion: 1,
  columns: [
    {
      name: 'bill_length_mm',
      type: 'number',
      steps: [{ kind: 'standardize', mean: 44, scale: 5 }],
      range: { min: 30, max: 60 },
      baseline: { kind: 'numeric', edges: [40, 45], shares: [0.3, 0.4, 0.3], missing: 0.01, rows: 333 },
    },
    {
      name: 'island',
      type: 'category',
      steps: [{ kind: 'onehot', categories: ['Biscoe', 'Dream', 'Torgersen'], unknown: 'ignore' }],
      baseline: { kind: 'categorical', categories: ['Biscoe', 'Dream', 'Torgersen'], shares: [0.5, 0.35, 0.15], missing: 0, rows: 333 },
    },
  ],
  features: ['bill_length_mm', 'island_Biscoe', 'island_Dream', 'island_Torgersen'],
  width: 4,
};

test('every payload createTelemetry sends is valid OTLP JSON that survives protobuf binary unchanged', async () => {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      assert.equal(req.url, '/v1/logs');
      assert.match(req.headers['content-type'] ?? '', /^application\/json/);
      bodies.push(body);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const t = createTelemetry(
      { endpoint, offline: false, sampleRate: 1, rawValues: ['island'], rawOutputs: true, driftMinRows: 10, maxBatchRecords: 4 },
      { model: 'penguins', version: '1.2.0', schemaHash: 'sha256-abc', schema },
    );
    t.modelLoaded({
      version: '1.2.0',
      source: 'cache',
      bytes: 6200,
      ms: 41.5,
      backend: 'wasm',
      rejected: [{ backend: 'webgpu', reason: 'isFallbackAdapter: true' }],
      adapter: { vendor: 'google', isFallbackAdapter: true },
    });
    for (let i = 0; i < 40; i++) {
      t.observe!(0, i % 7 === 0 ? null : 35 + i / 2, i > 35 ? 'out_of_range' : undefined);
      t.observe!(1, ['Biscoe', 'Dream', 'Atlantis'][i % 3]!, i % 3 === 2 ? 'unknown' : undefined);
      t.predicted(1, 0.2 + i / 10, 'wasm', () => ({ label: 'Adelie', probs: [0.9, 0.05, 0.05] }));
    }
    t.failed('INFERENCE_FAILED');
    t.issues([
      { column: 'island', code: 'UNKNOWN_CATEGORY' },
      { column: 'bill_length_mm', code: 'OUT_OF_RANGE' },
    ]);
    await t.flush();
    assert.equal(t.stats().sent, 1 + 40 + 4 + 2);
    await t.dispose();
  } finally {
    server.close();
  }
  assert.ok(bodies.length >= 2, 'several batches (maxBatchRecords: 4)');
  const events = new Map<string, Json>();
  const inputs: unknown[] = [];
  const seqs: string[] = [];
  for (const body of bodies) {
    const json = JSON.parse(body) as Json;
    const { back } = roundTrip(json, true);
    assert.deepEqual(back, canon(Request, json), 'the JSON mapping round-trips through protobuf binary without loss');
    const rl = (json.resourceLogs as Json[])[0]!;
    const resource = Object.fromEntries(((rl.resource as Json).attributes as Array<{ key: string; value: Json }>).map((kv) => [kv.key, kv.value.stringValue]));
    assert.equal(resource['service.name'], 'ferryml');
    assert.equal(resource['ml.model.name'], 'penguins');
    assert.equal(resource['ml.model.version'], '1.2.0');
    assert.equal(resource['ml.schema.hash'], 'sha256-abc');
    assert.match(String(resource['session.id']), /^[0-9a-f]{32}$/);
    const scope = (rl.scopeLogs as Json[])[0]!;
    const batchId = ((scope.scope as Json).attributes as Array<{ key: string; value: Json }>).find((a) => a.key === 'ferryml.batch.id');
    assert.match(String(batchId?.value.stringValue), /^[0-9a-f]{32}$/);
    for (const log of scope.logRecords as Json[]) {
      assert.match(String(log.timeUnixNano), /^\d{19}$/);
      assert.ok(Number.isInteger(log.severityNumber));
      assert.match(String(log.traceId), /^[0-9a-f]{32}$/);
      assert.match(String(log.spanId), /^[0-9a-f]{16}$/);
      events.set(String(log.eventName), log);
      const seq = (log.attributes as Array<{ key: string; value: Json }>).find((a) => a.key === 'ferryml.seq');
      seqs.push(String(seq?.value.intValue));
      const input = (log.attributes as Array<{ key: string; value: Json }>).find((a) => a.key === 'ferryml.input');
      if (input) inputs.push(input.value);
    }
  }
  assert.deepEqual([...events.keys()].sort(), [
    'ferryml.drift.window',
    'ferryml.model.load',
    'ferryml.predict.error',
    'ferryml.predict.summary',
    'ferryml.prediction',
    'ferryml.validation.issue',
  ]);
  // (session.id, ferryml.seq) identifies each record: 1…N, no gaps, no repeats.
  assert.deepEqual(
    seqs.map(Number).sort((x, y) => x - y),
    Array.from({ length: seqs.length }, (_, k) => k + 1),
  );
  // 64-bit ints are strings in the JSON mapping.
  const summary = events.get('ferryml.predict.summary')!;
  const calls = (summary.attributes as Array<{ key: string; value: Json }>).find((a) => a.key === 'ferryml.predict.calls');
  assert.deepEqual(calls?.value, { intValue: '40' });
  // Only the opted-in column's value travels: one per sampled call, never bill_length_mm.
  assert.equal(inputs.length, 40);
  const island = (v: string) => ({ kvlistValue: { values: [{ key: 'island', value: { stringValue: v } }] } });
  assert.deepEqual(new Set(inputs.map((v) => JSON.stringify(v))), new Set(['Biscoe', 'Dream', 'Atlantis'].map((v) => JSON.stringify(island(v)))));
  assert.ok(!bodies.some((b) => b.includes('"bill_length_mm","value":{"doubleValue"')), 'no raw value of a column that did not opt in');
});
