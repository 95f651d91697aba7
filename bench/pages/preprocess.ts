// Chromium side of the `preprocess` benchmark: the same compiled transform as the Node timer,
// on the same tiled rows, answering the same commands through `window.bench`.
import { compileSchema, type CompiledSchema } from '../../src/entries/schema.js';
import { type Schema } from '../../src/index.js';
import { tile, type TimerCommand } from '../preprocess/rows.js';

let compiled: CompiledSchema | undefined;
let source: Array<Record<string, unknown>> = [];
const inputs = new Map<number, { rows: Array<Record<string, unknown>>; out: Float32Array }>();

async function setup(schemaUrl: string, rowsUrl: string) {
  const schema = (await (await fetch(schemaUrl)).json()) as Schema;
  source = (await (await fetch(rowsUrl)).json()) as Array<Record<string, unknown>>;
  compiled = compileSchema(schema);
  return { width: compiled.width, userAgent: navigator.userAgent };
}

function run(cmd: TimerCommand) {
  const c = compiled!;
  let v = inputs.get(cmd.rows);
  if (!v) inputs.set(cmd.rows, (v = { rows: tile(source, cmd.rows), out: new Float32Array(cmd.rows * c.width) }));
  const { rows, out } = v;
  if (cmd.op === 'sample') {
    const t0 = performance.now();
    for (let k = 0; k < cmd.calls; k++) c.transformInto(rows, out);
    return { ms: (performance.now() - t0) / cmd.calls };
  }
  const result = c.transformInto(rows, out);
  return { out: rows.map((_, r) => Array.from(out.subarray(r * c.width, (r + 1) * c.width))), rejected: Array.from(result.rejected) };
}

Object.assign(window, { bench: { setup, run } });
