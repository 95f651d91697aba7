// OTLP/HTTP JSON batches as the SDK sends them, built with the SDK's own encoders (events.ts,
// otlp.ts, summary.ts): prediction summaries with latency histograms per backend, errors,
// validation issues, drift windows (exact and sampled), loads with rejected backends, sampled
// predictions and drop reports, from several sessions and two model versions, seeded. Times are
// spread over the `spanMs` before `baseMs`, so stores that expire old rows (TTL) keep them.
import { seededRandom } from '../../../training/random.js';
import { driftRecord, dropsRecord, loadRecord, predictionRecord, summaryRecords } from '../../../src/telemetry/events.js';
import { batchBody, encodeResource, randomHex, str } from '../../../src/telemetry/otlp.js';
import { createSummaryWindow } from '../../../src/telemetry/summary.js';

/** One POST body and the batch id in it. */
export interface SdkBatch {
  batchId: string;
  body: string;
}

const BACKENDS = ['webgpu', 'wasm', 'cpu'];
const FEATURES: Array<{ feature: string; kind: 'numeric' | 'categorical'; expected: number[] }> = [
  { feature: 'Beak Length (mm)', kind: 'numeric', expected: [0.1, 0.2, 0.3, 0.25, 0.15, 0, 0] },
  { feature: 'Island', kind: 'categorical', expected: [0.5, 0.3, 0.2, 0, 0] },
];

/** Batches of `sessions` sessions, each sending `batches` batches over `spanMs` before `baseMs`. */
export function sdkBatches(o: { seed: number; baseMs: number; spanMs: number; sessions: number; batches: number; model?: string }): SdkBatch[] {
  const random = seededRandom(o.seed);
  const int = (n: number) => Math.floor(random() * n);
  const out: SdkBatch[] = [];
  for (let s = 0; s < o.sessions; s++) {
    const session = randomHex(16);
    const version = s % 3 === 2 ? '2.0.0' : '1.0.0';
    const resource = encodeResource([
      str('service.name', 'ferryml-test'),
      str('ml.model.name', o.model ?? 'penguins'),
      str('ml.model.version', version),
      str('ml.schema.hash', version === '1.0.0' ? 'sha256-aaaa' : 'sha256-bbbb'),
      str('session.id', session),
    ]);
    let seq = 0;
    const ids = { traceId: session, spanId: randomHex(8), seq: () => seq++ };
    for (let b = 0; b < o.batches; b++) {
      const timeMs = o.baseMs - o.spanMs + Math.floor(((b + random()) / o.batches) * o.spanMs);
      const records: string[] = [];
      if (b === 0) {
        const rejected = s % 2 ? [{ backend: 'webgpu', reason: 'no adapter' }] : [];
        records.push(
          loadRecord(
            {
              version,
              source: ['network', 'cache', 'offline', 'local'][int(4)] as 'network',
              bytes: 1000 + int(5000),
              ms: 5 + random() * 300,
              backend: BACKENDS[1 + int(2)] as string,
              rejected,
            },
            timeMs,
            ids,
          ),
        );
      }
      const w = createSummaryWindow();
      for (let k = 0, calls = 1 + int(40); k < calls; k++) w.predicted(1 + int(8), random() * random() * 80, BACKENDS[int(3)] as string);
      for (let k = int(3); k > 0; k--) w.failed(['INFERENCE_FAILED', 'VALIDATION_FAILED'][int(2)] as string);
      if (random() < 0.5)
        w.issues([
          { column: 'Island', code: 'UNKNOWN_CATEGORY' },
          { column: 'Beak Length (mm)', code: random() < 0.5 ? 'OUT_OF_RANGE' : 'NOT_FINITE' },
        ]);
      records.push(...summaryRecords(w.close(), 10_000, timeMs, ids));
      for (const f of FEATURES) {
        const sampled = random() < 0.3;
        const counts = f.expected.map((e) => Math.round(e * 200 * (0.5 + random())) * (sampled ? 4 : 1));
        const rows = counts.reduce((a, c) => a + c, 0);
        records.push(
          driftRecord(
            { ...f, counts, rows, observed: sampled ? rows / 4 : rows, weight: sampled ? 4 : 1, outOfRange: int(3), psi: null },
            100,
            10_000,
            timeMs,
            ids,
          ),
        );
      }
      if (random() < 0.3)
        records.push(
          predictionRecord(
            { rows: 1, latencyMs: random() * 10, backend: 'wasm', sampleRate: 0.1, inputs: { island: 'Biscoe', 'beak"; DROP TABLE logs; --': 1.5 } },
            timeMs,
            ids,
          ),
        );
      if (random() < 0.2) records.push(dropsRecord({ queue_full: 1 + int(5), rejected: int(2) }, timeMs, ids));
      const batchId = randomHex(16);
      out.push({ batchId, body: batchBody(resource, batchId, records) });
    }
  }
  return out;
}
