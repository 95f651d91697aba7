// Page for item 8, `backends`: one ferryml model on one forced backend per page (tfjs has one
// active backend per page, so the orchestrator opens one page per backend and alternates
// between them round by round), or — with `backend` omitted — the SDK's automatic choice.
import type { LoadModelOptions, Model } from '../../src/index.js';
import { loadFerry } from './ferry.js';
import { interleave, sequential } from './timing.js';

let model: Model | undefined;
let rows: Array<Record<string, unknown>> = [];

/** Loads the model (`options` says where, and the backend when forced); returns `model.info`'s choice facts. */
async function setup(options: LoadModelOptions, goldenUrl: string) {
  rows = ((await (await fetch(goldenUrl)).json()) as { rows: Array<Record<string, unknown>> }).rows;
  const t0 = performance.now();
  model = (await loadFerry(options)).model;
  const loadMs = performance.now() - t0;
  const { backend, decision, rejected, measured, lean, timings, adapter } = model.info;
  return { backend, decision, rejected, measured, lean, timings, adapter, loadMs };
}

/** One sample: ms per sequential batch-1 predict, `units` calls (calibrated on the first call when 0). */
async function sample(units: number) {
  const r = await interleave(
    { ferry: sequential((i) => model!.predict(rows[i % rows.length]!)) },
    { rounds: 1, warmupMs: units ? 0 : 600, ...(units ? { units } : {}) },
  );
  return { ms: r.samples['ferry']![0]!, units: r.units['ferry']! };
}

Object.assign(window, { bench: { setup, sample } });
