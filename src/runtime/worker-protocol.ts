/**
 * Messages between the page (worker-host.ts) and the worker (worker.ts). Typed arrays travel as
 * transferables, never copied row by row; errors travel as data and become FerryErrors again.
 */
import { FerryError } from '../errors.js';
import type { FerryErrorCode } from '../errors.js';
import type { PixelData } from '../schema/image.js';
import type { EngineInit, EngineReport, ModelMemory } from './types.js';

/** Page → worker. */
export type ToWorker =
  | { type: 'init'; init: EngineInit }
  | { type: 'run'; id: number; input: Float32Array; rows: number }
  /** An image source, transferred: the worker reads its pixels and closes it. */
  | { type: 'pixels'; id: number; source: ImageBitmap | VideoFrame }
  | { type: 'memory'; id: number }
  | { type: 'dispose' };

/** Worker → page. */
export type FromWorker =
  | { type: 'ready'; report: EngineReport }
  | { type: 'failed'; error: SerializedError }
  | { type: 'result'; id: number; output: Float32Array }
  | { type: 'error'; id: number; error: SerializedError }
  | { type: 'report'; report: EngineReport }
  /** The engine's facts changed without a change of engine (e.g. the tree kernel brought up its WebAssembly kernel): update `model.info`, notify nobody. */
  | { type: 'facts'; report: EngineReport }
  /** The source's RGBA pixels (buffer transferred), or undefined when it could not be read. */
  | { type: 'pixels'; id: number; pixels: PixelData | undefined }
  | { type: 'memory'; id: number; memory: ModelMemory }
  /** `memory`: the worker's tfjs memory after it freed the model. */
  | { type: 'disposed'; memory?: ModelMemory };

/** A FerryError as structured-clonable data. */
export interface SerializedError {
  code: FerryErrorCode;
  message: string;
  details: Record<string, unknown>;
}

/** Flattens any thrown value; non-ferryml errors become `fallback`-coded ones. */
export function serializeError(error: unknown, fallback: FerryErrorCode): SerializedError {
  if (error instanceof FerryError) {
    let details: Record<string, unknown> = {};
    try {
      details = JSON.parse(JSON.stringify(error.details)) as Record<string, unknown>;
    } catch {
      // Details that do not survive JSON stay behind; the message still says what happened.
    }
    return { code: error.code, message: error.message, details };
  }
  return { code: fallback, message: error instanceof Error ? error.message : String(error), details: {} };
}

/** The FerryError a {@link SerializedError} describes. */
export function deserializeError(error: SerializedError): FerryError {
  return new FerryError(error.code, error.message, { details: { ...error.details, fromWorker: true } });
}
