/**
 * A quick per-call latency measurement at batch 1, used to notice by itself that a backend is
 * slow on this device (software WebGPU was ~100× slower than WASM on small MLPs here).
 */
import type { Session } from './session.js';

/**
 * Median milliseconds of one batch-1 call (result read back). Calls are timed in rounds of at
 * least ~1 ms, since `performance.now()` is coarsened to 0.1 ms without cross-origin isolation
 * and a small model's call takes a few tens of microseconds. Stops after `rounds` rounds, or
 * sooner once `budgetMs` is spent (never before 3 rounds).
 */
export async function measurePerCall(session: Session, row: Float32Array, rounds = 7, budgetMs = 150): Promise<number> {
  const round = async (calls: number) => {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) await session.run(row, 1);
    return performance.now() - t0;
  };
  let calls = 1;
  let elapsed = await round(calls);
  while (elapsed < 1 && calls < 1024) elapsed = await round((calls *= 4));
  const deadline = performance.now() + budgetMs;
  const samples = [elapsed / calls];
  while (samples.length < rounds && (samples.length < 3 || performance.now() < deadline)) samples.push((await round(calls)) / calls);
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!;
}
