// Node side of the `preprocess` benchmark: ferryml's compiled transform (validate + transform in
// one pass) timed with performance.now() in a long-lived child process that answers the same
// JSON-line commands as sklearn_bench.py. Run: node --import tsx node-timer.ts schema.json rows.json
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { compileSchema } from '../../src/schema/compile.js';
import type { Schema } from '../../src/schema/types.js';
import { tile, type TimerCommand } from './rows.js';

const [schemaPath, rowsPath] = process.argv.slice(2) as [string, string];
const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Schema;
const source = JSON.parse(readFileSync(rowsPath, 'utf8')) as Array<Record<string, unknown>>;
const compiled = compileSchema(schema);
const inputs = new Map<number, { rows: Array<Record<string, unknown>>; out: Float32Array }>();
const input = (n: number) => {
  let v = inputs.get(n);
  if (!v) inputs.set(n, (v = { rows: tile(source, n), out: new Float32Array(n * compiled.width) }));
  return v;
};

console.log(JSON.stringify({ ready: true, node: process.version, width: compiled.width }));
createInterface({ input: process.stdin }).on('line', (line) => {
  const cmd = JSON.parse(line) as TimerCommand;
  const { rows, out } = input(cmd.rows);
  if (cmd.op === 'sample') {
    const t0 = performance.now();
    for (let k = 0; k < cmd.calls; k++) compiled.transformInto(rows, out);
    console.log(JSON.stringify({ ms: (performance.now() - t0) / cmd.calls }));
  } else {
    const result = compiled.transformInto(rows, out);
    const w = compiled.width;
    console.log(JSON.stringify({ out: rows.map((_, r) => Array.from(out.subarray(r * w, (r + 1) * w))), rejected: Array.from(result.rejected) }));
  }
});
