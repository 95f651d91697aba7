// Item 5, `preprocess`: ferryml's transform (validate + transform, compiled from schema.json) of
// 1 row and of 100,000 rows, in Node and in Chromium, ÷ scikit-learn's
// ColumnTransformer.transform holding the same fitted values, all in the same run: the three
// timers are long-lived processes/pages and take turns round by round.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Schema } from '../../src/index.js';
import type { BenchContext } from '../lib/context.js';
import { openPage } from '../lib/context.js';
import { judged, pending, ratioFigure, type Figure, type ItemResult } from '../lib/item.js';
import { startLineProcess } from '../lib/line-process.js';
import { pairedRatio, sig, summarize } from '../lib/stats.js';
import type { TimerCommand } from '../preprocess/rows.js';

const KEY = 'preprocess';
const TITLE = 'ferryml transform ÷ scikit-learn ColumnTransformer.transform';

type Sampler = (cmd: TimerCommand) => Promise<{ ms?: number; out?: number[][]; rejected?: number[] }>;

/** Calls per sample so one sample takes about `targetMs` (coarse browser clocks need ≥ 15 ms). */
async function calibrate(sample: Sampler, rows: number, targetMs: number): Promise<number> {
  let calls = 1;
  for (;;) {
    const { ms = 0 } = await sample({ op: 'sample', rows, calls });
    if (ms * calls >= targetMs / 4 || calls >= 100_000) return Math.max(1, Math.min(100_000, Math.ceil(targetMs / Math.max(ms, 1e-6))));
    calls *= 10;
  }
}

/** Rows for the benchmark: the training data file when its keys cover the schema, else the golden rows. */
function chooseRows(ctx: BenchContext, schema: Schema): { file: string; source: string; count: number } {
  const b = ctx.bundles.penguins!;
  const vega = join(ctx.root, 'node_modules/vega-datasets/data/penguins.json');
  const candidates: Array<[string, () => unknown[]]> = [
    ['vega-datasets/data/penguins.json', () => JSON.parse(readFileSync(vega, 'utf8')) as unknown[]],
    [
      `${b.name} ${b.version} golden.json`,
      () => (JSON.parse(readFileSync(join(b.dir, b.manifest.golden ?? 'golden.json'), 'utf8')) as { rows: unknown[] }).rows,
    ],
  ];
  for (const [source, load] of candidates) {
    let rows: unknown[];
    try {
      rows = load();
    } catch {
      continue;
    }
    const keys = new Set(rows.flatMap((r) => Object.keys(r as object)));
    if (rows.length && schema.columns.every((c) => keys.has(c.name))) {
      mkdirSync(join(ctx.build, 'data'), { recursive: true });
      const file = join(ctx.build, 'data', 'preprocess-rows.json');
      writeFileSync(file, JSON.stringify(rows));
      return { file, source, count: rows.length };
    }
  }
  throw new Error('no row source has every schema column (tried vega-datasets penguins.json and the golden rows)');
}

