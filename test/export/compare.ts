// Shared by the Node and the browser export tests: the evaluation file written by
// python/tests/cases.py, and the comparison of ferryml's outputs with scikit-learn's.
import type { OutputSpec } from '../../src/model/manifest.js';

/** `expected.json`: every evaluation row (as column arrays) and scikit-learn's output for it (null: sklearn refused the row). */
export interface Expected {
  output: OutputSpec;
  columns: string[];
  rows: Array<Array<string | number | boolean | null>>;
  outputs: Array<number[] | null>;
}

/** The evaluation rows as row objects; null values are kept (ferryml reads null as missing). */
export function rowObjects(expected: Expected): Array<Record<string, unknown>> {
  return expected.rows.map((values) => Object.fromEntries(expected.columns.map((c, i) => [c, values[i]])));
}

/**
 * Absolute `within` for probabilities; relative for regression values (grams, square millimetres).
 * 1e-5 for dense models (float32 arithmetic); tree ensembles are held to 1e-6 (see TREE_TOLERANCE).
 */
export function closeEnough(output: OutputSpec, got: number, want: number, within = 1e-5): boolean {
  const tolerance = output.kind === 'classification' ? within : within * Math.max(1, Math.abs(want));
  return Math.abs(got - want) <= tolerance;
}

/**
 * Compares outputs row by row; returns the mismatches (empty when all agree), each naming the row.
 * `got[i]` null means ferryml rejected row i, which is right exactly where scikit-learn refused it.
 */
export function compareOutputs(expected: Expected, got: ReadonlyArray<ArrayLike<number> | null>, within = 1e-5): string[] {
  const problems: string[] = [];
  expected.outputs.forEach((want, i) => {
    const have = got[i];
    if (want === null || have === null || have === undefined) {
      if (want !== null || have !== null)
        problems.push(`row ${i}: sklearn ${want === null ? 'refused it' : 'predicted'}, ferryml ${have === null ? 'rejected it' : 'predicted'}`);
      return;
    }
    if (have.length !== want.length) problems.push(`row ${i}: ${have.length} outputs, sklearn has ${want.length}`);
    else
      for (let k = 0; k < want.length; k++)
        if (!closeEnough(expected.output, have[k]!, want[k]!, within)) {
          problems.push(`row ${i} output ${k}: ferryml ${have[k]}, sklearn ${want[k]}`);
          break;
        }
  });
  return problems;
}

/** Tree ensembles: routing is exact and sums are float64, so only the float32 output rounding is left. */
export const TREE_TOLERANCE = 1e-6;
