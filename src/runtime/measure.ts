/**
 * A quick per-call latency measurement at batch 1, used to notice by itself that a backend is
 * slow on this device (software WebGPU was ~100× slower than WASM on small MLPs here).
 */
import type { Session } from './session.js';

/** Median milliseconds of one batch-1 call (result read back), over at most `runs` runs within about `budgetMs`. */
export async function measurePerCall(session: Session, row: Float32Array, runs = 15, budgetMs = 150): Promise<number> {
  const times: number[] = [];
  const deadline = performance.now() + budgetMs;
  while (times.length < runs && (times.length < 3 || performance.now() < deadline)) {
    const t0 = performance.now();
    await session.run(row, 1);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1]!;
}
