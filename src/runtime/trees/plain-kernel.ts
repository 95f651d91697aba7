/**
 * The tree-ensemble entry of the plain-JS kernel seam (plain-kernels.ts): a `tree-ensemble` bundle
 * runs in the plain-TypeScript tree kernel, checked against the bundle's golden rows like any
 * plain kernel, with no tfjs module imported — a page that loads only tree models never downloads it.
 */
import { FerryError } from '../../errors.js';
import type { PlainKernelFactory } from '../plain-kernels.js';
import { readTreeEnsemble } from './format.js';
import { createTreeKernel } from './kernel.js';
import type { SimdTrees } from './simd.js';
import { treeSimdCode } from './simd-slot.js';

/**
 * Rows per call from which the tfjs tensor strategy (trees/tensor.ts) may beat the kernel: below
 * it, tfjs's per-call cost alone exceeds the kernel's time (BENCHMARKS.md "Tree ensembles").
 */
export const LARGE_BATCH = 4096;

/**
 * Rows of the call that loads and compiles the WebAssembly tree kernel (simd.ts: SIMD for shallow
 * trees, a compiled walk for deeper ones) — or {@link SIMD_LOAD_TOTAL} rows in calls of {@link SIMD_MIN_ROWS}+ rows: never at
 * load, never for a page that predicts a few rows now and then. Loading, compiling and checking
 * it costs a few milliseconds, won back within a few thousand rows (~1 µs per row saved).
 */
export const SIMD_LOAD_ROWS = 256;

/** Rows, summed over calls of {@link SIMD_MIN_ROWS}+ rows, that load the SIMD kernel too (a `maxBatch` under 256). */
export const SIMD_LOAD_TOTAL = 4096;

/** Rows per call from which the WebAssembly kernel, once compiled, runs the call: one group of eight rows (from there it measured ~3–4× (SIMD, boosting) and ~2.4× (walk, forest) faster per row). */
export const SIMD_MIN_ROWS = 8;

/**
 * Takes every `tree-ensemble` model. A bundle whose arrays are malformed, or whose feature count
 * differs from the schema's width, is broken rather than unsuited, so it throws `MANIFEST_INVALID`.
 */
export const treeKernel: PlainKernelFactory = ({ artifacts, format, width }) => {
  if (format !== 'tree-ensemble') return undefined;
  const ensemble = readTreeEnsemble(artifacts);
  if (ensemble.features !== width) {
    throw new FerryError(
      'MANIFEST_INVALID',
      `tree-ensemble model takes ${ensemble.features} features per row but the schema emits ${width}; re-export the bundle`,
      {
        details: { expected: width, got: ensemble.features },
      },
    );
  }
  const kernel = createTreeKernel(ensemble);
  const load = treeSimdCode();
  let simd: SimdTrees | Promise<void> | undefined;
  // Where the entry offers no SIMD kernel (ferryml/lite, ferryml/edge: README "Tree ensembles") the
  // description says nothing of it: its words would only weigh on those entries' size budgets.
  let note = load ? `; a call of ${SIMD_LOAD_ROWS}+ rows (or ${SIMD_LOAD_TOTAL} rows in calls of ${SIMD_MIN_ROWS}+) loads the WebAssembly SIMD kernel` : '';
  // Rows run in calls of SIMD_MIN_ROWS+ rows so far: many mid-sized calls (a small maxBatch) load it too.
  let rowsSoFar = 0;
  return {
    name: 'tree kernel',
    lean: 'direct',
    get description() {
      return `a ${ensemble.library} tree ensemble (${ensemble.trees} trees, ${kernel.perfectTrees} perfect) in the plain-JS tree kernel${note}; calls of ${LARGE_BATCH}+ rows are measured against tfjs (not in ferryml/lite)`;
    },
    outputWidth: kernel.outputWidth,
    cost: 0,
    largeBatch: LARGE_BATCH,
    prepare(rows) {
      if (rows >= SIMD_MIN_ROWS) rowsSoFar += rows;
      if ((rows < SIMD_LOAD_ROWS && rowsSoFar < SIMD_LOAD_TOTAL) || load === undefined || simd !== undefined) return undefined;
      simd = load()
        .then((code) => code.compileSimdTrees(ensemble, (x, n) => kernel.sums(x, n)))
        .then(
          (s) => {
            simd = s;
            note = `; calls of ${SIMD_MIN_ROWS}+ rows run ${s.description}`;
          },
          (error: unknown) => {
            note = `; the WebAssembly SIMD kernel is off: ${error instanceof Error ? error.message : String(error)}`;
          },
        );
      return simd;
    },
    run: (input, rows) =>
      rows >= SIMD_MIN_ROWS && typeof simd === 'object' && 'sums' in simd ? kernel.finish(simd.sums(input, rows), rows) : kernel.run(input, rows),
  };
};
