import { expect } from 'chai';
import fc from 'fast-check';
import { anyValue, batchBody, dbl, encodeRecord, encodeResource, int, randomHex, str, unixNano, utf8Length } from '../../src/telemetry/otlp.js';

describe('telemetry/otlp', () => {
  it('writes times as fixed64 nanosecond strings without float error', () => {
    expect(unixNano(1_700_000_000_123)).to.equal('1700000000123000000');
    expect(unixNano(1_700_000_000_123.456)).to.equal('1700000000123456000');
    expect(unixNano(0)).to.equal('0');
  });

  it('types attribute values explicitly (int64 as strings, non-finite doubles as strings)', () => {
    expect(int('n', 3.6)).to.deep.equal({ key: 'n', value: { intValue: '4' } });
    expect(int('n', 2 ** 60)).to.deep.equal({ key: 'n', value: { intValue: '1152921504606846976' } });
    expect(dbl('d', 3)).to.deep.equal({ key: 'd', value: { doubleValue: 3 } });
    expect(JSON.stringify(dbl('d', NaN))).to.equal('{"key":"d","value":{"doubleValue":"NaN"}}');
    expect(anyValue(new Float32Array([0.5, 1]))).to.deep.equal({ arrayValue: { values: [{ doubleValue: 0.5 }, { doubleValue: 1 }] } });
    expect(anyValue({ a: null, b: [true] })).to.deep.equal({
      kvlistValue: {
        values: [
          { key: 'a', value: {} },
          { key: 'b', value: { arrayValue: { values: [{ boolValue: true }] } } },
        ],
      },
    });
  });

  it('counts UTF-8 bytes exactly', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(utf8Length(s)).to.equal(new TextEncoder().encode(s).length);
      }),
    );
    expect(utf8Length('🐧é')).to.equal(6);
  });

  it('wraps records into one ExportLogsServiceRequest carrying the batch id', () => {
    const rec = encodeRecord({ event: 'e', severity: 9, timeMs: 1, traceId: randomHex(16), spanId: randomHex(8), attributes: [str('k', 'v"\\')] });
    const body = JSON.parse(batchBody(encodeResource([str('service.name', 's')]), 'abc', [rec, rec]));
    const scope = body.resourceLogs[0].scopeLogs[0];
    expect(scope.scope.attributes).to.deep.equal([{ key: 'ferryml.batch.id', value: { stringValue: 'abc' } }]);
    expect(scope.logRecords).to.have.length(2);
    expect(scope.logRecords[0].eventName).to.equal('e');
    expect(scope.logRecords[0].attributes[1]).to.deep.equal({ key: 'k', value: { stringValue: 'v"\\' } });
    expect(randomHex(8)).to.match(/^[0-9a-f]{16}$/);
  });
});
