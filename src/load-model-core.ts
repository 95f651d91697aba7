/**
 * What `loadModel` does, for every entry: the one place that wires the subsystems together —
 * bundle (open, verify, cache) → schema (compile) → runtime (engine in page or worker,
 * scheduler) → telemetry (only when asked for). What differs by entry is its `RuntimeCode`:
 * `ferryml` (./load-model.ts) may fall back to tfjs and run a worker; `ferryml/lite`
 * (./entries/lite.ts) has no path to tfjs at all; `ferryml/edge` (./entries/edge.ts) reaches tfjs
 * and telemetry only through what the app hands in. The cold path (issue 15): the registry request
 * and one dynamic `import()` of ./plain-path.ts (bundle, engine choice, plain-JS engine, model)
 * start together, so the registry is not fetched after the code that reads it arrived; the
 * IndexedDB open (and a pinned version's cached read) starts with them, and on a fresh profile a
 * pinned version's manifest too.
 */
import { FerryError } from './errors.js';
import type { Manifest } from './model/manifest.js';
import { bundleFromFiles } from './model/bundle-from-files.js';
import type { OpenBundleOptions } from './model/open-bundle-options.js';
import type { OpenedBundle } from './model/opened-bundle.js';
import type { AppColumns } from './schema/compatible.js';
import type { CompiledSchema } from './schema/compiled.js';
import type { Telemetry, TelemetryContext, TelemetryOptions } from './telemetry/types.js';
import type { Model } from './runtime/model-types.js';
import { normalizeRuntimeOptions } from './runtime/options.js';
import type { NormalizedRuntimeOptions, RuntimeOptions } from './runtime/options.js';
import type { Engine, EngineInit, EngineReport, GoldenInput, ReportListener } from './runtime/types.js';
import type { createWorkerEngine } from './runtime/worker-host.js';
import type { TfjsCode } from './runtime/choose-engine.js';
import type { EarlyFetch, fetchRegistryEarly } from './model/early-fetch.js';
import { isSafeBundlePath } from './model/safe-path.js';
import type { Ahead, sendAheadEarly } from './model/prefetch-files.js';
import type { EarlyRead } from './cache/early-idb.js';
import type { openCacheEarly } from './cache/early-read.js';
import { phaseClock, type PhaseClock } from './model/bundle-phases.js';

/** Options of {@link loadModel}: where the bundle is, how to run it, and telemetry. */
export interface LoadModelOptions extends OpenBundleOptions, RuntimeOptions {
  /**
   * The bundle's files already in hand instead of a URL (Node, edge runtimes, tests): a map from
   * manifest path to bytes (`manifest.json` included), or a reader such as
   * `(path) => readFile(join(dir, path))`. Verified exactly like a download; nothing is cached.
   */
  files?: ReadonlyMap<string, Uint8Array> | ((path: string) => Promise<Uint8Array>);
  /**
   * The schema the app was written against (e.g. from `defineSchema`): types `predict()`'s input
   * and is checked at load to be compatible with the bundle's schema — new optional columns are
   * fine; a changed type or a newly required column is `SCHEMA_INVALID` naming it.
   */
  schema?: AppSchema;
  /** Send load, latency, error and drift telemetry to an OTLP/HTTP collector. @default off (and not downloaded) */
  telemetry?: TelemetryOptions;
}

/** Throws `ABORTED` (not the signal's DOMException) once `signal` has fired. */
function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new FerryError('ABORTED', 'loadModel() was aborted', { cause: signal.reason });
}

/**
 * What `schema` needs to be: a schema (or `defineSchema` result) whose columns have names and
 * types; `required` and `steps`, when present, tell which columns the app may leave out.
 */
export type AppSchema = AppColumns;

/** `read(path)`; its failure a FerryError naming the file, as a `files` map without it would be (the reader's error is the cause). */
const readOne = (read: (path: string) => Promise<Uint8Array>, path: string) =>
  Promise.resolve(path)
    .then(read)
    .catch((cause: unknown) => {
      throw new FerryError(
        path === 'manifest.json' ? 'MANIFEST_INVALID' : 'INTEGRITY_MISMATCH',
        `${path}: the files reader failed (${String(cause)}); it must return manifest.json and each file it lists`,
        { cause, details: { path, missing: true } },
      );
    });

/** Reads `manifest.json` and every file it lists through `read`; never reads outside the bundle. */
async function readFiles(read: (path: string) => Promise<Uint8Array>): Promise<Map<string, Uint8Array>> {
  const manifestBytes = await readOne(read, 'manifest.json');
  const files = new Map([['manifest.json', manifestBytes]]);
  let listed: Array<{ path?: unknown }> = [];
  try {
    listed = (JSON.parse(new TextDecoder().decode(manifestBytes)) as Partial<Manifest>).files ?? [];
  } catch {
    // bundleFromFiles reports the broken manifest with its own error.
  }
  await Promise.all(listed.map(async ({ path }) => typeof path === 'string' && isSafeBundlePath(path) && files.set(path, await readOne(read, path))));
  return files;
}

