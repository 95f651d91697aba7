/**
 * Palmer-penguins species classifier: vega-datasets `data/penguins.json` (CC0; nulls in every
 * numeric column, island and sex as strings, a stray "." in Sex), preprocessing fitted with the
 * SDK's own `fitSchema` — the exact code the browser runs — and a small tfjs MLP.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fitSchema } from '../src/schema/fit.js';
import { compileSchema } from '../src/schema/compile.js';
import type { FitSpec } from '../src/schema/spec.js';
import type { Schema } from '../src/schema/types.js';
import { stratifiedSplit, shuffledIndices, seededRandom } from './random.js';
import { progressBar } from './progress.js';
import { tf, tfl } from './tfjs.js';

/** The data file as shipped by vega-datasets (its package `exports` hide data/ from require.resolve). */
export const PENGUINS_FILE = fileURLToPath(new URL('../node_modules/vega-datasets/data/penguins.json', import.meta.url));
export const SPECIES = ['Adelie', 'Chinstrap', 'Gentoo'];
export type PenguinRow = Record<string, string | number | null>;

/** The 344 rows as shipped, plus the file's sha256. */
export function loadPenguins(): { rows: PenguinRow[]; sha256: string; source: string } {
  const bytes = readFileSync(PENGUINS_FILE);
  return {
    rows: JSON.parse(bytes.toString()) as PenguinRow[],
    sha256: createHash('sha256').update(bytes).digest('hex'),
    source: 'npm:vega-datasets@3 data/penguins.json',
  };
}

const measurement = { type: 'number', impute: 'median', scale: 'standard', parse: { strings: 'decimal' } } as const;

/** The two shipped versions differ in inputs and capacity, so a rollback is visible in the demo. */
export const PENGUIN_VERSIONS = {
  '1.0.0': {
    hidden: 8,
    epochs: 30,
    spec: {
      label: 'Species',
      columns: {
        Island: { type: 'category', encode: 'onehot', unknown: 'ignore' },
        'Beak Length (mm)': measurement,
        'Beak Depth (mm)': measurement,
        'Flipper Length (mm)': measurement,
        'Body Mass (g)': measurement,
      },
    },
  },
  '1.1.0': {
    hidden: 16,
    epochs: 60,
    spec: {
      label: 'Species',
      columns: {
        Island: { type: 'category', encode: 'onehot', unknown: 'ignore' },
        'Beak Length (mm)': measurement,
        'Beak Depth (mm)': measurement,
        'Flipper Length (mm)': measurement,
        'Body Mass (g)': { ...measurement, impute: 'mean' },
        Sex: { type: 'category', missing: { strings: ['.', ''] }, impute: 'most_frequent', encode: 'onehot', unknown: 'ignore' },
      },
    },
  },
} satisfies Record<string, { hidden: number; epochs: number; spec: FitSpec }>;

export interface PenguinOptions {
  version: keyof typeof PENGUIN_VERSIONS;
  seed: number;
  /** Override the version's epoch count (fast reproducibility checks). */
  epochs?: number;
}

/** Fits the schema on the training split, trains the MLP, and evaluates on the held-out split. */
export async function trainPenguins(options: PenguinOptions) {
  const data = loadPenguins();
  const config = PENGUIN_VERSIONS[options.version];
  const labels = data.rows.map((r) => String(r['Species']));
  const split = stratifiedSplit(labels, 0.2, options.seed);
  const trainRows = split.train.map((i) => data.rows[i]!);
  // Fit on the training split only: the held-out accuracy must not see test statistics.
  const schema: Schema = fitSchema(config.spec, trainRows);
  const compiled = compileSchema(schema);
  const encode = (idx: number[]) => {
    const { values, rejected } = compiled.safeParseBatch(idx.map((i) => data.rows[i]!));
    if (rejected.some((r) => r === 1)) throw new Error('a training row failed validation: the fit spec is wrong');
    return {
      x: tf.tensor2d(values, [idx.length, compiled.width]),
      y: tf.oneHot(
        tf.tensor1d(
          idx.map((i) => SPECIES.indexOf(labels[i]!)),
          'int32',
        ),
        SPECIES.length,
      ),
    };
  };
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({
        inputShape: [compiled.width],
        units: config.hidden,
        activation: 'relu',
        kernelInitializer: tfl.initializers.heNormal({ seed: options.seed + 1 }),
      }),
      tfl.layers.dense({ units: SPECIES.length, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: options.seed + 2 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const epochs = options.epochs ?? config.epochs;
  const random = seededRandom(options.seed + 3);
  const bar = progressBar(`penguins ${options.version}`, epochs);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = shuffledIndices(split.train.length, random).map((i) => split.train[i]!);
    const { x, y } = encode(order);
    // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- tfjs does not export its ModelLoggingVerbosity enum; 0 is SILENT
    const h = await model.fit(x, y, { epochs: 1, batchSize: 32, shuffle: false, verbose: 0 });
    bar.update(epoch + 1, `loss ${Number(h.history['loss']?.[0]).toFixed(3)}`);
    x.dispose();
    y.dispose();
  }
  bar.finish();
  const evaluate = () => {
    const { x, y } = encode(split.test);
    const right = tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(model.predict(x) as tf.Tensor, 1), tf.argMax(y, 1)), 'int32')).dataSync()[0]!);
    x.dispose();
    y.dispose();
    return right / split.test.length;
  };
  return { model, schema, compiled, data, split, evaluate, trainRows: split.train.length };
}

/** Golden rows: held-out rows, one per species and island seen, plus rows with missing values. */
export function penguinGoldenRows(rows: PenguinRow[], test: number[]): PenguinRow[] {
  const picked = new Map<string, PenguinRow>();
  for (const i of test) {
    const r = rows[i]!;
    const key = `${String(r['Species'])}/${String(r['Island'])}`;
    if (!picked.has(key)) picked.set(key, r);
  }
  const withMissing = test.map((i) => rows[i]!).filter((r) => Object.values(r).some((v) => v === null || v === '.'));
  return [...picked.values(), ...withMissing.slice(0, 3)].map(({ Species: _label, ...inputs }) => inputs);
}
