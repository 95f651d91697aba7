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

/** A score plus a leaf value in float64 (the default). */
const addFloat64 = (s: number, v: number): number => s + v;
/** … rounded to float32 after the addition (`"accumulate": "float32"`: XGBoost's float32 scores). */
const addFloat32 = (s: number, v: number): number => Math.fround(s + v);

/** How the kernels add a leaf value to a row's score: one of two module functions, so every call site stays inlinable. */
export const scoreAdd = (e: TreeTopology): ((s: number, v: number) => number) => (e.accumulate === 'float32' ? addFloat32 : addFloat64);

/** The starting score per column, as the kernels start from it (float32 for `"accumulate": "float32"`). */
export const scoreBase = (e: TreeTopology): Float64Array => Float64Array.from(e.base, (b) => (e.accumulate === 'float32' ? Math.fround(b) : b));

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
const DTYPES: Record<ArrayName, string> = {
  roots: 'int32',
  treeColumn: 'int32',
  feature: 'int32',
  threshold: 'float64',
  left: 'int32',
  right: 'int32',
  flags: 'uint8',
  values: 'float64',
  bitsets: 'uint32',
};
const BYTES: Record<string, number> = { int32: 4, float64: 8, uint8: 1, uint32: 4 };

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
  if (o.accumulate !== undefined && o.accumulate !== 'float32') bad(`accumulate must be "float32" or absent, got ${JSON.stringify(o.accumulate)}`);
  return o as TreeTopology;
}

/** Reads and checks a tree ensemble from its artifacts; `MANIFEST_INVALID` naming the problem otherwise. */
export function readTreeEnsemble(artifacts: TreeArtifacts): TreeEnsemble {
  const topology = checkTopology(artifacts.modelTopology);
  const data = artifacts.weightData;
  const buffer = data === undefined ? bad('no weight data') : Array.isArray(data) ? bad('weight data in several buffers') : data;
  const arrays: Partial<Record<ArrayName, ArrayLike<number>>> = {};
  let offset = 0;
  for (const spec of artifacts.weightSpecs ?? []) {
    const name = spec.name as ArrayName;
    if (!Object.hasOwn(ARRAYS, name)) bad(`unknown array ${JSON.stringify(spec.name)}`);
    if (arrays[name] !== undefined) bad(`array "${name}" is listed twice`, { array: name });
    if (spec.dtype !== DTYPES[name]) bad(`array "${name}" must be ${DTYPES[name]}, got ${spec.dtype}`, { array: name });
    const shape: unknown = spec.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0))
      bad(`array "${name}" has shape ${JSON.stringify(shape)}: expected a list of non-negative integers`, { array: name });
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const bytes = n * BYTES[spec.dtype]!;
    if (offset + bytes > buffer.byteLength) bad(`array "${name}" runs past the end of the weight data (${buffer.byteLength} bytes)`);
    // Copy: the typed array must be aligned, and the bundle's bytes stay untouched.
    arrays[name] = new ARRAYS[name](buffer.slice(offset, offset + bytes));
    offset += bytes;
  }
  const missing = (Object.keys(ARRAYS) as ArrayName[]).filter((k) => arrays[k] === undefined);
  if (missing.length) bad(`arrays missing: ${missing.join(', ')}`);
  if (offset !== buffer.byteLength)
    bad(`the arrays take ${offset} bytes of the ${buffer.byteLength} in the weight data`, { bytes: buffer.byteLength, used: offset });
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
  const seen = new Uint8Array(nodes);
  for (let t = 0; t < e.trees; t++) {
    const c = e.treeColumn[t]!;
    if (c < 0 || c + e.leafWidth > e.outputs) bad(`tree ${t} writes column ${c} of ${e.outputs}`);
    // Walk each tree: children come after their parent (no cycles), inside the node arrays, each node
    // reached once (no node shared by two parents or two trees: the walk's cost stays the node count).
    const stack = [e.roots[t]!];
    while (stack.length) {
      const n = stack.pop()!;
      if (!(n >= 0 && n < nodes)) bad(`tree ${t} points at node ${n} of ${nodes}`, { tree: t, node: n });
      if (seen[n]) bad(`node ${n} is reached twice (tree ${t}): two parents or two trees share it`, { tree: t, node: n });
      seen[n] = 1;
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
