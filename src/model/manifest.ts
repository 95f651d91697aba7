/**
 * Types of a model bundle (`manifest.json`, written by `ferryml pack`) and of the
 * registry (`models/index.json`). See README "Bundle format".
 */

import type { OutputBaseline } from './output-baseline.js';

/** Version of the manifest.json format this code reads and writes. */
export const MANIFEST_FORMAT_VERSION = 1;

/** One file of a bundle: nothing unlisted is ever loaded. */
export interface BundleFile {
  /** Path relative to the bundle directory (no `..`, no leading `/`). */
  path: string;
  bytes: number;
  /** Lower-case hex sha256 of the file's bytes. */
  sha256: string;
}

/**
 * One named model output and its shape per row (without the batch dimension), in the model's
 * output order. Several outputs reach the decoder packed per row, one after another.
 */
export interface OutputTensor {
  name: string;
  shape: number[];
}

/**
 * One named model input, fed by the next `product(shape)` values of the transformed row (inputs
 * take the row's features in this order). `shape` is per row, without the batch dimension, and
 * fixes any dynamic (`-1`) dimension of the model's own input. @default dtype "float32"
 */
export interface InputTensor {
  name: string;
  shape: number[];
  dtype?: 'float32' | 'int32';
}

/**
 * Detections from an SSD-style model: per box, 4 coordinates in `boxes` and either one score
 * per class (`scores` shaped `[boxes, classes]`; the best class wins) or one score (`[boxes]`,
 * with the class in the `classes` output). Boxes above `scoreThreshold` go through greedy
 * non-max suppression as `tf.image.nonMaxSuppression` does it (a box is dropped when its IoU
 * with a kept one is ≥ `iouThreshold`), at most `maxDetections` kept, best score first.
 */
export interface DetectionSpec {
  kind: 'detection';
  outputs: OutputTensor[];
  /** Name of the output holding the boxes (`[n, 4]`). */
  boxes: string;
  /** Name of the output holding the scores (`[n]` or `[n, classes]`). */
  scores: string;
  /** Name of the output holding each box's class index (`[n]`), for one score per box. */
  classes?: string;
  /** Class names by index; absent: the index as a string. */
  labels?: string[];
  /** Order of the 4 box values. @default "yxyx" (TensorFlow's [y1, x1, y2, x2]) */
  boxFormat?: 'yxyx' | 'xyxy';
  /**
   * What the box values measure: `"normalized"`, 0..1 of the model's input (TF Object Detection API
   * heads), or `"pixels"` of the model's input (YOLO-style). Only `sourceBox` depends on it. @default "normalized"
   */
  boxUnits?: 'normalized' | 'pixels';
  /** A class index that means "no object" (SSD's background, usually 0), never reported. */
  background?: number;
  /** @default 0.5 */
  scoreThreshold?: number;
  /** @default 0.5 */
  iouThreshold?: number;
  /**
   * `true`: class-agnostic NMS; `"per-class"`: a box suppresses only boxes of its own class (as
   * `tf.image.nonMaxSuppression` run per class, merged best first); `false` for a model that
   * suppresses overlaps itself (TF Object Detection API exports): threshold and sort only. @default true
   */
  nms?: boolean | 'per-class';
  /** @default 20 */
  maxDetections?: number;
}

/** How the model's output is decoded. */
export type OutputSpec =
  | { kind: 'classification'; labels: string[] }
  | { kind: 'regression'; names?: string[] }
  /** Named typed arrays with their shapes, as the model produced them. */
  | { kind: 'raw'; outputs: OutputTensor[] }
  | DetectionSpec;

/** `manifest.json`: a bundle's identity; its sha256 is the bundle's id. */
export interface Manifest {
  formatVersion: typeof MANIFEST_FORMAT_VERSION;
  name: string;
  version: string;
  createdAt: string;
  /**
   * The model files. `tree-ensemble`: flat typed arrays run by the plain-TypeScript tree kernel
   * (README "Tree ensembles"). `inputs`: several inputs, integer inputs or dynamic shapes (tfjs models).
   */
  model: { format: 'layers-model' | 'graph-model' | 'tree-ensemble'; entry: string; inputs?: InputTensor[] };
  files: BundleFile[];
  /** Path of the preprocessing schema among `files`. */
  schema: string;
  output: OutputSpec;
  /** Path of the golden vectors among `files`. */
  golden?: string;
  /** Relative tolerance for the load-time golden check. @default 1e-4 */
  goldenTolerance?: number;
  /** What the model's outputs looked like at pack time (output drift telemetry); see ./output-baseline.ts. */
  outputBaseline?: OutputBaseline;
  training?: {
    data?: { source: string; rows: number; sha256: string };
    seed?: number;
    code?: string;
    metrics?: Record<string, number>;
  };
  /** ECDSA P-256 over the canonical manifest without this field (sorted keys, no spaces). */
  signature?: { alg: 'ECDSA-P256-SHA256'; keyId: string; value: string };
}

/** `golden.json`: raw input rows and the outputs training produced for them. */
export interface Golden {
  rows: Array<Record<string, unknown>>;
  /** One output vector per row (probabilities for classification, values for regression). */
  outputs: number[][];
}

/** One model's entry in the registry. */
export interface RegistryEntry {
  versions: string[];
  channels: Record<string, string>;
  /** Fraction (0..1) of clients that get each non-stable channel when they ask for `stable`. */
  rollout?: Record<string, number>;
  revoked?: string[];
  /**
   * Optional, per version: the paths its manifest lists (`ferryml pack` writes them), so a client can
   * request the files beside the manifest instead of after it. Only names: every file is still checked
   * against the manifest's sha256, and a wrong list costs an unused request, never an unchecked byte.
   */
  files?: Record<string, string[]>;
}

/** `models/index.json`: the registry any static host can serve. */
export interface Registry {
  models: Record<string, RegistryEntry>;
  /** Monotonic: every write adds one; a signed registry older than one seen is a rollback. */
  registryVersion?: number;
  /** ISO 8601 time after which a signed registry is refused (a frozen CDN cannot serve it forever). */
  expires?: string;
  /** A public JWK clients start trusting for this registry once this (signed) registry verifies: key rotation. */
  nextKey?: JsonWebKey;
  /** ECDSA P-256 over the canonical JSON of the registry without `signature` (as for manifests). */
  signature?: { alg: 'ECDSA-P256-SHA256'; keyId: string; value: string };
}
