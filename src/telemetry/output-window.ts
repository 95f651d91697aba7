/**
 * Output windows: what the model answered, per telemetry window — predicted-class shares and a
 * top-1 confidence histogram for classifiers, a value histogram per output for regressors —
 * against the bundle's output baseline (src/model/output-baseline.ts), scored with the same PSI
 * as input drift; plus counts of strange outputs (./output-strange.ts).
 *
 * Off the predict path: `capture` copies the batch's output values (one copy, no decision); in a
 * later task once the runtime reported the batch (`settled()`), one task for all the batches of
 * ~200 ms, the sampler picks the rows to count (every row of a window's first `driftExactRows`,
 * then ~1 in `driftSampleEvery`, weighted) and they are counted.
 */
import type { OutputSpec } from '../model/manifest.js';
import { topProbability } from '../model/output-baseline.js';
import type { OutputBaseline } from '../model/output-baseline.js';
import { baselineBin } from '../schema/bin.js';
import type { DriftSampling, DriftWindow } from './drift.js';
import { createRowSampler } from './drift-sampler.js';
import { STRANGE_OUTPUT_CODES, sameRow, strangeRow } from './output-strange.js';
import type { StrangeOutputCode } from './output-strange.js';
import { expectedShares, psi } from './psi.js';
import { later } from './timer.js';

/** What a closed output window reports. */
export interface ClosedOutputWindow {
  /**
   * One per baseline feature that saw rows; PSI only from the minimum rows on. The caller holds a
   * window under the minimum and merges it into the next (k-anonymity.ts), as for input drift.
   */
  windows: DriftWindow[];
  /** Strange-output counts (rows; estimated when sampled), codes with a count only. */
  strange: Array<{ code: StrangeOutputCode; count: number }>;
}

/** Captured rows wait this long before they are counted (together with every batch captured meanwhile). */
const COUNT_DELAY_MS = 200;

/** Past this many buffered floats the waiting rows are counted at once (memory stays bounded). */
const MAX_FLOATS = 1 << 17;

