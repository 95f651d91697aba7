/**
 * Every error ferryml throws is a {@link FerryError} with a machine-readable `code`,
 * a message that names what was wrong (column, file, URL, expected vs got) and what to do,
 * and `details` holding the same facts as data.
 */

/** Machine-readable error codes, grouped by the subsystem that raises them. */
export type FerryErrorCode =
  // caller mistakes
  | 'INVALID_OPTIONS'
  | 'DISPOSED'
  // schema: one ValidationError carries issues with their own IssueCode
  | 'VALIDATION_FAILED'
  | 'SCHEMA_INVALID'
  | 'FIT_FAILED'
  // CLI input data (Node): a data file that cannot be read, or a row that cannot be parsed
  | 'DATA_INVALID'
  // model delivery: registry, download, integrity
  | 'REGISTRY_INVALID'
  | 'MODEL_NOT_FOUND'
  | 'VERSION_NOT_FOUND'
  | 'VERSION_REVOKED'
  | 'MANIFEST_INVALID'
  | 'HTTP_ERROR'
  | 'NETWORK_ERROR'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'UNEXPECTED_CONTENT'
  | 'SIZE_MISMATCH'
  | 'INTEGRITY_MISMATCH'
  | 'SIGNATURE_INVALID'
  // signed registry: unsigned / badly signed, older than one seen (rollback), past `expires` (freeze)
  | 'REGISTRY_SIGNATURE_INVALID'
  | 'REGISTRY_ROLLBACK'
  | 'REGISTRY_EXPIRED'
  // CLI: `pack` of a name@version the registry already lists (versions are immutable)
  | 'VERSION_EXISTS'
  | 'OFFLINE_NO_CACHED_VERSION'
  | 'CACHE_UNAVAILABLE'
  | 'QUOTA_EXCEEDED'
  // runtime
  | 'NO_BACKEND'
  | 'BACKEND_INIT_FAILED'
  | 'GOLDEN_MISMATCH'
  | 'DEVICE_LOST'
  | 'INFERENCE_FAILED'
  | 'WORKER_FAILED'
  // ferryml/lite: the model (or an option) needs tfjs, which that entry never loads — use `ferryml`
  | 'NEEDS_TFJS'
  // telemetry (reported, never thrown into the host page)
  | 'TELEMETRY_REJECTED'
  // collector (Node): its storage (SQLite, ClickHouse, chdb) cannot be opened, reached or written
  | 'STORE_UNAVAILABLE';

/** Options for {@link FerryError}: the cause and the facts a caller needs, as data. */
export interface FerryErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
}

/** Base class of every error ferryml throws. Check with {@link isFerryError}, branch on `code`. */
export class FerryError extends Error {
  override name = 'FerryError';
  readonly code: FerryErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: FerryErrorCode, message: string, options: FerryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** Codes of single validation issues; a {@link ValidationError} holds a list of them. */
export type IssueCode =
  'MISSING_REQUIRED' | 'TYPE_MISMATCH' | 'PARSE_ERROR' | 'NOT_FINITE' | 'UNKNOWN_CATEGORY' | 'OUT_OF_RANGE' | 'UNKNOWN_COLUMN' | 'INVALID_IMAGE';

/** One problem with one value of one input row. */
export interface Issue {
  code: IssueCode;
  /** The raw input column the issue is about. */
  column: string;
  /** Index of the row in a batch; absent for a single row. */
  row?: number;
  /** What the schema expects, in words (e.g. `"number or decimal string"`). */
  expected: string;
  /** What arrived, rendered short and safe to log (e.g. `"string \"abc\""`). */
  got: string;
  /** `"error"` rejects the row; `"warning"` is reported and the row still runs. */
  severity: 'error' | 'warning';
  message: string;
}

/** Thrown when input rows do not satisfy the schema; `issues` lists every problem found. */
export class ValidationError extends FerryError {
  override name = 'ValidationError';
  readonly issues: readonly Issue[];

  constructor(issues: readonly Issue[], options: FerryErrorOptions = {}) {
    const first = issues[0];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more issue${issues.length > 2 ? 's' : ''})` : '';
    super('VALIDATION_FAILED', first ? `${first.message}${more}` : 'Input failed validation', options);
    this.issues = issues;
  }
}

/** The message of a caught value: an Error's (also from another realm), else the value itself as text. */
export function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null | undefined)?.message;
  // A thrown value can be anything; String() is the honest last resort for non-errors.

  return typeof message === 'string' ? message : String(error);
}

/** True for any error thrown by ferryml, also across realms (workers, iframes) where `instanceof` fails. */
export function isFerryError(error: unknown): error is FerryError {
  return (
    error instanceof FerryError ||
    (typeof error === 'object' &&
      error !== null &&
      typeof (error as { name?: unknown }).name === 'string' &&
      ['FerryError', 'ValidationError'].includes((error as { name: string }).name) &&
      typeof (error as { code?: unknown }).code === 'string')
  );
}

/** True for a {@link ValidationError}, also across realms. */
export function isValidationError(error: unknown): error is ValidationError {
  return isFerryError(error) && error.code === 'VALIDATION_FAILED' && Array.isArray((error as { issues?: unknown }).issues);
}
