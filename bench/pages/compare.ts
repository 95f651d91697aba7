// Page for the per-call and concurrent comparisons (items overhead, batching, peer_ort,
// telemetry): ferryml (one or more configurations), hand-written raw tfjs and ONNX Runtime Web
// on one page and one tfjs backend, measured in interleaved rounds. The orchestrator
// (bench/items/compare-session.ts) drives it through `window.bench`.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { LoadModelOptions, Manifest, Schema } from '../../src/index.js';
import { loadFerry } from './ferry.js';
import { loadRawTfjs } from './raw-tfjs.js';
import { loadOrt } from './ort.js';
import { interleave, sequential, settleLoop, spin, type Interleaved, type Work } from './timing.js';
import type { Pipeline } from './pipeline.js';

/** What the orchestrator asks the page to set up. */
export interface CompareSetup {
  backend: 'wasm' | 'cpu' | 'webgpu';
  /** URL path of the bundle directory (manifest.json, schema.json, golden.json, model). */
  bundle: string;
  /** URL path of the .onnx built from the same weights; omitted: no ORT variant. */
  onnx?: string;
  /** ferryml configurations by variant name (e.g. `ferry`, `ferry-telemetry`), loaded before the baselines. */
  ferry?: Record<string, LoadModelOptions>;
}

const pipelines = new Map<string, Pipeline>();
let rows: Array<Record<string, unknown>> = [];

async function json<T>(url: string): Promise<T> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return (await r.json()) as T;
}

async function setup(s: CompareSetup) {
  setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  if (!(await tf.setBackend(s.backend))) throw new Error(`tfjs backend ${s.backend} failed to initialise`);
  await tf.ready();
  const manifest = await json<Manifest>(`${s.bundle}/manifest.json`);
  const schema = await json<Schema>(`${s.bundle}/${manifest.schema}`);
  const golden = await json<{ rows: Array<Record<string, unknown>> }>(`${s.bundle}/${manifest.golden ?? 'golden.json'}`);
  if (manifest.output.kind !== 'classification') throw new Error('the comparison page expects a classification bundle');
  const labels = manifest.output.labels;
  rows = golden.rows;
  const info: Record<string, unknown> = {};
  for (const [name, options] of Object.entries(s.ferry ?? {})) {
    const f = await loadFerry(options);
    pipelines.set(name, f);
    const { backend, decision, rejected, lean, measured, timings, source } = f.model.info;
    info[name] = { backend, decision, rejected, lean, measured, timings, source };
  }
  // The SDK may have moved tfjs to another backend while probing: the baselines use the page's.
  if (tf.getBackend() !== s.backend && !(await tf.setBackend(s.backend))) throw new Error(`tfjs backend ${s.backend} failed to initialise`);
  pipelines.set('raw', await loadRawTfjs(`${s.bundle}/${manifest.model.entry}`, schema, labels));
  if (s.onnx) pipelines.set('ort', await loadOrt(s.onnx, schema, labels));
  return { backend: tf.getBackend(), rows: rows.length, variants: [...pipelines.keys()], ferry: info };
}

/**
 * Largest absolute difference between each pipeline's outputs and raw tfjs's on the golden rows:
 * the comparisons are only fair if every path computes the same thing.
 */
async function check(): Promise<Record<string, number>> {
  const ref = await pipelines.get('raw')!.outputs(rows);
  const diff: Record<string, number> = {};
  for (const [name, p] of pipelines) {
    const got = await p.outputs(rows);
    diff[name] = Math.max(...got.flatMap((r, i) => r.map((v, j) => Math.abs(v - ref[i]![j]!))));
  }
  return diff;
}

const rowAt = (i: number) => rows[i % rows.length]!;
const concurrent =
  (p: Pipeline, calls: number): Work =>
  async (n) => {
    for (let k = 0; k < n; k++) await Promise.all(Array.from({ length: calls }, (_, i) => p.predict(rowAt(i))));
  };

/** Per-call latency at batch 1 of the named pipelines, interleaved. */
function perCall(names: string[], rounds: number, targetMs = 10, medianOf = 1): Promise<Interleaved> {
  return interleave(Object.fromEntries(names.map((n) => [n, sequential((i) => pipelines.get(n)!.predict(rowAt(i)))])), {
    rounds,
    targetMs,
    medianOf,
    sameUnits: medianOf > 1,
  });
}

/** `calls` predictions per unit: `<name>:concurrent` fires them all at once, `<name>:sequential` awaits each. */
function workload(variants: string[], calls: number, rounds: number, targetMs = 15, medianOf = 1): Promise<Interleaved> {
  const works: Record<string, Work> = {};
  for (const v of variants) {
    const [name, mode] = v.split(':') as [string, string];
    const p = pipelines.get(name)!;
    works[v] = mode === 'concurrent' ? concurrent(p, calls) : async (n) => sequential((i) => p.predict(rowAt(i)))(n * calls);
  }
  // Units per sample from the fastest variant (a batched 1,000 can take < 1 ms: one unit would be
  // a handful of clock ticks).
  return interleave(works, { rounds, warmupMs: 300, calibrateWith: 1, targetMs, medianOf, sameUnits: medianOf > 1 });
}

/**
 * One sample of the main-thread-CPU pairs (bench/lib/cpu-pairs.ts): `units` units of `name`'s
 * work (one awaited call, or `calls` concurrent calls), `spinSteps` of busy work (the sensitivity
 * check's known extra cost), then until every task the work posted has run. Returns wall ms; the
 * orchestrator reads the main thread's CPU time around it.
 */
async function sample(name: string, mode: 'sequential' | 'concurrent', calls: number, units: number, spinSteps: number): Promise<number> {
  const p = pipelines.get(name)!;
  const t0 = performance.now();
  if (mode === 'concurrent') await concurrent(p, calls)(units);
  else for (let i = 0; i < units; i++) await p.predict(rowAt(i));
  if (spinSteps > 0) spin(spinSteps);
  await settleLoop();
  return performance.now() - t0;
}

/** Telemetry counters of a ferryml variant (sent, queued, dropped), after a flush. */
async function telemetryStats(name: string) {
  const p = pipelines.get(name) as Awaited<ReturnType<typeof loadFerry>> | undefined;
  const t = p?.model.telemetry;
  if (!t) return undefined;
  await t.flush();
  return t.stats();
}

Object.assign(window, { bench: { setup, check, perCall, workload, sample, telemetryStats } });
