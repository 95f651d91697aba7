// The plain-JS engine's background measurement when tfjs fails it: tfjs cannot come up, fails while
// it is timed, or — after winning — loses its WebGPU device. Real WebGPU here is SwiftShader, which
// the automatic policy refuses as a software adapter, so tfjs never wins in this browser: the tfjs
// side is a stand-in engine (what `createEngine` returns and reports), while the kernel, the
// measurement (plain-measure.ts, real timings) and the engine's choices are the SDK's own. No tfjs here.
import { expect } from 'chai';
import { isFerryError } from '../../src/errors.js';
import { BACKGROUND_MEASURE_ABOVE, createPlainEngine } from '../../src/runtime/plain-engine.js';
import type { PlainKernel } from '../../src/runtime/plain-kernels.js';
import type { TfjsCode } from '../../src/runtime/choose-engine.js';
import type { Engine, EngineInit, EngineReport, Timings } from '../../src/runtime/types.js';

const WIDTH = 4;

/** A kernel that answers [sum, 1] per row and takes ~tens of µs a call, so a stand-in tfjs that answers at once wins. */
function slowKernel(): PlainKernel & { calls: number } {
  const kernel = {
    calls: 0,
    name: 'test kernel',
    description: 'test kernel: a sum per row',
    lean: 'direct' as const,
    outputWidth: 2,
    cost: BACKGROUND_MEASURE_ABOVE * 2,
    run(input: Float32Array, rows: number) {
      kernel.calls++;
      let spin = 0;
      for (let i = 0; i < 20_000; i++) spin += Math.sqrt(i);
      const out = new Float32Array(rows * 2);
      for (let r = 0; r < rows; r++) {
        let sum = spin * 0;
        for (let c = 0; c < WIDTH; c++) sum += input[r * WIDTH + c]!;
        out[r * 2] = sum;
        out[r * 2 + 1] = 1;
      }
      return out;
    },
  };
  return kernel;
}

const init = (): EngineInit => ({
  artifacts: {},
  format: 'layers-model',
  width: WIDTH,
  backends: ['webgpu', 'cpu'],
  select: 'auto',
  wasmThreads: false,
  lean: true,
  engine: 'auto',
});

/** The stand-in tfjs engine: answers [sum, 1] at once on "webgpu"; `lose()` reports what ./engine.ts reports after a lost device. */
function standIn(options: { create?: 'fails' | Promise<void>; run?: 'fails' } = {}) {
  const made: Array<Engine & { disposed: boolean; calls: number; lose(): void }> = [];
  let creating = 0;
  const createEngine = (async (_init: EngineInit, onChange?: (report: EngineReport) => void) => {
    creating++;
    if (options.create === 'fails') throw new Error('no backend could run this model (stand-in)');
    // Held: the engine comes up only when the test says so.
    if (options.create) await options.create;
    let report: EngineReport = {
      engine: 'tfjs',
      engineReason: 'tfjs (measured in the background)',
      backend: 'webgpu',
      decision: 'measured',
      rejected: [],
      device: 'stand-in',
      measured: {},
      measuredBatch: {},
      lean: 'fused-ops',
      leanReason: 'stand-in',
      outputWidth: 2,
      timings: { backendMs: 0, modelMs: 0, warmupMs: 0, goldenMs: 0, measureMs: 0 },
    };
    const engine = {
      disposed: false,
      calls: 0,
      get report() {
        return report;
      },
      run(input: Float32Array, rows: number) {
        engine.calls++;
        if (options.run === 'fails') return Promise.reject(new Error('the GPU hung (stand-in)'));
        const out = new Float32Array(rows * 2);
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < WIDTH; c++) out[r * 2] = out[r * 2]! + input[r * WIDTH + c]!;
          out[r * 2 + 1] = 1;
        }
        return out;
      },
      async dispose() {
        engine.disposed = true;
      },
      lose() {
        // ./engine.ts after a lost device: reloaded elsewhere (here wasm, which `backends` left out).
        report = {
          ...report,
          backend: 'wasm',
          rejected: [{ backend: 'webgpu', code: 'DEVICE_LOST', reason: 'the WebGPU device was lost (destroyed: stand-in)' }],
        };
        onChange?.(report);
      },
    };
    made.push(engine);
    return engine;
  }) as unknown as Awaited<ReturnType<TfjsCode['engine']>>['createEngine'];
  const code: TfjsCode = { engine: async () => ({ createEngine }), measure: () => import('../../src/runtime/plain-measure.js') };
  return { code, made, creating: () => creating };
}

