/**
 * `POST /v1/logs`: OTLP/HTTP JSON in, `ExportLogsServiceResponse` out. Status codes follow the
 * OTLP/HTTP spec so that any exporter's retry policy works: 200 (with `partialSuccess` when some
 * records were rejected), 400 malformed, 401 ingest key, 413 too large, 415 media type,
 * 429 + Retry-After when the ingest queue is full, 503 + Retry-After when the write failed.
 * Also 403 when a key bound to model names carries another model's records, and per-record
 * rejection (partialSuccess) of records timed outside [now − retention, now + 1 day] or with an
 * attribute, body or record over its cap (the message names it and the limit); 413 for a body
 * over the body limit, or when every record of the request is over a cap (400 when all are
 * rejected for other reasons too), so the SDK counts those as too large.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { HttpError, readBody, sendJson } from './http.js';
import { MalformedRequest, parseExportRequest } from './otlp-parse.js';
import type { NormalizedCollectorOptions } from './options.js';
import type { createIngestQueue } from './queue.js';

const DAY = 86_400_000;

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
      let allowedModels: string[] | undefined;
      if (o.ingestKeys.length) {
        const key = req.headers['x-ferryml-ingest-key'];
        // Compare with every key (no early exit), so timing does not tell which prefix matched.
        const matches = o.ingestKeys.map((k) => typeof key === 'string' && safeEqual(key, k));
        const at = matches.indexOf(true);
        if (at < 0) throw new HttpError(401, 'missing or wrong X-Ferryml-Ingest-Key header (the collector was started with --ingest-key)');
        allowedModels = o.ingestKeyModels[o.ingestKeys[at]!];
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
      const now = Date.now();
      const parsed = parseExportRequest(json, now, {
        maxAttributeBytes: o.maxAttributeBytes,
        maxRecordBytes: o.maxRecordBytes,
        minTimeMs: now - o.retentionDays * DAY,
        maxTimeMs: now + DAY,
      });
      if (allowedModels) {
        for (const g of parsed.groups) {
          for (const r of g.rows) {
            if (r.model === null || !allowedModels.includes(r.model)) {
              throw new HttpError(
                403,
                `this ingest key may report on ${allowedModels.join(', ')} only; the request carries records of ${r.model === null ? 'no model (ml.model.name missing)' : `"${r.model}"`}`,
              );
            }
          }
        }
      }
      // Rejected records are counted once answered (400 or 200 with partialSuccess), not on a 429
      // or 503, which the client retries whole: its retries would count them again.
      if (parsed.accepted === 0 && parsed.rejected > 0) {
        stats.rejected += parsed.rejected;
        // Every record over a size cap: 413, which the SDK counts as too_large rather than rejected.
        const status = parsed.tooLarge === parsed.rejected ? 413 : 400;
        throw new HttpError(status, `no valid log records (${parsed.rejected} rejected): ${parsed.errors.join('; ')}`);
      }
      let duplicates = 0;
      if (parsed.accepted > 0) {
        const done = queue.enqueue(parsed.groups, parsed.accepted);
        if (!done) {
          stats.throttled++;
          throw new HttpError(429, `ingest queue is full (${o.queueRecords} records); retry after ${o.retryAfterS} s`, {
            'Retry-After': String(o.retryAfterS),
          });
        }
        try {
          duplicates = await done;
        } catch (e) {
          throw new HttpError(503, `could not store the batch: ${(e as Error).message}`, { 'Retry-After': String(o.retryAfterS) });
        }
      }
      stats.accepted += parsed.accepted;
      stats.rejected += parsed.rejected;
      stats.duplicateBatches += duplicates;
      const response = parsed.rejected > 0 ? { partialSuccess: { rejectedLogRecords: String(parsed.rejected), errorMessage: parsed.errors.join('; ') } } : {};
      sendJson(res, 200, response, cors);
    } catch (e) {
      const err =
        e instanceof HttpError
          ? e
          : e instanceof MalformedRequest
            ? new HttpError(400, e.message)
            : new HttpError(500, `internal error: ${(e as Error).message}`);
      // google.rpc.Status shape, as OTLP/HTTP asks for error bodies.
      sendJson(
        res,
        err.status,
        { code: err.status, message: err.message },
        { ...cors, ...err.headers, ...(err.status === 413 ? { Connection: 'close' } : {}) },
      );
    }
  };
}
