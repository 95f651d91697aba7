// Child process of test/node/telemetry-delivery.test.ts: telemetry against a collector that answers
// 503 (argv[2]), one load record, no flush and no dispose. Telemetry's timers are unref'd, so the
// process must exit at once instead of waiting out the retries.
import { createTelemetry } from '../../../src/telemetry/telemetry.js';

const schema = {
  formatVersion: 1 as const,
  columns: [{ name: 'x', type: 'number' as const, steps: [{ kind: 'passthrough' as const }] }],
  features: ['x'],
  width: 1,
};
const t = createTelemetry({ endpoint: process.argv[2]!, maxBatchRecords: 1 }, { model: 'exit', version: '1', schemaHash: 'h', schema });
t.modelLoaded({ version: '1', source: 'network', bytes: 1, ms: 1, backend: 'cpu' });