/** Runs the item; see the file comment. */
export async function preprocessItem(ctx: BenchContext): Promise<ItemResult> {
  if (ctx.deps.compile !== true) return pending(KEY, TITLE, ctx.deps.compile);
  const b = ctx.bundles.penguins;
  if (!b) return pending(KEY, TITLE, 'the penguins bundle (models/penguins/<version>/) is not there yet');
  const schemaFile = join(b.dir, b.manifest.schema);
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as Schema;
  const rows = chooseRows(ctx, schema);
  const py = startLineProcess('/usr/bin/python3', [join(ctx.root, 'bench/preprocess/sklearn_bench.py'), schemaFile, rows.file], ctx.root);
  const node = startLineProcess(process.execPath, ['--import', 'tsx', join(ctx.root, 'bench/preprocess/node-timer.ts'), schemaFile, rows.file], ctx.root);
  const { page, context } = await openPage(ctx, 'preprocess');
  try {
    const [pyReady] = await Promise.all([py.ready, node.ready]);
    await page.evaluate(([s, r]) => (window as unknown as { bench: { setup(a: string, b: string): Promise<unknown> } }).bench.setup(s, r), [
      `${b.url}/${b.manifest.schema}`,
      `/${rows.file.slice(ctx.root.length + 1)}`,
    ] as const);
    const samplers: Record<'sklearn' | 'node' | 'chromium', Sampler> = {
      sklearn: (c) => py.ask(c),
      node: (c) => node.ask(c),
      chromium: (c) => page.evaluate((cmd) => (window as unknown as { bench: { run(c: TimerCommand): unknown } }).bench.run(cmd), c) as ReturnType<Sampler>,
    };

    // Same fitted values on both sides: compare outputs on the first 2,000 rows.
    const n = Math.min(2000, rows.count * 6);
    const [ref, nodeOut, webOut] = await Promise.all([
      samplers.sklearn({ op: 'parity', rows: n }),
      samplers.node({ op: 'parity', rows: n }),
      samplers.chromium({ op: 'parity', rows: n }),
    ]);
    let maxDiff = 0;
    let compared = 0;
    let identical = true;
    nodeOut.out!.forEach((row, r) => {
      if (webOut.out![r]!.some((v, j) => !Object.is(v, row[j]))) identical = false;
      if (nodeOut.rejected![r]) return;
      compared++;
      row.forEach((v, j) => void (maxDiff = Math.max(maxDiff, Math.abs(v - ref.out![r]![j]!))));
    });

    const figures: Figure[] = [];
    const sizes = ctx.quick
      ? [
          [1, 3],
          [100_000, 2],
        ]
      : [
          [1, 15],
          [100_000, 9],
        ];
    for (const [size, rounds] of sizes as Array<[number, number]>) {
      const target = size === 1 ? 30 : 60;
      const calls = {
        sklearn: await calibrate(samplers.sklearn, size, target),
        node: await calibrate(samplers.node, size, target),
        chromium: await calibrate(samplers.chromium, size, target),
      };
      const samples: Record<keyof typeof samplers, number[]> = { sklearn: [], node: [], chromium: [] };
      const names = Object.keys(samplers) as Array<keyof typeof samplers>;
      for (let r = 0; r < rounds; r++) {
        for (const name of r % 2 ? [...names].reverse() : names) {
          samples[name].push((await samplers[name]({ op: 'sample', rows: size, calls: calls[name] })).ms!);
        }
      }
      const label = size === 1 ? '1 row' : `${size.toLocaleString('en')} rows`;
      for (const side of ['node', 'chromium'] as const) {
        figures.push(
          ratioFigure(
            `${label}, ${side === 'node' ? 'Node' : 'Chromium'}`,
            pairedRatio(samples[side], samples.sklearn),
            { ferryml: summarize(samples[side]), sklearn: summarize(samples.sklearn) },
            {
              target: { op: '<=', value: size === 1 ? 0.01 : 1.0 },
              formula: `ferryml ${side} ms ÷ sklearn ms (per transform of ${label})`,
              detail: { callsPerSample: { ferryml: calls[side], sklearn: calls.sklearn } },
            },
          ),
        );
      }
    }
    return judged({
      key: KEY,
      title: TITLE,
      status: 'measured',
      figures,
      facts: {
        rows: `${rows.source} (${rows.count} rows, tiled to 100,000)`,
        sklearn: pyReady['sklearn'],
        parity: { rowsCompared: compared, rejectedByFerryml: n - compared, maxAbsDiffVsSklearn: sig(maxDiff), nodeEqualsChromiumBitForBit: identical },
        notes: 'sklearn gets a pre-cleaned DataFrame (None and missing strings → NaN, untimed); only ColumnTransformer.transform is timed',
      },
    });
  } finally {
    py.close();
    node.close();
    await context.close();
  }
}
