// Child process of test/node/telemetry-retry-after.test.ts: the collector (argv[2]) answers 429 +
// Retry-After: 60; a second batch is then held for it (memory queue and, with offline: false, in
// memory). No dispose: the unref'd waits must let the process exit at once.
import { createTelemetry } from '../../../src/telemetry/telemetry.js';

const schema = {
  formatVersion: 1 as const,
  columns: [{ name: 'x', type: 'number' as const, steps: [{ kind: 'passthrough' as const }] }],
  features: ['x'],
  width: 1,
};
const context = { model: 'exit', version: '1', schemaHash: 'h', schema };
const quiet = { windowMs: 600_000, flushIntervalMs: 600_000, retryMaxMs: 500 };
const queued = createTelemetry({ ...quiet, endpoint: process.argv[2]! }, context);
const memory = createTelemetry({ ...quiet, endpoint: process.argv[2]!, offline: false }, context);
queued.predicted(1, 1, 'cpu');
await queued.flush();
for (const t of [queued, memory]) {
  t.predicted(1, 1, 'cpu');
  await t.flush();
}
if (queued.stats().offlineBatches !== 2 || memory.stats().queued === 0) process.exit(1);