/** Output monitoring of one model with output `spec`; `baseline` undefined: strange outputs only. */
export function createOutputWindows(spec: OutputSpec, baseline: OutputBaseline | undefined, minRows: number, sampling: DriftSampling) {
  const sampler = createRowSampler(sampling.exactRows, sampling.every, sampling.random);
  const classifier = spec.kind === 'classification';
  const features = (baseline?.features ?? []).map((f) => ({
    name: f.name,
    kind: f.baseline.kind,
    edges: f.baseline.kind === 'numeric' ? f.baseline.edges : [],
    expected: expectedShares(f.baseline),
    counts: new Float64Array(f.baseline.shares.length + 2),
    observed: 0,
  }));
  const classF = classifier ? features.find((f) => f.name === 'class' && f.kind === 'categorical') : undefined;
  const confF = classifier ? features.find((f) => f.name === 'confidence' && f.kind === 'numeric') : undefined;
  // Baseline categories are the labels in spec order, so a class index is its bin.
  const strange = new Float64Array(STRANGE_OUTPUT_CODES.length);
  const code = (c: StrangeOutputCode) => STRANGE_OUTPUT_CODES.indexOf(c);
  let width = 0;
  /** Output rows of the batches since the last count, all of them (the sampler picks when counting). */
  let buffer = new Float32Array(0);
  let picks = new Int32Array(257);
  let waiting = 0;
  let scheduled = false;
  let first: Float32Array | undefined;
  let identical = true;
  let rows = 0;
  let observed = 0;

  const add = (f: (typeof features)[number] | undefined, bin: number, w: number) => {
    if (!f) return;
    f.counts[bin] = (f.counts[bin] as number) + w;
    f.observed++;
  };

  /**
   * Counts `n` rows of `source` (the buffer, or a batch too large for it), in arrival order: the
   * sampler picks them here, so the predict path makes no sampling decision (the same rows, in
   * the same order, get the same picks and weights as when it did).
   */
  const countRows = (source: Float32Array, n: number) => {
    const binary = classifier && width === 1 && spec.labels.length === 2;
    if (picks.length <= n) picks = new Int32Array(n + 1);
    const picked = sampler.pick(n, picks);
    for (let i = 0; i < picked; i++) {
      const at = (picks[i] as number) * width;
      const w = i < sampler.exact ? 1 : sampler.weight;
      rows += w;
      observed++;
      if (!first) first = source.slice(at, at + width);
      else if (identical && !sameRow(source, at, first, width)) identical = false;
      const odd = strangeRow(source, at, width, classifier, binary);
      if (odd) strange[code(odd)] = (strange[code(odd)] as number) + w;
      if (odd === 'NON_FINITE') {
        // Missing in every watched quantity: the slot after the bins.
        for (const f of features) add(f, f.counts.length - 2, w);
        continue;
      }
      if (classifier) {
        const top = topProbability(source.subarray(at, at + width), binary);
        add(classF, top.index, w);
        if (confF) add(confF, baselineBin(confF.edges, top.p), w);
      } else for (let c = 0; c < features.length && c < width; c++) add(features[c], baselineBin(features[c]!.edges, source[at + c] as number), w);
    }
  };

  const count = () => {
    if (waiting > 0) countRows(buffer, waiting);
    waiting = 0;
  };

  return {
    /** A batch's output (`rows` × `width`): one copy of its values; picking and counting happen later. */
    capture(output: Float32Array, batchRows: number, batchWidth: number): void {
      if (batchRows <= 0) return;
      if (batchWidth <= 0 || output.length < batchRows * batchWidth) {
        strange[code('EMPTY')] = (strange[code('EMPTY')] as number) + batchRows;
        return;
      }
      if (batchWidth !== width) {
        count();
        width = batchWidth;
      }
      const floats = batchRows * width;
      if ((waiting + batchRows) * width > MAX_FLOATS) count();
      // A batch larger than the bound alone is counted now, from the model's own output.
      if (floats > MAX_FLOATS) return countRows(output, batchRows);
      if (waiting * width + floats > buffer.length) {
        const next = new Float32Array(Math.min(MAX_FLOATS, Math.max(waiting * width + floats, 2 * buffer.length, 64 * width)));
        next.set(buffer.subarray(0, waiting * width));
        buffer = next;
      }
      const to = waiting * width;
      if (floats <= 16) for (let i = 0; i < floats; i++) buffer[to + i] = output[i] as number;
      else buffer.set(floats === output.length ? output : output.subarray(0, floats), to);
      waiting += batchRows;
    },
    /**
     * The runtime is done with the batches captured so far: count them in a later task. One task
     * per {@link COUNT_DELAY_MS} at most, not one per batch: a second task per predict call (input
     * drift already posts one) cost more than counting the rows (`npm run bench -- --only telemetry`).
     */
    settled(): void {
      if (scheduled || waiting === 0) return;
      scheduled = true;
      later(() => {
        scheduled = false;
        count();
      }, COUNT_DELAY_MS);
    },
    /** Counts what waits and closes the window. */
    close(): ClosedOutputWindow {
      count();
      if (first && identical && observed >= Math.max(2, minRows)) strange[code('CONSTANT')] = (strange[code('CONSTANT')] as number) + rows;
      const windows: DriftWindow[] = [];
      for (const f of features) {
        const counts = [...f.counts];
        const total = counts.reduce((a, b) => a + b, 0);
        if (total > 0) {
          windows.push({
            feature: f.name,
            kind: f.kind,
            counts,
            outOfRange: 0,
            rows: Math.round(total),
            observed: f.observed,
            weight: total > f.observed ? sampler.weight : 1,
            expected: f.expected,
            psi: f.observed >= minRows ? psi(f.expected, counts) : null,
          });
        }
        f.counts.fill(0);
        f.observed = 0;
      }
      const out = STRANGE_OUTPUT_CODES.map((c, i) => ({ code: c, count: Math.round(strange[i] as number) })).filter((s) => s.count > 0);
      strange.fill(0);
      first = undefined;
      identical = true;
      rows = observed = 0;
      sampler.restart();
      return { windows, strange: out };
    },
  };
}
