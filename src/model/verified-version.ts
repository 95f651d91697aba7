/** One version whose manifest and every file have been checked, wherever the bytes came from. */
import type { Manifest } from './manifest.js';

/** Verified bytes of one version, before assembly into an OpenedBundle. */
export interface VerifiedVersion {
  manifest: Manifest;
  manifestBytes: Uint8Array;
  /** sha256 hex of `manifestBytes`. */
  id: string;
  baseUrl: string;
  /** Every listed file by manifest path. */
  files: Map<string, Uint8Array>;
  /** Bytes fetched for the files in this load (0 when all came from the cache). */
  downloadedBytes: number;
}
