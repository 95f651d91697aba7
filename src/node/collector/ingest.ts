/**
 * `POST /v1/logs`: OTLP/HTTP JSON in, `ExportLogsServiceResponse` out. Status codes follow the
 * OTLP/HTTP spec so that any exporter's retry policy works: 200 (with `partialSuccess` when some
 * records were rejected), 400 malformed, 401 ingest key, 413 too large, 415 media type,
 * 429 + Retry-After when the ingest queue is full, 503 + Retry-After when the write failed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { HttpError, readBody, sendJson } from './http.js';
import { MalformedRequest, parseExportRequest } from './otlp-parse.js';
import type { NormalizedCollectorOptions } from './options.js';
import type { createIngestQueue } from './queue.js';

/** Counters the collector reports on `/api/health`. */
export interface IngestStats {
  requests: number;
  accepted: number;
  rejected: number;
  duplicateBatches: number;
  throttled: number;
}

/** Constant-time string comparison (for the ingest key and the admin token). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The handler; CORS is handled by the server before it runs. */
export function createIngest(o: NormalizedCollectorOptions, queue: ReturnType<typeof createIngestQueue>, stats: IngestStats) {
  return async (req: IncomingMessage, res: ServerResponse, cors: Record<string, string>): Promise<void> => {
    stats.requests++;
    try {
      if (o.ingestKeys.length) {
        const key = req.headers['x-ferryml-ingest-key'];
        // Compare with every key (no early exit), so timing does not tell which prefix matched.
        const ok = typeof key === 'string' && o.ingestKeys.map((k) => safeEqual(key, k)).includes(true);
        if (!ok) throw new HttpError(401, 'missing or wrong X-Ferryml-Ingest-Key header (the collector was started with --ingest-key)');
      }
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json') {
        throw new HttpError(
          415,
          type === 'application/x-protobuf'
            ? 'this collector reads OTLP/HTTP JSON only; send Content-Type: application/json (or put an OpenTelemetry Collector in front)'
            : `Content-Type must be application/json (OTLP/HTTP JSON); got "${type || 'none'}"`,
        );
      }
      const body = await readBody(req, o.maxBodyBytes);
      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch (e) {
        throw new HttpError(400, `body is not valid JSON: ${(e as Error).message}`);
      }
      const parsed = parseExportRequest(json);
      stats.rejected += parsed.rejected;
      if (parsed.accepted === 0 && parsed.rejected > 0) {
        throw new HttpError(400, `no valid log records (${parsed.rejected} rejected): ${parsed.errors.join('; ')}`);
      }
      let duplicates = 0;
      if (parsed.accepted > 0) {
        const done = queue.enqueue(parsed.groups, parsed.accepted);
        if (!done) {
          stats.throttled++;
          throw new HttpError(429, `ingest queue is full (${o.queueRecords} records); retry after ${o.retryAfterS} s`, { 'Retry-After': String(o.retryAfterS) });
        }
        try {
          duplicates = await done;
        } catch (e) {
          throw new HttpError(503, `could not store the batch: ${(e as Error).message}`, { 'Retry-After': String(o.retryAfterS) });
        }
      }
      stats.accepted += parsed.accepted;
      stats.duplicateBatches += duplicates;
      const response = parsed.rejected > 0 ? { partialSuccess: { rejectedLogRecords: String(parsed.rejected), errorMessage: parsed.errors.join('; ') } } : {};
      sendJson(res, 200, response, cors);
    } catch (e) {
      const err = e instanceof HttpError ? e : e instanceof MalformedRequest ? new HttpError(400, e.message) : new HttpError(500, `internal error: ${(e as Error).message}`);
      // google.rpc.Status shape, as OTLP/HTTP asks for error bodies.
      sendJson(res, err.status, { code: err.status, message: err.message }, { ...cors, ...err.headers, ...(err.status === 413 ? { Connection: 'close' } : {}) });
    }
  };
}
