/**
 * Where the bundle phase of a load went (issue 15): the steps of opening a bundle run side by
 * side (README "Load phases run side by side"), so their durations would overlap and add up to
 * more than `bundleMs`; what tells which step waited for which is when each one finished. Marked
 * by ./load-bundle.ts, ./resolve-target.ts and ./download-version.ts as they happen, reported on
 * `model.info.timings` and in the load telemetry.
 */

/** When each step of opening the bundle finished, in ms since `loadModel` was called; a step that did not run is absent. */
export interface BundlePhases {
  /** The IndexedDB connection was open (slow on a fresh browser profile, where it creates the database). */
  cacheOpenAt?: number;
  /** The cache said whether it holds the pinned version (one read of its record, or of the blob keys when it has none). */
  cacheReadAt?: number;
  /** The registry's bytes were in. */
  registryAt?: number;
  /** The version was resolved (registry parsed, verified when a key is given, version chosen). */
  resolvedAt?: number;
  /** The version's manifest was in (a download only). */
  manifestAt?: number;
  /** The first of the version's files was requested (a download only). */
  filesRequestedAt?: number;
  /** Every file was in hand and verified against the manifest's sha256 (from the network or the cache). */
  verifiedAt?: number;
}

/** A step's name. */
export type BundlePhase = keyof BundlePhases;

/** Records `performance.now()` of each phase the first time it is marked. */
export interface PhaseClock {
  mark: (phase: BundlePhase) => void;
  /** The marks as ms since `start`, one decimal rounded down (never past a total measured after them). */
  since: (start: number) => BundlePhases;
}

/** A clock with no marks yet. */
export function phaseClock(): PhaseClock {
  const at: BundlePhases = {};
  return {
    mark: (phase) => {
      at[phase] ??= performance.now();
    },
    since: (start) => {
      const out: BundlePhases = {};
      for (const [phase, t] of Object.entries(at) as Array<[BundlePhase, number]>) out[phase] = Math.floor((t - start) * 10) / 10;
      return out;
    },
  };
}