/** The app's schema must be compatible with the bundle's: `conflicts` from ./schema/compatible.ts; only a real conflict fails the load. */
function checkAppSchema(conflicts: string[], manifest: Manifest): void {
  if (conflicts.length > 0) {
    throw new FerryError(
      'SCHEMA_INVALID',
      `The \`schema\` passed to loadModel conflicts with ${manifest.name}@${manifest.version}: ${conflicts.join('; ')}. Update the app's schema to this model version (README "Schema evolution")`,
      { details: { conflicts } },
    );
  }
}

/** The golden rows transformed by the bundle's own schema; a row its own schema rejects is a broken bundle. */
function goldenInput(bundle: OpenedBundle, schema: CompiledSchema): GoldenInput | undefined {
  const golden = bundle.golden;
  if (!golden || golden.rows.length === 0) return undefined;
  const { values, issues, rejected } = schema.safeParseBatch(golden.rows);
  const bad = rejected.indexOf(1);
  if (bad >= 0) {
    const first = issues.find((i) => i.row === bad && i.severity === 'error');
    throw new FerryError(
      'MANIFEST_INVALID',
      `Golden row ${bad} of ${bundle.manifest.name}@${bundle.manifest.version} fails the bundle's own schema: ${first?.message ?? 'rejected'}; re-pack the bundle`,
      {
        details: { row: bad, issues },
      },
    );
  }
  return { input: values, rows: golden.rows.length, expected: Float32Array.from(golden.outputs.flat()), tolerance: bundle.manifest.goldenTolerance ?? 1e-4 };
}

/** The plain-JS path in one lazy chunk (./plain-path.ts). */
type PlainPath = typeof import('./plain-path.js');

/**
 * `openBundle` with the cache write deferred: the model answers first and the version is
 * persisted after (the outcome lands in `bundle.stored`); the registry request started early is taken over.
 */
async function openDeferred(
  options: OpenBundleOptions,
  path: Promise<PlainPath>,
  early: EarlyFetch | undefined,
  ahead: Ahead | undefined,
  cached: Promise<EarlyRead | undefined> | undefined,
  phases: PhaseClock,
  storeAfter: Promise<void>,
): Promise<OpenedBundle> {
  const { loadBundle } = await path;
  return loadBundle(options, { deferStore: true, early, ahead, cached, phases, storeAfter });
}

/** `model.info.fallback`: the code and words of why a cached version stands in (the error object stays out of info). */
function fallbackInfo(f: NonNullable<OpenedBundle['fallback']>): NonNullable<Model['info']['fallback']> {
  return { code: f.error.code, message: f.error.message, ...(f.wanted === undefined ? {} : { wanted: f.wanted }) };
}

/**
 * Where an entry's code beyond the plain-JS path comes from — the one seam that keeps tfjs (and,
 * for `ferryml/edge`, the telemetry runtime) out of an entry: each a dynamic `import()` or what the
 * app handed in, never a static import.
 */
export interface RuntimeCode {
  /** The tfjs engine and the background measurement (./runtime/import-engine.ts); absent: a model that needs tfjs is `NEEDS_TFJS`. */
  tfjs?: TfjsCode | undefined;
  /** Starts the engine in a Web Worker; an entry without worker mode rejects with its own coded error. */
  worker: () => Promise<{ createWorkerEngine: typeof createWorkerEngine }>;
  /** The telemetry runtime, loaded only when `telemetry` is given. */
  telemetry: () => Promise<{ createTelemetry: (options: TelemetryOptions, context: TelemetryContext) => Telemetry }>;
  /** Where tfjs-backend-wasm's binaries are by default (./runtime/wasm-files.ts); absent without tfjs. */
  wasmPaths?: () => Record<string, string>;
  /** The IndexedDB open and pinned version's read started with the registry (./cache/early-read.ts); absent where there is no IndexedDB (edge). */
  cacheEarly?: typeof openCacheEarly;
  /** On a fresh browser profile, a pinned version's manifest and files requested with the registry (./model/prefetch-files.ts); not in ferryml/edge (no IndexedDB). */
  sendAhead?: typeof sendAheadEarly;
  /**
   * The registry request sent before the plain-JS path's chunk has arrived (./model/early-fetch.ts);
   * not in ferryml/edge, whose one file has no chunk to wait for: its load fetches the registry when it gets to it.
   */
  fetchRegistryEarly?: typeof fetchRegistryEarly;
}

