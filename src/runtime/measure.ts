/**
 * A quick latency measurement of one session, used to pick the fastest backend on this device
 * by itself (software WebGPU was ~100× slower than WASM on small MLPs here; cpu's direct kernel
 * beats WASM on tiny models, WASM beats tfjs's cpu backend on bigger ones).
 */

/** The batch size timed next to batch 1 when backends are measured: micro-batched bursts matter too. */
export const MEASURE_BATCH = 32;

/**
 * How a measurement ranks a backend (lower wins): the geometric mean of its ms per row at batch 1
 * and at batch {@link MEASURE_BATCH}. Both regimes count equally in ratio: a backend 2× slower
 * at batch 1 but 3× faster at batch 32 wins.
 */
export const measureScore = (perCall: number, perBatch: number) => Math.sqrt(perCall * (perBatch / MEASURE_BATCH));

/**
 * Median milliseconds of one `rows`-row call (result read back). Calls are timed in rounds of at
 * least 1 ms, since `performance.now()` is coarsened to 0.1 ms without cross-origin isolation
 * and a small model's call takes from well under a microsecond (direct kernel) to tens of
 * microseconds. A round shorter than that is too short to time: the calls per round grow ×4 and
 * the samples so far are dropped (so one slow first call — JIT, GC — cannot leave a 1-call
 * round timing 0 ms). The growing rounds also warm the JIT up. Stops after `rounds` timed
 * rounds, or sooner once `budgetMs` is spent (never before 3).
 */
export async function measureCall(
  session: { run(input: Float32Array, rows: number): Float32Array | Promise<Float32Array> },
  input: Float32Array,
  rows: number,
  rounds = 5,
  budgetMs = 30,
): Promise<number> {
  const round = async (calls: number) => {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) await session.run(input, rows);
    return performance.now() - t0;
  };
  let calls = 1;
  let deadline = Infinity;
  const samples: number[] = [];
  while (samples.length < rounds && (samples.length < 3 || performance.now() < deadline)) {
    const elapsed = await round(calls);
    if (elapsed < 1 && calls < 65_536) {
      calls *= 4;
      samples.length = 0;
      continue;
    }
    if (samples.length === 0) deadline = performance.now() + budgetMs;
    samples.push(elapsed / calls);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!;
}
