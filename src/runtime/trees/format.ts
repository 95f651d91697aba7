/**
 * The `tree-ensemble` bundle format, read from the model entry's artifacts: `modelTopology` holds
 * the ensemble's description (a {@link TreeTopology}), the weight file holds its flat typed arrays
 * in `weightsManifest` order. See README "Tree ensembles" for the exact routing semantics.
 * Plain TypeScript: importing it costs no tfjs.
 */
import { FerryError } from '../../errors.js';

/** How a split node compares its feature with its threshold. */
export type TreeCompare =
  /** scikit-learn trees and HistGradientBoosting: left when `x <= threshold` (threshold float64). */
  | '<='
  /** XGBoost: left when `x < threshold` (threshold a float32 value). */
  | '<';

/** What is done with the summed leaf values (per row, float64). */
export type TreeLink =
  /** The values themselves (regressors, and forests' averaged probabilities). */
  | 'identity'
  /** One raw score `z` → `[1 − σ(z), σ(z)]` (binary boosting). */
  | 'sigmoid'
  /** K raw scores → softmax (multiclass boosting). */
  | 'softmax';

/** `modelTopology` of a tree-ensemble model.json. */
export interface TreeTopology {
  kind: 'tree-ensemble';
  /** Which library's semantics the arrays follow (informational; routing is fully described below). */
  library: string;
  compare: TreeCompare;
  /** Features per input row. */
  features: number;
  /** Raw score columns per row (before the link). */
  outputs: number;
  trees: number;
  /** Values per leaf: `outputs` for forests (a vector per leaf), 1 for boosting (one score to column `treeColumn[t]`). */
  leafWidth: number;
  /** `"mean"`: divide the sum by the number of trees (forests); `"sum"`: add to `base` (boosting). */
  aggregate: 'mean' | 'sum';
  /** Starting raw score per output column (boosting's init / baseline / base_score); zeros for forests. */
  base: number[];
  link: TreeLink;
  /**
   * `"float32"`: each row's score is rounded to float32 after every tree, from a float32 `base`
   * (XGBoost's CPU predictor sums so); absent, scores are summed in float64.
   */
  accumulate?: 'float32';
}

/** The arrays a tree ensemble is made of (all trees' nodes concatenated; indices are absolute). */
export interface TreeEnsemble extends TreeTopology {
  /** Node index of each tree's root. */
  roots: Int32Array;
  /** Output column each tree adds its leaf value to (boosting); 0 for vector-leaf forests. */
  treeColumn: Int32Array;
  /** Feature index of a split node; −1 marks a leaf. */
  feature: Int32Array;
  /** Threshold of a numeric split; index of its bitset pair for a categorical split. */
  threshold: Float64Array;
  /** Left child of a split node; for a leaf, the offset of its values in `values`. */
  left: Int32Array;
  right: Int32Array;
  /** Bit 0: a missing (NaN) value goes left (else right). Bit 1: a categorical split. */
  flags: Uint8Array;
  /** Leaf values (float64). */
  values: Float64Array;
  /** Per categorical split, 16 words: 8 × 32 bits of categories going left, then 8 of known categories going right. */
  bitsets: Uint32Array;
}

/**
 * A batch's raw scores as the kernels sum them: float64, or float32 for `"accumulate": "float32"` —
 * then every `acc[i] = acc[i] + v` of every walk rounds to float32 after each tree, as XGBoost's
 * float32 additions do (a float32 sum computed in float64 and rounded once is the float32 sum).
 */
export type Scores = Float64Array | Float32Array;

/** Flag bit: a NaN goes to the left child. */
export const MISSING_LEFT = 1;
/** Flag bit: the split tests category membership in a bitset. */
export const CATEGORICAL = 2;

const ARRAYS = {
  roots: Int32Array,
  treeColumn: Int32Array,
  feature: Int32Array,
  threshold: Float64Array,
  left: Int32Array,
  right: Int32Array,
  flags: Uint8Array,
  values: Float64Array,
  bitsets: Uint32Array,
} as const;
type ArrayName = keyof typeof ARRAYS;
/** An array's dtype in the manifest: its typed array's name, `Int32Array` → `int32`. */
const dtypeOf = (name: ArrayName): string => ARRAYS[name].name.slice(0, -5).toLowerCase();

/** The artifacts a tree model arrives in (a subset of tfjs's `ModelArtifacts`, read without tfjs). */
export interface TreeArtifacts {
  modelTopology?: unknown;
  weightSpecs?: ReadonlyArray<{ name: string; shape: number[]; dtype: string }>;
  weightData?: ArrayBuffer | ArrayBuffer[];
}

const bad = (message: string, details: Record<string, unknown> = {}): never => {
  throw new FerryError('MANIFEST_INVALID', `tree-ensemble model: ${message}; re-export it with ferryml_export`, { details });
};

