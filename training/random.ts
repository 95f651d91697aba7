/** Seeded randomness for reproducible training: the same seed gives the same split, order and weights. */

/** mulberry32: a small, fast, well-distributed 32-bit PRNG; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle of indices 0..n-1 with the given generator. */
export function shuffledIndices(n: number, random: () => number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx;
}

/**
 * Stratified train/test split: each class keeps its share in both parts, so a small
 * held-out set still measures every class.
 */
export function stratifiedSplit(labels: readonly string[], testShare: number, seed: number): { train: number[]; test: number[] } {
  const random = seededRandom(seed);
  const byClass = new Map<string, number[]>();
  labels.forEach((label, i) => byClass.set(label, [...(byClass.get(label) ?? []), i]));
  const train: number[] = [];
  const test: number[] = [];
  for (const key of [...byClass.keys()].sort()) {
    const members = byClass.get(key)!;
    const order = shuffledIndices(members.length, random).map((i) => members[i]!);
    const nTest = Math.round(members.length * testShare);
    test.push(...order.slice(0, nTest));
    train.push(...order.slice(nTest));
  }
  const trainOrder = shuffledIndices(train.length, random);
  return { train: trainOrder.map((i) => train[i]!), test: test.sort((a, b) => a - b) };
}