const timings = (): Timings => ({ backendMs: 0, modelMs: 0, warmupMs: 0, goldenMs: 0, measureMs: 0 });
const until = async (test: () => boolean, ms = 10_000) => {
  const deadline = performance.now() + ms;
  while (!test() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(test(), 'in time').to.equal(true);
};
const row = Float32Array.from([1, 2, 3, 4]);

describe('runtime: the background measurement when tfjs fails it', () => {
  it('tfjs wins, then loses its WebGPU device: every call goes back to the kernel, the stand-in is disposed, and the change is reported', async () => {
    const kernel = slowKernel();
    const { code, made } = standIn();
    const changes: EngineReport[] = [];
    const engine = createPlainEngine(kernel, init(), timings(), {}, 'test kernel, plain JavaScript', (r) => changes.push(r), code);
    await engine.run(row.slice(), 1);
    await until(() => changes.length === 1);
    expect(engine.report).to.include({ engine: 'tfjs', backend: 'webgpu', decision: 'measured' });
    const before = kernel.calls;
    expect(Array.from(await engine.run(row.slice(), 1))).to.deep.equal([10, 1]);
    expect(kernel.calls, 'tfjs answers').to.equal(before);

    made[0]!.lose();
    expect(changes).to.have.length(2);
    expect(engine.report).to.include({ engine: 'js', backend: 'cpu', decision: 'kernel', lean: 'direct' });
    expect(engine.report.engineReason).to.equal(
      'test kernel, plain JavaScript; tfjs webgpu lost its device after the background measurement chose it: back on the test kernel',
    );
    expect(engine.report.rejected).to.deep.equal([{ backend: 'webgpu', code: 'DEVICE_LOST', reason: 'the WebGPU device was lost (destroyed: stand-in)' }]);
    expect(engine.report.remember, 'nothing new to remember').to.equal(undefined);
    expect(made[0]!.disposed).to.equal(true);
    const calls = made[0]!.calls;
    expect(Array.from(await engine.run(row.slice(), 1))).to.deep.equal([10, 1]);
    expect(made[0]!.calls, 'the lost engine is not called again').to.equal(calls);
    expect(kernel.calls).to.equal(before + 1);
    await engine.dispose();
  });

  it('tfjs cannot come up: the kernel stays, engineReason says why, and it is reported once; nothing is remembered', async () => {
    const { code } = standIn({ create: 'fails' });
    const changes: EngineReport[] = [];
    const engine = createPlainEngine(slowKernel(), init(), timings(), {}, 'test kernel, plain JavaScript', (r) => changes.push(r), code);
    await engine.run(row.slice(), 1);
    await until(() => changes.length === 1);
    expect(engine.report).to.include({ engine: 'js', backend: 'cpu', decision: 'kernel' });
    expect(engine.report.engineReason).to.equal(
      'test kernel, plain JavaScript; tfjs could not bring up webgpu for this model (no backend could run this model (stand-in)); the test kernel stays',
    );
    expect(engine.report.remember).to.equal(undefined);
    await new Promise((r) => setTimeout(r, 200));
    expect(changes).to.have.length(1);
    await engine.dispose();
  });

  it('tfjs fails while it is timed: that engine is disposed, the kernel stays, and engineReason says why', async () => {
    const { code, made } = standIn({ run: 'fails' });
    const changes: EngineReport[] = [];
    const engine = createPlainEngine(slowKernel(), init(), timings(), {}, 'test kernel, plain JavaScript', (r) => changes.push(r), code);
    await engine.run(row.slice(), 1);
    await until(() => changes.length === 1);
    expect(made[0]!.disposed).to.equal(true);
    expect(engine.report).to.include({ engine: 'js', decision: 'kernel' });
    expect(engine.report.engineReason).to.match(/; tfjs webgpu failed while it was timed \(.*the GPU hung \(stand-in\)\); the test kernel stays$/);
    expect(Array.from(await engine.run(row.slice(), 1))).to.deep.equal([10, 1]);
    await engine.dispose();
  });

  it('disposed while the measurement waits or runs: no tfjs engine is left up and nothing is reported after dispose()', async () => {
    for (const wait of [0, 52, 55, 60, 70]) {
      const { code, made } = standIn();
      const changes: EngineReport[] = [];
      const engine = createPlainEngine(slowKernel(), init(), timings(), {}, 'test kernel, plain JavaScript', (r) => changes.push(r), code);
      await engine.run(row.slice(), 1);
      await new Promise((r) => setTimeout(r, wait));
      await engine.dispose();
      // A measurement that ended before dispose() was reported then; nothing is after it.
      const reported = changes.length;
      await new Promise((r) => setTimeout(r, 300));
      expect(changes, `disposed after ${wait} ms`).to.have.length(reported);
      expect(
        made.every((e) => e.disposed),
        `disposed after ${wait} ms`,
      ).to.equal(true);
      const late = await Promise.resolve(engine.run(row.slice(), 1)).catch((e: unknown) => e);
      expect(isFerryError(late) && late.code).to.equal('DISPOSED');
    }
  });
  it('disposed while tfjs comes up: the engine is disposed as soon as it is up, and never timed', async () => {
    let release!: () => void;
    const { code, made, creating } = standIn({ create: new Promise<void>((r) => (release = r)) });
    const changes: EngineReport[] = [];
    const engine = createPlainEngine(slowKernel(), init(), timings(), {}, 'test kernel, plain JavaScript', (r) => changes.push(r), code);
    await engine.run(row.slice(), 1);
    await until(() => creating() === 1);
    await engine.dispose();
    release();
    await until(() => made.length === 1 && made[0]!.disposed);
    await new Promise((r) => setTimeout(r, 200));
    expect(made[0]!.calls, 'not timed after dispose()').to.equal(0);
    expect(changes).to.have.length(0);
  });
});
