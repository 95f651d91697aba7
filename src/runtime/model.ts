/**
 * A loaded model on the page: validate + transform (the schema, plain TypeScript) → scheduler
 * (micro-batches) → engine (tfjs here or in a worker) → decode. Validation failures settle only
 * their own call; the rest of the batch runs.
 */
import { FerryError, ValidationError, isFerryError } from '../errors.js';
import type { Issue } from '../errors.js';
import type { Manifest, OutputSpec } from '../model/manifest.js';
import type { CompiledSchema } from '../schema/compile.js';
import type { Schema } from '../schema/types.js';
import type { Telemetry } from '../telemetry/types.js';
import { createDecoder } from './decode.js';
import type { Prediction } from './decode.js';
import { compileColumns } from './columns.js';
import type { ColumnTransform } from './columns.js';
import type { BatchPredictions, ColumnPredictions, Model, ModelInfo, ModelStats, PredictOptions } from './model-types.js';
import { createScheduler } from './scheduler.js';
import type { Request } from './scheduler.js';
import type { Engine, EngineReport } from './types.js';
import type { BundlePhases } from '../model/bundle-phases.js';

/** What {@link createModel} composes. */
export interface ModelParts<Input> {
  schema: CompiledSchema<Input>;
  /** The bundle's schema.json and manifest, exposed read-only as `model.schema` / `model.manifest`. */
  bundle: { schema: Schema; manifest: Manifest };
  engine: Engine;
  output: OutputSpec;
  /** The facts that do not change with the backend. */
  base: Pick<ModelInfo, 'name' | 'version' | 'bundleId' | 'source' | 'resolvedBy' | 'fallback' | 'worker' | 'features' | 'output' | 'bytes' | 'cache'> & {
    bundleMs: number;
    importMs: number;
    totalMs: number;
    /** When each step of the bundle phase finished (../model/bundle-phases.ts). */
    phases?: BundlePhases;
  };
  telemetry: Telemetry | undefined;
  maxBatch: number;
  maxDelayMs: number;
  timeoutMs: number;
  topK: number;
  /** The engine takes ownership of input buffers (a worker): allocate one per batch instead of reusing. */
  transfers: boolean;
}

/** A queued call: one `predict` row, or one chunk of a `predictBatch` or `predictColumns` starting at `offset`. */
interface Call extends Request {
  single: boolean;
  offset: number;
  /** A `predictColumns` chunk: its columns (schema order) and the typed result it fills. */
  columns?: { data: ArrayLike<unknown>[]; result: ColumnPredictions };
}

/** The chunks of one bulk call: counted once when it fails, and stopped together. */
interface Group {
  counted?: boolean;
  calls: Call[];
}

const dropRow = ({ row: _row, ...issue }: Issue): Issue => issue;

/** A deep copy frozen all the way down: the app can read it but cannot change what the model runs on. */
function frozenCopy<T>(value: T): T {
  const freeze = (v: unknown): unknown => {
    if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
      Object.freeze(v);
      for (const child of Object.values(v)) freeze(child);
    }
    return v;
  };
  return freeze(structuredClone(value)) as T;
}

