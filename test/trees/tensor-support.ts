// What the tfjs tree strategies' tests share (test/runtime/trees-tensor.test.ts, trees-gemm.test.ts):
// the committed tree bundles, their ensembles as served, rows on every threshold and the error measure.
import { readTreeEnsemble } from '../../src/runtime/trees/format.js';
import type { TreeEnsemble } from '../../src/runtime/trees/format.js';
import { float32AtMost } from '../../src/runtime/trees/tensor.js';

export const REGISTRY = '/test/fixtures/export/models/index.json';
export const WORKER = '/src/runtime/worker.ts';
export const EXPORTED = [
  'penguins-tree',
  'penguins-gb',
  'penguins-forest',
  'penguins-xgb',
  'penguins-hgb',
  'wine-extratrees',
  'wine-hgb',
  'cancer-hgb',
  'cancer-forest',
  'cancer-xgb',
  'cancer-gb-zero',
  'diabetes-xgb',
  'diabetes-extratrees',
  'diabetes-hgb',
  'diabetes-forest',
  'diabetes-gb',
];
export const BUNDLES = [
  ...EXPORTED.map((n) => `/test/fixtures/export/models/${n}/1.0.0`),
  '/models/penguins/2.0.0',
  '/test/fixtures/trees/sklearn-tree',
  '/test/fixtures/trees/hist-gradient-boosting',
  '/test/fixtures/trees/xgboost',
  '/test/fixtures/trees/xgboost-float32',
  '/test/fixtures/trees/xgboost-float32-2',
];

/** The tree ensemble of the bundle at `dir`, read from its served files. */
export async function ensemble(dir: string): Promise<TreeEnsemble> {
  const json = (await (await fetch(`${dir}/model.json`)).json()) as {
    modelTopology: unknown;
    weightsManifest: Array<{ paths: string[]; weights: Array<{ name: string; shape: number[]; dtype: string }> }>;
  };
  const group = json.weightsManifest[0]!;
  const weightData = await (await fetch(`${dir}/${group.paths[0]}`)).arrayBuffer();
  return readTreeEnsemble({ modelTopology: json.modelTopology, weightSpecs: group.weights, weightData });
}

export const up = (f: number) => {
  const a = new Float32Array([f]);
  const b = new Int32Array(a.buffer);
  if (f === 0) return 1.401298464324817e-45;
  b[0] = b[0]! + (f > 0 ? 1 : -1);
  return a[0]!;
};
export const down = (f: number) => -up(-f);

/** Rows whose values sit on the ensemble's thresholds (as float32, ±1 ulp), NaN, ±Infinity and 0. */
export function edgeRows(e: TreeEnsemble, rows: number): Float32Array {
  const byFeature: number[][] = Array.from({ length: e.features }, () => []);
  for (let n = 0; n < e.feature.length; n++) if (e.feature[n]! >= 0 && e.threshold[n]! > -Infinity) byFeature[e.feature[n]!]!.push(e.threshold[n]!);
  const x = new Float32Array(rows * e.features);
  let s = 7;
  const rand = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let i = 0; i < x.length; i++) {
    const ts = byFeature[i % e.features]!;
    const t = ts.length ? Math.fround(ts[Math.floor(rand() * ts.length)]!) : 0;
    const pick = Math.floor(rand() * 10);
    x[i] = [t, t, up(t), down(t), float32AtMost(t), NaN, Infinity, -Infinity, 0, t * (1 + rand())][pick]!;
  }
  return x;
}

/** Largest `|a − b| / max(1, |a|)`; NaN counts as Infinity. */
export function worst(a: Float32Array, b: Float32Array): number {
  let w = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(a[i]!));
    if (!(d <= w)) w = Number.isNaN(d) ? Infinity : d;
  }
  return w;
}