/**
 * Starts the runtime at once, in parallel with the bundle download: the page side (model,
 * scheduler, decode) and the engine — the plain-JS path's chunk on the page, or the worker
 * itself (its script loads and evaluates meanwhile) — which waits for `init`.
 */
function startRuntime(
  o: NormalizedRuntimeOptions,
  init: Promise<EngineInit>,
  onChange: ReportListener,
  signal: AbortSignal | undefined,
  code: RuntimeCode,
  path: Promise<PlainPath>,
) {
  let codeAt = 0;
  const { worker } = o;
  const engine: Promise<Engine> = worker
    ? code.worker().then(({ createWorkerEngine }) => createWorkerEngine(worker, init, onChange, signal))
    : path.then(async ({ startEngineWith }) => {
        codeAt = performance.now();
        return startEngineWith(await init, onChange, code.tfjs);
      });
  // Unhandled until awaited below; a failed import surfaces there.
  engine.catch(() => undefined);
  return { engine, codeAt: () => codeAt };
}

/** `loadModel` of an entry (./load-model.ts, ./entries/lite.ts, ./entries/edge.ts) with that entry's runtime code. */
export async function loadModelWith(options: LoadModelOptions, code: RuntimeCode): Promise<Model> {
  const started = performance.now();
  const o = normalizeRuntimeOptions(options, code.wasmPaths);
  let telemetry: Telemetry | undefined;
  let model: Model | undefined;
  let manifest: Manifest | undefined;
  // The plain-JS path's module once it is in: what runs only after the bundle is open comes from it.
  let plain: PlainPath | undefined;
  let bundle: OpenedBundle | undefined;
  let lost = 0;
  const onChange = (report: EngineReport, quiet?: boolean) => {
    // Facts only (model.info reads the engine's report as it is): not a change to announce or record.
    if (quiet) return;
    // A change is a lost device when it adds a DEVICE_LOST entry (a background measurement adds none).
    const lostNow = report.rejected.filter((r) => r.code === 'DEVICE_LOST').length;
    if (lostNow > lost) telemetry?.failed('DEVICE_LOST');
    lost = lostNow;
    // A background measurement (plain-engine.ts) is remembered like one made during load.
    if (report.remember && o.remember && manifest && plain) plain.storeRemembered(manifest, report.remember);
    if (bundle)
      telemetry?.modelLoaded({
        version: bundle.manifest.version,
        source: bundle.source,
        bytes: bundle.bytes,
        ms: 0,
        backend: report.backend,
        engine: report.engine,
        rejected: report.rejected,
      });
    if (model) o.onBackendChange?.(model.info);
  };
  let ready!: (init: EngineInit) => void;
  let failed!: (error: unknown) => void;
  const init = new Promise<EngineInit>((resolve, reject) => ((ready = resolve), (failed = reject)));
  // The engine awaits it only once its code is in: a load failing before that (a `files` map
  // without manifest.json) rejects it first, and the caller gets that error from loadModel.
  init.catch(() => undefined);
  // The registry request and the plain-JS path's code start together (see the module doc).
  const early = options.files ? undefined : code.fetchRegistryEarly?.(options);
  const phases = phaseClock();
  // A fresh profile's first write (the database created, the version stored) waits for the answer:
  // settled a task after loadModel resolves, so the caller's first predict() goes first (./model/load-bundle.ts).
  let answered!: () => void;
  const storeAfter = new Promise<void>((resolve) => (answered = resolve));
  // On a fresh profile, a pinned version's manifest goes with it, and its files once it is in (./model/prefetch-files.ts).
  const ahead = code.sendAhead?.(early, options, phases.mark);
  // So does the IndexedDB open, and a pinned version's read and hashing (./cache/early-read.ts) —
  // except where the core sent the version's requests ahead (a fresh profile, no publicKey): there
  // the cache cannot hold it, and the database is created once the download is verified
  // (./model/load-bundle.ts), not while the requests are on the wire.
  const cached = ahead && !options.publicKey ? undefined : code.cacheEarly?.(options);
  const path = import('./plain-path.js');
  path.catch(() => undefined);
  const runtime = startRuntime(o, init, onChange, options.signal, code, path);
  // Telemetry's code downloads with the bundle, not after the engine.
  const telemetryCode = options.telemetry ? code.telemetry() : undefined;
  telemetryCode?.catch(() => undefined);
  let initAt: number;
  let bundleMs: number;
  let schema: CompiledSchema;
  try {
    bundle = options.files
      ? await bundleFromFiles(
          typeof options.files === 'function' ? await readFiles(options.files) : options.files,
          options.publicKey ? { publicKey: options.publicKey } : {},
        )
      : await openDeferred(options, path, early, ahead, cached, phases, storeAfter);
    bundleMs = performance.now() - started;
    // The schema compiler, the schema compatibility rule, the engine's view of the manifest and the
    // remembered backend choice come with the plain-JS path's chunk: none of it is needed before the
    // registry request (issue 15).
    plain = await path;
    manifest = bundle.manifest;
    schema = plain.compileSchema(bundle.schema);
    if (options.schema) checkAppSchema(plain.schemaConflicts(options.schema, bundle.schema), manifest);
    const golden = o.golden ? goldenInput(bundle, schema) : undefined;
    checkAborted(options.signal);
    const engineInit: EngineInit = {
      artifacts: await bundle.ioHandler.load!(),
      format: manifest.model.format,
      width: schema.width,
      schema: bundle.schema,
      backends: o.backends,
      select: o.select,
      wasmThreads: o.wasmThreads,
      lean: o.lean,
      engine: o.engine,
      ...(o.wasmPaths ? { wasmPaths: o.wasmPaths } : {}),
      ...(o.wasmModule ? { wasmModule: o.wasmModule } : {}),
      ...(golden ? { golden } : {}),
      ...plain.engineIo(manifest),
    };
    const remembered = o.remember ? plain.readRemembered(manifest) : undefined;
    if (remembered) engineInit.remembered = remembered;
    initAt = performance.now();
    ready(engineInit);
  } catch (error) {
    // A verified download is still stored when what follows it fails, as before the write waited.
    answered();
    failed(error);
    throw error;
  } finally {
    // Not taken over when the options were refused before the registry was read (or a cached bundle needed none).
    if (early && !early.taken) early.abort();
    if (ahead) {
      ahead.stopped = true;
      for (const e of ahead.list) if (!e.taken) e.abort();
    }
  }
  const engine = await runtime.engine.catch((error: unknown) => {
    answered();
    throw error;
  });
  try {
    checkAborted(options.signal);
    const report = engine.report;
    if (report.remember && o.remember) plain.storeRemembered(manifest, report.remember);
    if (options.telemetry && telemetryCode) {
      const { createTelemetry } = await telemetryCode;
      const schemaHash = manifest.files.find((f) => f.path === manifest.schema)?.sha256 ?? bundle.id;
      telemetry = createTelemetry(options.telemetry, {
        model: manifest.name,
        version: manifest.version,
        schemaHash,
        schema: bundle.schema,
        output: manifest.output,
        outputBaseline: manifest.outputBaseline,
      });
    }
    const t = report.timings;
    // Time the engine spent waiting for its code (or its worker) rather than working.
    const importMs = o.worker
      ? Math.max(0, performance.now() - initAt - (t.backendMs + t.modelMs + t.warmupMs + t.goldenMs + t.measureMs))
      : Math.max(0, runtime.codeAt() - initAt);
    const cache = { ...bundle.cache };
    model = plain.createModel({
      schema,
      bundle: { schema: bundle.schema, manifest },
      engine,
      output: manifest.output,
      telemetry,
      maxBatch: o.maxBatch,
      maxDelayMs: o.maxDelayMs,
      timeoutMs: o.predictTimeoutMs,
      topK: o.topK,
      transfers: o.worker !== undefined,
      base: {
        name: manifest.name,
        version: manifest.version,
        bundleId: bundle.id,
        source: bundle.source,
        resolvedBy: bundle.resolvedBy,
        ...(bundle.fallback ? { fallback: fallbackInfo(bundle.fallback) } : {}),
        worker: o.worker !== undefined,
        features: schema.features,
        output: manifest.output,
        bytes: bundle.bytes,
        cache,
        bundleMs,
        importMs,
        totalMs: performance.now() - started,
        phases: phases.since(started),
      },
    });
    const { adapter } = report;
    telemetry?.modelLoaded({
      version: manifest.version,
      source: bundle.source,
      bytes: bundle.bytes,
      ms: model.info.timings.totalMs,
      backend: report.backend,
      engine: report.engine,
      rejected: report.rejected,
      timings: { ...model.info.timings },
      ...(adapter ? { adapter: { ...adapter } } : {}),
      ...(bundle.fallback ? { fallbackCode: bundle.fallback.error.code } : {}),
    });
    // Persisting after the answer: the outcome lands in `model.info.cache`, and a failed write is
    // counted in telemetry (CACHE_UNAVAILABLE, QUOTA_EXCEEDED) like a failed call.
    void bundle.stored?.then((status) => {
      delete cache.pending;
      Object.assign(cache, status);
      if (status.memoryOnly && status.code && status.code !== 'CACHE_DISABLED') telemetry?.failed(status.code);
    });
    setTimeout(answered, 0);
    return model;
  } catch (error) {
    answered();
    await engine.dispose();
    await telemetry?.dispose();
    throw error;
  }
}