/** Builds the {@link Model} over a ready engine. */
export function createModel<Input>(parts: ModelParts<Input>): Model<Input> {
  const { schema, engine, telemetry, maxBatch, transfers } = parts;
  const width = schema.width;
  const decode = createDecoder(parts.output, engine.report.outputWidth, parts.topK, engine.detectionDecoder, schema.schema);
  const counts: ModelStats = { predictions: 0, batches: 0, invalid: 0, aborted: 0, timedOut: 0, failed: 0 };
  let buffer = new Float32Array(0);
  const batchRows: unknown[] = [];
  let disposed = false;
  let disposing: Promise<void> | undefined;
  // Compiled on the first predictColumns call: models used row by row never pay for it.
  let columnar: ColumnTransform | undefined;

  /** The batch's transform: one pass over every row object, or segment by segment when a columnar chunk is in the batch. */
  function transform(requests: Request[], rows: number, input: Float32Array): { issues: Issue[]; rejected: Uint8Array } {
    if (!(requests as Call[]).some((r) => r.columns)) {
      batchRows.length = 0;
      for (const r of requests) for (const row of r.rows) batchRows.push(row);
      return schema.transformInto(batchRows as ArrayLike<Input>, input, telemetry?.observe);
    }
    const rejected = new Uint8Array(rows);
    const issues: Issue[] = [];
    let row = 0;
    for (const r of requests as Call[]) {
      const part = r.columns
        ? columnar!.run(r.columns.data, r.offset, r.rows.length, input, row * width, telemetry?.observe)
        : schema.transformInto(r.rows as ArrayLike<Input>, input, telemetry?.observe, row * width);
      rejected.set(part.rejected, row);
      for (const issue of part.issues) issues.push({ ...issue, row: row + (issue.row ?? 0) });
      row += r.rows.length;
    }
    return { issues, rejected };
  }

  // Telemetry's whole share of a batch: `start()`, the calls below and no allocation (the sampled
  // output is decoded through one closure made here, from the batch last reported). Telemetry
  // reads the clock itself, and only for the batches whose latency it times (README "Latency sampling").
  let lastOutput: Float32Array | undefined;
  let lastRows = 0;
  const decodeLast = () => decode(lastOutput!, lastRows - 1);
  /** A batch's report, right before its calls settle: a function of its own, so `finish` stays small. */
  function report(t: Telemetry, output: Float32Array, rows: number, started: number): void {
    const r = engine.report;
    t.outputs(output, rows, r.outputWidth);
    // rawOutputs: the batch's last prediction, decoded only when this call is sampled.
    lastOutput = output;
    lastRows = rows;
    // A tree kernel's large calls may run on tfjs (`largeBackend`): counted where they ran.
    t.finished(started, rows, r.largeBackend !== undefined && !(rows < (r.largeBatch ?? 0)) ? r.largeBackend : r.backend, decodeLast);
    lastOutput = undefined;
  }

  function runBatch(requests: Request[], rows: number): void | Promise<void> {
    // Telemetry's token for this batch: a clock reading when it times the batch, NaN when not.
    const started = telemetry ? telemetry.start() : NaN;
    // A bulk chunk may exceed maxBatch (chunkRows): the buffer grows to it.
    if (!transfers && buffer.length < rows * width) buffer = new Float32Array(Math.max(rows, Math.min(maxBatch, 2 * (buffer.length / width || 8))) * width);
    const input = transfers ? new Float32Array(rows * width) : buffer;
    const { issues, rejected } = transform(requests, rows, input);
    let accepted = rows;
    let byRow: Map<number, Issue[]> | undefined;
    if (issues.length > 0) {
      telemetry?.issues(issues);
      byRow = new Map();
      for (const issue of issues) {
        const list = byRow.get(issue.row ?? 0);
        if (list) list.push(issue);
        else byRow.set(issue.row ?? 0, [issue]);
      }
      // Rejected rows are zero-filled by the transform: close the gaps so the model runs only valid rows.
      accepted = 0;
      for (let i = 0; i < rows; i++) {
        if (rejected[i]) continue;
        if (accepted !== i) input.copyWithin(accepted * width, i * width, (i + 1) * width);
        accepted++;
      }
      counts.invalid += rows - accepted;
    }

    const settle = (output: Float32Array | undefined) => {
      let row = 0;
      let k = 0;
      for (const request of requests as Call[]) {
        const n = request.rows.length;
        if (request.columns) {
          const { result } = request.columns;
          const w = result.outputWidth;
          // Copied value by value: no view is made per row.
          for (let i = 0; i < n; i++) {
            if (rejected[row + i]) continue;
            if (!request.done) {
              result.valid[request.offset + i] = 1;
              for (let j = 0, to = (request.offset + i) * w, from = k * w; j < w; j++) result.outputs[to + j] = output![from + j]!;
            }
            k++;
          }
          if (byRow) for (let i = 0; i < n; i++) for (const issue of byRow.get(row + i) ?? []) result.issues.push({ ...issue, row: request.offset + i });
          request.resolve(undefined);
        } else if (request.single) {
          if (rejected[row]) request.reject(new ValidationError((byRow?.get(row) ?? []).map(dropRow)));
          else if (request.done) k++;
          else request.resolve(decode(output!, k++));
        } else {
          const predictions: Array<Prediction | null> = new Array<Prediction | null>(n);
          const own: Issue[] = [];
          for (let i = 0; i < n; i++) predictions[i] = rejected[row + i] ? null : request.done ? (k++, null) : decode(output!, k++);
          // Issues re-indexed to the caller's rows; nothing to walk (or allocate) when the batch had none.
          if (byRow) for (let i = 0; i < n; i++) for (const issue of byRow.get(row + i) ?? []) own.push({ ...issue, row: request.offset + i });
          request.resolve({ predictions, issues: own } satisfies BatchPredictions);
        }
        row += n;
      }
    };

    // In this task, as the transform: a detection decoder reads each row's source size (./source-box.ts).
    decode.see?.(requests, rejected);
    if (accepted === 0) return settle(undefined);
    counts.batches++;
    const finish = (output: Float32Array) => {
      counts.predictions += accepted;
      if (telemetry) report(telemetry, output, accepted, started);
      settle(output);
    };
    const output = engine.run(input, accepted);
    if (output instanceof Float32Array) return finish(output);
    // An engine freed under a running batch (dispose) fails it its own way: the calls get DISPOSED.
    return output.then(finish, (error: unknown) => {
      throw disposed ? disposedError() : error;
    });
  }

  const scheduler = createScheduler({ maxBatch, maxDelayMs: parts.maxDelayMs, runBatch });

  /**
   * Rows per chunk of a bulk call of `rows` rows: `maxBatch`, or, when the call reaches the engine's
   * `largeBatch` (tree ensembles), even chunks of at least that many, so the engine's policy for
   * large calls applies without the app raising `maxBatch` (single `predict` calls still batch by `maxBatch`).
   */
  const chunkRows = (rows: number): number => {
    const large = engine.report.largeBatch;
    if (large === undefined || rows < large || maxBatch >= large) return maxBatch;
    return Math.ceil(rows / Math.floor(rows / large));
  };

  /**
   * Counts a rejected call by its code, once per public call (`group`: the chunks of a bulk call
   * share one), and reports it to telemetry (which never sees the values).
   */
  const tally = (group: Group | undefined, error: unknown) => {
    const code = isFerryError(error) ? error.code : undefined;
    if (group?.counted || code === 'VALIDATION_FAILED') return;
    if (group) group.counted = true;
    if (code === 'ABORTED') counts.aborted++;
    else if (code === 'TIMEOUT') counts.timedOut++;
    else if (code !== 'DISPOSED') counts.failed++;
    if (code) telemetry?.failed(code);
  };

  const enqueue = (
    rows: readonly unknown[],
    single: boolean,
    offset: number,
    options: PredictOptions | undefined,
    // Absent for a single predict() (one chunk): nothing allocated on the per-call path.
    group?: Group,
    columns?: Call['columns'],
  ) =>
    new Promise<unknown>((resolve, reject) => {
      // Disposed while image sources were being read in the worker.
      if (disposed) return reject(disposedError());
      const call: Call = {
        rows,
        single,
        offset,
        ...(columns ? { columns } : {}),
        done: false,
        resolve,
        reject: (error: unknown) => {
          tally(group, error);
          // The bulk call has failed as a whole: its other chunks are not run (a queued one is
          // skipped, a running one's share ignored) and their timers and abort listeners freed.
          if (group) {
            for (const other of group.calls) {
              if (other === call || other.done) continue;
              other.done = true;
              other.cleanup?.();
            }
          }
          reject(error);
        },
      };
      group?.calls.push(call);
      scheduler.enqueue(call, { signal: options?.signal, timeoutMs: options?.timeoutMs ?? parts.timeoutMs });
    });

  const disposedError = () => new FerryError('DISPOSED', 'This model was disposed; load it again to predict');
  // Worker mode: ImageBitmaps and VideoFrames go to the worker to be read (transferred, not copied).
  const withPixels = engine.withPixels?.(parts.bundle.schema);

  let lastReport: EngineReport | undefined;
  let info: ModelInfo;
  const { bundleMs, importMs, totalMs, phases, ...base } = parts.base;
  const bundleSchema = frozenCopy(parts.bundle.schema);
  const manifest = frozenCopy(parts.bundle.manifest);

  return {
    // Getters without setters: assigning `model.schema` throws in strict code instead of silently diverging.
    get schema() {
      return bundleSchema;
    },
    get manifest() {
      return manifest;
    },
    get info() {
      const r = engine.report;
      if (r !== lastReport) {
        lastReport = r;
        // Everything the engine reports but its internals (device fingerprint, remembered choice, output width, bulk chunking).
        const { device: _device, remember: _remember, outputWidth: _outputWidth, largeBatch: _largeBatch, timings, ...facts } = r;
        info = { ...base, ...facts, rejected: [...facts.rejected], timings: { ...timings, bundleMs, importMs, totalMs, ...phases } };
      }
      return info;
    },
    predict(row, options) {
      if (disposed) return Promise.reject(disposedError());
      const read = withPixels?.([row]);
      if (read) return read.then(([r]) => enqueue([r], true, 0, options) as Promise<Prediction>);
      return enqueue([row], true, 0, options) as Promise<Prediction>;
    },
    async predictBatch(input, options) {
      if (disposed) throw disposedError();
      // Awaited only when there are sources to read: otherwise the call is queued in this turn, as before.
      const read = withPixels?.(input);
      const rows = read ? ((await read) as readonly Input[]) : input;
      const chunks: Array<Promise<unknown>> = [];
      const size = chunkRows(rows.length);
      const group: Group = { calls: [] };
      for (let start = 0; start < rows.length; start += size) chunks.push(enqueue(rows.slice(start, start + size), false, start, options, group));
      const parts = (await Promise.all(chunks)) as BatchPredictions[];
      return parts.length === 1 ? parts[0]! : { predictions: parts.flatMap((p) => p.predictions), issues: parts.flatMap((p) => p.issues) };
    },
    async predictColumns(input, options) {
      if (disposed) throw disposedError();
      columnar ??= compileColumns(parts.bundle.schema);
      const { rows, columns } = columnar.check(input);
      const outputWidth = engine.report.outputWidth;
      const result: ColumnPredictions = {
        rows,
        outputWidth,
        outputs: new Float32Array(rows * outputWidth).fill(NaN),
        valid: new Uint8Array(rows),
        issues: [],
      };
      const chunks: Array<Promise<unknown>> = [];
      const size = chunkRows(rows);
      const group: Group = { calls: [] };
      for (let start = 0; start < rows; start += size) {
        const n = Math.min(size, rows - start);
        // The scheduler reads only `rows.length`; a columnar chunk's values stay in its columns.
        const rowsOf = { length: n } as unknown as readonly unknown[];
        chunks.push(enqueue(rowsOf, false, start, options, group, { data: columns, result }));
      }
      await Promise.all(chunks);
      // Chunks settle in order, but a batch may mix them with row calls: issues in row order.
      if (chunks.length > 1 && result.issues.length > 1) result.issues.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
      return result;
    },
    stats() {
      return { ...counts };
    },
    async memory() {
      return (await engine.memory?.()) ?? { realm: 'page', tfjs: false, tensors: 0, bytes: 0, dataBuffers: 0, gpuBytes: 0 };
    },
    // Only flush and stats: the recorder stays with the runtime.
    telemetry: telemetry && { flush: () => telemetry.flush(), stats: () => telemetry.stats() },
    // One disposal: a second call waits for the same one.
    dispose() {
      return (disposing ??= (async () => {
        disposed = true;
        scheduler.clear(disposedError());
        await engine.dispose();
        await telemetry?.dispose();
      })());
    },
  };
}
