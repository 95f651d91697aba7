// What every compared pipeline returns, and the decode step the hand-written baselines share.

/** One decoded classification, the shape ferryml's predict() also returns. */
export interface Prediction {
  label: string;
  probabilities: Record<string, number>;
}

/** A compared prediction path: one row in, a decoded prediction out. */
export interface Pipeline {
  /** One decoded prediction ({@link Prediction} for the baselines, ferryml's own type for ferryml). */
  predict(row: Record<string, unknown>): Promise<unknown>;
  /** Raw output vectors for `rows` (one call), for checking that two paths compute the same thing. */
  outputs(rows: Array<Record<string, unknown>>): Promise<number[][]>;
  dispose(): void;
}

/** Arg-max label and probabilities by label, as a developer writes it next to raw tfjs or ORT. */
export function decode(p: ArrayLike<number>, labels: readonly string[]): Prediction {
  let best = 0;
  const probabilities: Record<string, number> = {};
  for (let i = 0; i < labels.length; i++) {
    probabilities[labels[i]!] = p[i]!;
    if (p[i]! > p[best]!) best = i;
  }
  return { label: labels[best]!, probabilities };
}

/** Splits a flat `rows × width` array into rows of plain numbers. */
export function splitRows(flat: ArrayLike<number>, width: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < flat.length; i += width) out.push(Array.from({ length: width }, (_, j) => flat[i + j]!));
  return out;
}
