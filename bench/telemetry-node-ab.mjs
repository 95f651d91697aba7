#!/usr/bin/env node
// Telemetry's cost per predict call on the plain-JS engine, in Node, before and after a change:
// `node bench/telemetry-node-ab.mjs [--base <git ref>] [--rounds 600] [--calls 2000]`.
//
// Bundles `src/` twice with esbuild (the working tree, and `--base` via `git archive`, default
// HEAD), loads penguins@1.0.0 five times in one process (base off, base on, tree off, tree on,
// and base on again as the A/A control), each from its own module instance so each has its own
// JIT feedback, as an app with one model. Then rounds of `--calls` sequential awaited `predict`
// calls per variant, in a random order per round, each round ending with one event-loop turn;
// the time is the process's CPU time (`process.cpuUsage`), which other processes on a loaded
// machine disturb less than wall time. Ratios are per round (same round, two variants), and the
// median with p10–p90 is printed. Not part of `npm run bench`: see BENCHMARKS.md
// "Issue 15 item 4" for how its figures were read.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: { base: { type: 'string', default: 'HEAD' }, rounds: { type: 'string', default: '600' }, calls: { type: 'string', default: '2000' } },
});
const rounds = Number(values.rounds);
const calls = Number(values.calls);
const dir = join(root, 'models/penguins/1.0.0');

// Inside the repository, so the bundles' external imports resolve from its node_modules.
mkdirSync(join(root, 'bench/.build'), { recursive: true });
const work = mkdtempSync(join(root, 'bench/.build/telemetry-ab-'));
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
});
try {
  /** Bundles `<srcRoot>/src/load-model.ts` to `<work>/<name>.mjs` (tfjs and idb-keyval stay external: penguins needs neither in Node). */
  const bundle = async (srcRoot, name) => {
    const outfile = join(work, `${name}.mjs`);
    await build({
      entryPoints: [join(srcRoot, 'src/load-model.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      external: ['@tensorflow/*', 'idb-keyval', 'fflate'],
      outfile,
      logLevel: 'warning',
    });
    return pathToFileURL(outfile).href;
  };
  const baseRoot = join(work, 'base');
  execFileSync('git', ['archive', '-o', join(work, 'base.tar'), values.base, 'src'], { cwd: root });
  mkdirSync(baseRoot);
  execFileSync('tar', ['-xf', join(work, 'base.tar'), '-C', baseRoot]);
  const base = await bundle(baseRoot, 'base');
  const tree = await bundle(root, 'tree');

  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${server.address().port}`;
  const rows = JSON.parse(await readFile(join(dir, 'golden.json'), 'utf8')).rows;
  const load = async (url, tag, on) => {
    const { loadModel } = await import(`${url}?${tag}`);
    return loadModel({ files: (p) => readFile(join(dir, p)), ...(on ? { telemetry: { endpoint, drift: true } } : {}) });
  };
  const models = {
    baseOff: await load(base, 'a', false),
    baseOn: await load(base, 'b', true),
    treeOff: await load(tree, 'c', false),
    treeOn: await load(tree, 'd', true),
    baseOn2: await load(base, 'e', true),
  };
  const names = Object.keys(models);
  const run = async (model) => {
    const start = process.cpuUsage();
    for (let k = 0; k < calls; k++) await model.predict(rows[k % rows.length]);
    await new Promise((r) => setImmediate(r));
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
  for (let w = 0; w < 3; w++) for (const name of names) await run(models[name]);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    const order = [...names].sort(() => Math.random() - 0.5);
    for (const name of order) times[name].push(await run(models[name]));
  }
  const quantile = (list, p) => [...list].sort((x, y) => x - y)[Math.floor(p * (list.length - 1))];
  const figure = (a, b) => {
    const ratios = times[a].map((t, i) => t / times[b][i]);
    return `${quantile(ratios, 0.5).toFixed(3)} (p10–p90 ${quantile(ratios, 0.1).toFixed(3)}–${quantile(ratios, 0.9).toFixed(3)})`;
  };
  const us = (name) => ((quantile(times[name], 0.5) * 1000) / calls).toFixed(3);
  console.log(`${rounds} rounds of ${calls} calls, base ${values.base}, Node ${process.version}`);
  for (const name of names) console.log(`  ${name.padEnd(8)} ${us(name)} µs CPU per call (median round)`);
  console.log(`  base: off ÷ on        ${figure('baseOff', 'baseOn')}`);
  console.log(`  tree: off ÷ on        ${figure('treeOff', 'treeOn')}`);
  console.log(`  on: base ÷ tree       ${figure('baseOn', 'treeOn')}  (> 1: the tree's telemetry path is cheaper)`);
  console.log(`  A/A: base on ÷ on     ${figure('baseOn', 'baseOn2')}`);
  const stats = models.treeOn.telemetry.stats();
  if (stats.lastError) console.log(`  tree telemetry lastError: ${stats.lastError}`);
  for (const model of Object.values(models)) await model.dispose();
} finally {
  server.close();
  rmSync(work, { recursive: true, force: true });
}
