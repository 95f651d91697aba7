import { expect } from 'chai';
import { isFerryError } from '../../src/index.js';
import type { Schema } from '../../src/index.js';
import { normalizeOptions, telemetryDefaults } from '../../src/telemetry/options.js';
import { createTelemetry } from '../../src/telemetry/telemetry.js';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return isFerryError(e) ? `${e.code}: ${e.message}` : String(e);
  }
  return 'no error';
};

describe('telemetry/options', () => {
  it('fills the documented defaults', () => {
    const o = normalizeOptions({ endpoint: 'http://localhost:4318/' });
    expect(o.url).to.equal('http://localhost:4318/v1/logs');
    expect(o).to.include({
      flushIntervalMs: 5000,
      maxBatchRecords: 100,
      maxBatchBytes: 49152,
      maxQueueRecords: 1000,
      keepaliveBytes: 61440,
      maxAttempts: 5,
      sampleRate: 0,
    });
    expect(o.offline).to.deep.equal(telemetryDefaults.offline);
    expect(o.rawValues.size).to.equal(0);
    expect(o.headers).to.deep.equal({ 'Content-Type': 'application/json' });
    expect(normalizeOptions({ endpoint: '/t', ingestKey: 'k', offline: false }).headers['X-Ferryml-Ingest-Key']).to.equal('k');
    expect(normalizeOptions({ endpoint: '/t', offline: false }).offline).to.equal(undefined);
    expect(o).to.include({ driftMinRows: 100, driftExactRows: 10_000, driftSampleEvery: 64 });
    expect(normalizeOptions({ endpoint: '/t', driftExactRows: Infinity, driftSampleEvery: 1 })).to.include({ driftExactRows: Infinity, driftSampleEvery: 1 });
  });

  it('appends /v1/logs to a base URL; an endpoint already ending in /v1/logs (OTEL_EXPORTER_OTLP_LOGS_ENDPOINT) is used as is', () => {
    const url = (endpoint: string) => normalizeOptions({ endpoint }).url;
    expect(url('http://localhost:4318')).to.equal('http://localhost:4318/v1/logs');
    expect(url('https://gw.example/otlp//')).to.equal('https://gw.example/otlp/v1/logs');
    expect(url('http://localhost:4318/v1/logs')).to.equal('http://localhost:4318/v1/logs');
    expect(url('https://gw.example/otlp/v1/logs/')).to.equal('https://gw.example/otlp/v1/logs');
    expect(url('https://gw.example/v1/logsink')).to.equal('https://gw.example/v1/logsink/v1/logs');
    expect(url('/t/v1/logs')).to.equal(new URL('/t/v1/logs', location.href).href);
    // The path only: a query string (a gateway's key) stays after it, not before it.
    expect(url('https://gw.example/otlp?key=abc')).to.equal('https://gw.example/otlp/v1/logs?key=abc');
    expect(url('https://gw.example/v1/logs?key=abc')).to.equal('https://gw.example/v1/logs?key=abc');
  });

  it('throws INVALID_OPTIONS for caller mistakes, naming the option', () => {
    expect(code(() => normalizeOptions({ endpoint: 'ftp://x' }))).to.match(/^INVALID_OPTIONS: telemetry: `endpoint` must be an http\(s\) URL/);
    expect(code(() => normalizeOptions({ endpoint: '/t', sampleRate: 2 }))).to.match(/`sampleRate` must be a finite number in \[0, 1\]; got 2/);
    expect(code(() => normalizeOptions({ endpoint: '/t', maxBatchBytes: 10 }))).to.match(/`maxBatchBytes` must be a finite number ≥ 1024/);
    expect(code(() => normalizeOptions({ endpoint: '/t', driftSampleEvery: 2.5 }))).to.match(/`driftSampleEvery` must be an integer ≥ 1; got 2.5/);
    expect(code(() => normalizeOptions({ endpoint: '/t', driftSampleEvery: 0 }))).to.match(/`driftSampleEvery` must be an integer ≥ 1; got 0/);
    expect(code(() => normalizeOptions({ endpoint: '/t', driftExactRows: -1 }))).to.match(/`driftExactRows` must be an integer ≥ 0 \(or Infinity\); got -1/);
    const schema: Schema = { formatVersion: 1, columns: [{ name: 'x', type: 'number', steps: [{ kind: 'passthrough' }] }], features: ['x'], width: 1 };
    expect(code(() => createTelemetry({ endpoint: '/t', rawValues: ['y'] }, { model: 'm', version: '1', schemaHash: 'h', schema }))).to.match(
      /"rawValues" names "y", which is not a column of the schema \(x\)/,
    );
  });
});
