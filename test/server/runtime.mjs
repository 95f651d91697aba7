// Runs the real `ferryml predict` CLI (Node, through tsx) for the browser tests, so one test can
// compare the browser's predictions with Node's on the same bundle and rows:
//
//   POST /__ferryml-predict   body { bundle: "models/<name>/<version>", rows: [...], backend?: "wasm"|"cpu" }
//                             → { status, stdout, stderr } of `ferryml predict --bundle … --data rows.json`
//
// Only bundle directories under models/ or test/ (no "..") are accepted.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function run(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/node/cli.ts', ...args], { cwd: process.cwd() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

export const middleware = [
  async (ctx, next) => {
    if (ctx.path !== '/__ferryml-predict' || ctx.method !== 'POST') return next();
    const { bundle, rows, backend } = await readBody(ctx.req);
    if (typeof bundle !== 'string' || !/^(models|test)\//.test(bundle) || bundle.split('/').includes('..') || !Array.isArray(rows)) {
      ctx.status = 400;
      ctx.body = { error: 'bundle must be a directory under models/ or test/, rows an array' };
      return;
    }
    const dir = await mkdtemp(join(tmpdir(), 'ferryml-wtr-predict-'));
    const data = join(dir, 'rows.json');
    try {
      await writeFile(data, JSON.stringify(rows));
      ctx.type = 'application/json';
      ctx.body = await run(['predict', '--bundle', bundle, '--data', data, ...(backend ? ['--backend', backend] : [])]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
];
