/**
 * The engine for `tree-ensemble` bundles: the plain-TypeScript tree kernel behind the same
 * `Engine` interface as the tfjs engine (golden check at load, then `run`), importing no tfjs —
 * a page that loads only tree models never downloads it.
 */
import { FerryError } from '../../errors.js';
import { checkGolden } from '../golden.js';
import type { Engine, EngineInit, EngineReport } from '../types.js';
import { readTreeEnsemble } from './format.js';
import type { TreeArtifacts } from './format.js';
import { createTreeKernel } from './kernel.js';

/**
 * Reads the ensemble, runs the golden rows (throws `GOLDEN_MISMATCH` when the bundle's own rows
 * come out differently: the kernel is exact, so a mismatch means a broken bundle), and reports
 * backend `cpu` (the kernel is JavaScript on the CPU; tfjs backends do not apply).
 */
export async function createTreeEngine(init: EngineInit): Promise<Engine> {
  const t0 = performance.now();
  const ensemble = readTreeEnsemble(init.artifacts as TreeArtifacts);
  if (ensemble.features !== init.width) {
    throw new FerryError('MANIFEST_INVALID', `tree-ensemble model takes ${ensemble.features} features per row but the schema emits ${init.width}; re-export the bundle`, {
      details: { expected: init.width, got: ensemble.features },
    });
  }
  const kernel = createTreeKernel(ensemble);
  const t1 = performance.now();
  let goldenError: number | undefined;
  if (init.golden) {
    const result = checkGolden(kernel.run(init.golden.input, init.golden.rows), init.golden);
    if (!result.ok) {
      throw new FerryError('GOLDEN_MISMATCH', `The tree kernel does not reproduce the bundle's golden outputs: ${result.reason}; the bundle's golden.json or trees are wrong`, {
        details: { reason: result.reason },
      });
    }
    goldenError = result.maxError;
  }
  const t2 = performance.now();
  const nodes = ensemble.feature.length;
  const report: EngineReport = {
    backend: 'cpu',
    decision: 'first',
    rejected: [],
    device: 'tree-kernel',
    measured: {},
    measuredBatch: {},
    outputWidth: kernel.outputWidth,
    lean: 'direct',
    leanReason: `a ${ensemble.library} tree ensemble (${ensemble.trees} trees, ${nodes} nodes) runs in the plain-TypeScript tree kernel; tfjs is not loaded`,
    timings: { backendMs: 0, modelMs: t1 - t0, warmupMs: 0, goldenMs: t2 - t1, measureMs: 0 },
    ...(goldenError === undefined ? {} : { goldenError }),
  };
  let disposed = false;
  return {
    report,
    run(input, rows) {
      if (disposed) return Promise.reject(new FerryError('DISPOSED', 'This model was disposed; load it again to predict'));
      try {
        return kernel.run(input, rows);
      } catch (error) {
        return Promise.reject(new FerryError('INFERENCE_FAILED', `The tree kernel failed: ${String(error)}`, { cause: error }));
      }
    },
    async dispose() {
      disposed = true;
    },
  };
}