function checkTopology(t: unknown): TreeTopology {
  const o = (typeof t === 'object' && t !== null ? t : bad('modelTopology is not an object')) as Partial<TreeTopology>;
  const count = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
  if (o.kind !== 'tree-ensemble') bad(`modelTopology.kind is ${JSON.stringify(o.kind)}, expected "tree-ensemble"`);
  if (o.compare !== '<=' && o.compare !== '<') bad(`compare must be "<=" or "<", got ${JSON.stringify(o.compare)}`);
  if (!count(o.features) || !count(o.outputs) || !count(o.trees) || !count(o.leafWidth))
    bad('features, outputs, trees and leafWidth must be positive integers');
  if (o.aggregate !== 'mean' && o.aggregate !== 'sum') bad(`aggregate must be "mean" or "sum", got ${JSON.stringify(o.aggregate)}`);
  if (o.link !== 'identity' && o.link !== 'sigmoid' && o.link !== 'softmax') bad(`link must be identity, sigmoid or softmax, got ${JSON.stringify(o.link)}`);
  if (!Array.isArray(o.base) || o.base.length !== o.outputs || !o.base.every((b) => typeof b === 'number' && Number.isFinite(b)))
    bad(`base must hold ${o.outputs} finite numbers`);
  if (o.link === 'sigmoid' && o.outputs !== 1) bad('the sigmoid link takes exactly one raw score column');
  if (o.leafWidth !== 1 && o.leafWidth !== o.outputs) bad(`leafWidth must be 1 or outputs (${o.outputs})`);
  if (((o.accumulate as unknown) ?? 'float32') !== 'float32') bad(`accumulate is ${JSON.stringify(o.accumulate)}, not "float32"`);
  return o as TreeTopology;
}

/** Reads and checks a tree ensemble from its artifacts; `MANIFEST_INVALID` naming the problem otherwise. */
export function readTreeEnsemble(artifacts: TreeArtifacts): TreeEnsemble {
  const topology = checkTopology(artifacts.modelTopology);
  const data = artifacts.weightData;
  const buffer = data === undefined ? bad('no weight data') : Array.isArray(data) ? bad('weight data in several buffers') : data;
  // The arrays and dtypes in the order trees.bin holds them (README "Tree ensembles"): none unknown, missing or twice.
  const names = Object.keys(ARRAYS) as ArrayName[];
  const specs = artifacts.weightSpecs ?? [];
  const want = names.map((n) => `${n} ${dtypeOf(n)}`).join(', ');
  const got = specs.map((s) => `${s.name} ${s.dtype}`).join(', ');
  if (got !== want) bad(`the arrays must be ${want}, in this order; got ${got}`);
  const arrays: Partial<Record<ArrayName, ArrayLike<number>>> = {};
  let offset = 0;
  specs.forEach(({ shape }, i) => {
    const name = names[i]!;
    // Flat arrays: a shape is [count].
    const n = (shape as unknown[] | undefined)?.length === 1 ? shape[0]! : NaN;
    if (!(Number.isInteger(n) && n >= 0)) bad(`array "${name}" has shape ${JSON.stringify(shape)}, not [count]`);
    const end = offset + n * ARRAYS[name].BYTES_PER_ELEMENT;
    // Copy: the typed array must be aligned, and the bundle's bytes stay untouched.
    if (end <= buffer.byteLength) arrays[name] = new ARRAYS[name](buffer.slice(offset, end));
    offset = end;
  });
  // Every byte read and none past the end: a bundle cut short or padded is not the one exported.
  if (offset !== buffer.byteLength) bad(`the arrays take ${offset} bytes, the weight data ${buffer.byteLength}`);
  const e = { ...topology, ...(arrays as Record<ArrayName, never>) } as TreeEnsemble;
  checkArrays(e);
  return e;
}

/** Every index in range, every tree a tree: the kernel trusts these and does no checks per row. */
function checkArrays(e: TreeEnsemble): void {
  const nodes = e.feature.length;
  if (e.threshold.length !== nodes || e.left.length !== nodes || e.right.length !== nodes || e.flags.length !== nodes)
    bad('feature, threshold, left, right and flags must have one entry per node');
  if (e.roots.length !== e.trees || e.treeColumn.length !== e.trees) bad(`roots and treeColumn must have ${e.trees} entries`);
  const pairs = e.bitsets.length / 16;
  if (!Number.isInteger(pairs)) bad('bitsets must hold 16 words per categorical split');
  for (let t = 0; t < e.trees; t++) {
    const c = e.treeColumn[t]!;
    if (c < 0 || c + e.leafWidth > e.outputs) bad(`tree ${t} writes column ${c} of ${e.outputs}`);
    // Walk each tree: children come after their parent (no cycles), inside the node arrays; a node
    // with two parents is walked twice, and past the node count the walk stops.
    const stack = [e.roots[t]!];
    let seen = 0;
    while (stack.length) {
      const n = stack.pop()!;
      if (!(n >= 0 && n < nodes)) bad(`tree ${t} points at node ${n} of ${nodes}`, { tree: t, node: n });
      if (++seen > nodes) bad(`tree ${t} reaches a node twice`, { tree: t });
      const f = e.feature[n]!;
      if (f < 0) {
        const v = e.left[n]!;
        if (!(v >= 0 && v + e.leafWidth <= e.values.length)) bad(`leaf ${n} reads values ${v}.. of ${e.values.length}`, { node: n });
        continue;
      }
      if (f >= e.features) bad(`node ${n} splits on feature ${f} of ${e.features}`, { node: n });
      if (e.flags[n]! & CATEGORICAL) {
        const b = e.threshold[n]!;
        if (!(Number.isInteger(b) && b >= 0 && b < pairs)) bad(`categorical node ${n} names bitset ${b} of ${pairs}`, { node: n });
      }
      if (e.left[n]! <= n || e.right[n]! <= n) bad(`node ${n}'s children must come after it`, { node: n });
      stack.push(e.left[n]!, e.right[n]!);
    }
  }
}
