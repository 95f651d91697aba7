// Shared data for the schema suites: the real, messy vega-datasets tables, the fit specs the
// parity tests use, and deterministic perturbations that stand in for inference-time input.
import type { FitSpec } from '../../src/schema/spec.js';
import { readJsonFile } from './io.js';

/** A raw row as the datasets hold it. */
export type Row = Record<string, unknown>;

/** One parity case: a dataset, a fit spec, and how its inference rows are perturbed. */
export interface Case {
  name: string;
  data: string;
  spec: string;
  /** Adds derived columns the spec uses (e.g. a boolean) to the raw rows. */
  derive?: (row: Row) => Row;
  /** Deterministic inference-time mess; `errors` adds values that must be rejected. */
  mess: (row: Row, i: number, errors: boolean) => Row;
}

const DATA = 'node_modules/vega-datasets/data';
const FIXTURES = 'test/fixtures/schema';

function messPenguins(row: Row, i: number, errors: boolean): Row {
  const r = { ...row };
  if (i % 7 === 3) r.Island = 'Atlantis'; // unseen category
  if (i % 11 === 5 && typeof r['Body Mass (g)'] === 'number') r['Body Mass (g)'] = ` ${r['Body Mass (g)']} `; // decimal string
  if (i % 13 === 6) r['Beak Length (mm)'] = 70; // outside the training range
  if (i % 17 === 2) delete r['Flipper Length (mm)']; // absent key
  if (i % 19 === 4) r.Sex = ' .'; // missing placeholder (trimmed)
  if (i % 23 === 7) r['Beak Depth (mm)'] = NaN; // NaN is missing
  if (i % 47 === 11) r['Body Mass (g)'] = 4374.99; // just under a uniform edge (4375): stays below (no eps since sklearn 1.1)
  if (errors && i % 29 === 8) r['Body Mass (g)'] = '4,150'; // PARSE_ERROR
  if (errors && i % 31 === 9) r.Island = 42; // TYPE_MISMATCH
  if (errors && i % 37 === 10) r['Beak Length (mm)'] = Infinity; // NOT_FINITE
  return r;
}

function messCars(row: Row, i: number, errors: boolean): Row {
  const r = { ...row };
  if (i % 7 === 3) r.Origin = 'Mars';
  if (i % 11 === 5) r.Cylinders = 7;
  if (i % 13 === 6) r.Year = '1999-01-01';
  if (i % 17 === 2) r.Miles_per_Gallon = null;
  if (i % 19 === 4) delete r.Horsepower;
  if (i % 23 === 7) r.Weight_in_lbs = 9000;
  if (errors && i % 29 === 8) r.Displacement = '307';
  if (errors && i % 31 === 9) delete r.Acceleration;
  return r;
}

/** The parity cases: two penguins specs (one-hot/scaling, ordinal/booleans) and cars. */
export const CASES: Case[] = [
  { name: 'penguins-a', data: `${DATA}/penguins.json`, spec: `${FIXTURES}/penguins-a.spec.json`, mess: messPenguins },
  {
    name: 'penguins-b',
    data: `${DATA}/penguins.json`,
    spec: `${FIXTURES}/penguins-b.spec.json`,
    derive: (row) => ({ ...row, Heavy: typeof row['Body Mass (g)'] === 'number' ? row['Body Mass (g)'] > 4000 : null }),
    mess: (row, i, errors) => {
      const r = messPenguins(row, i, errors);
      if (i % 41 === 1) r.Heavy = null;
      if (errors && i % 43 === 2) r.Heavy = 'yes';
      return r;
    },
  },
  { name: 'cars', data: `${DATA}/cars.json`, spec: `${FIXTURES}/cars.spec.json`, mess: messCars },
];

/** Loads a case: the spec, training rows (two thirds) and the perturbed inference rows (all). */
export async function loadCase(c: Case, errors: boolean): Promise<{ spec: FitSpec; train: Row[]; test: Row[] }> {
  const spec = await readJsonFile<FitSpec>(c.spec);
  const raw = (await readJsonFile<Row[]>(c.data)).map(c.derive ?? ((r) => r));
  return { spec, train: raw.filter((_, i) => i % 3 !== 0), test: raw.map((r, i) => c.mess(r, i, errors)) };
}
