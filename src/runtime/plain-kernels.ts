/**
 * The plain-JS kernel seam: models that run as plain JavaScript, with no tfjs module imported.
 * Each entry of {@link PLAIN_KERNELS} looks at the model and either takes it (a
 * {@link PlainKernel}) or says why not; the first that takes it runs the model, after the bundle's
 * golden rows pass on it (plain-engine.ts). A model no kernel takes goes to tfjs.
 *
 * Adding a kernel (e.g. the tree-ensemble kernel in src/runtime/trees/): write a
 * `PlainKernelFactory` that returns `undefined` for formats it does not handle, a `{ reason }`
 * for a model of its format it cannot run, and a kernel otherwise — then add it to
 * `PLAIN_KERNELS` below. That one line is the whole registration: the engine choice, golden
 * check, worker mode, `model.info.engine`/`engineReason` and the tfjs-free build follow. Keep the
 * kernel's module free of tfjs imports (`import type` is fine), or the build pulls tfjs in.
 * A format tfjs cannot load as a model (`PLAIN_ONLY_FORMATS`, tree ensembles) reaches `createEngine`
 * only with `engine: 'tfjs'` (its tensor strategy, trees/tensor.ts); otherwise, when the kernel
 * refuses it, choose-engine.ts fails with the kernel's rejection.
 */
import { createDirect } from './direct.js';
import { readDenseArtifacts } from './dense-artifacts.js';
import { treeKernel } from './trees/plain-kernel.js';
import type { EngineInit, LeanMode } from './types.js';

/** A model running as plain JavaScript. */
export interface PlainKernel {
  /** Short name for `model.info.engineReason` (e.g. `direct kernel`). */
  readonly name: string;
  /** What the model is, in words (layers, size): goes into `model.info.leanReason`. */
  readonly description: string;
  /** `model.info.lean` while it runs (`"direct"` for the dense kernel). */
  readonly lean: LeanMode;
  /** Values per output row. */
  readonly outputWidth: number;
  /**
   * Work per row in multiply-adds (or comparable steps): the engine policy measures tfjs in the
   * background only past `BACKGROUND_MEASURE_ABOVE` (plain-engine.ts); 0 means never.
   */
  readonly cost: number;
  /**
   * Rows per call from which tfjs is considered instead (tree ensembles' tensor strategy): the first
   * call this large starts the background measurement at this many rows, and a tfjs win takes only
   * calls this large. Absent: `cost` decides, for every call.
   */
  readonly largeBatch?: number;
  /**
   * Called before `run` with the call's row count: a promise when the kernel first brings up a faster
   * way for calls this large (the tree kernel's WebAssembly SIMD kernel), awaited once before `run`;
   * it never rejects, and `description` then says what runs. Absent or undefined: run now.
   */
  prepare?(rows: number): Promise<void> | undefined;
  /** Runs `rows` rows from the front of `input` (`rows × width`); returns a new `rows × outputWidth` array. */
  run(input: Float32Array, rows: number): Float32Array;
}

/** Takes a model (`PlainKernel`), refuses one of its format (`{ reason }`), or ignores other formats (`undefined`). */
export type PlainKernelFactory = (init: Pick<EngineInit, 'artifacts' | 'format' | 'width'>) => PlainKernel | { reason: string } | undefined;

/** Small dense chains (layers models): the direct kernel over weights read from model.json and its shards. */
export const denseKernel: PlainKernelFactory = ({ artifacts, format, width }) => {
  if (format !== 'layers-model') return undefined;
  const chain = readDenseArtifacts(artifacts);
  if ('reason' in chain) return { reason: `not a dense chain (${chain.reason})` };
  if (chain.width !== width) return { reason: `the model takes ${chain.width} features per row but the schema makes ${width}` };
  const direct = createDirect(chain.steps, width);
  if ('reason' in direct) return direct;
  const dense = chain.steps.filter((s) => s.kernel).length;
  return {
    name: 'direct kernel',
    lean: 'direct',
    description: `direct kernel: ${dense} Dense layers, ${direct.multiplyAdds} multiply-adds per row, plain JavaScript on the CPU`,
    outputWidth: direct.outputWidth,
    cost: direct.multiplyAdds,
    run: (input, rows) => direct.run(input, rows),
  };
};

/** Model formats tfjs cannot load as a model: tfjs runs them only when forced or measured faster for large batches. */
export const PLAIN_ONLY_FORMATS: ReadonlySet<string> = new Set(['tree-ensemble']);

/** Every plain-JS kernel, tried in order. */
export const PLAIN_KERNELS: readonly PlainKernelFactory[] = [denseKernel, treeKernel];
