/**
 * The preprocessing schema (`schema.json`): plain, serialisable data fitted in training.
 * Steps carry fitted values only (means, scales, categories, edges), never strategies,
 * so the client never refits. Semantics follow scikit-learn 1.2's fitted transformers;
 * the edge cases are written here rather than left to a library's version.
 */

/**
 * Version of the schema.json format this code writes. 2: an image column's values are one
 * `{ column, count }` entry in `features`. Version 1 (one name per value) is still read.
 */
export const SCHEMA_FORMAT_VERSION = 2;

/**
 * `count` consecutive features named `<column>_0` … `<column>_<count-1>`: how an image column's
 * values appear in a formatVersion 2 schema's `features`, instead of one name per value
 * (150,528 names for a 224×224×3 input would outweigh a MobileNet's weights).
 */
export interface FeatureRange {
  column: string;
  count: number;
}

/** One entry of a schema's `features`: a feature name, or a {@link FeatureRange} of image values. */
export type FeatureEntry = string | FeatureRange;

/** A fitted preprocessing schema, as stored in `schema.json`. */
export interface Schema {
  /** 2 (written by this ferryml); 1 is read the same, with image values named one by one. */
  formatVersion: 1 | typeof SCHEMA_FORMAT_VERSION;
  /** Raw input columns, in the order rows are documented and validated. */
  columns: readonly ColumnSchema[];
  /**
   * Output feature names in model-input order. Every feature produced by a column's steps
   * appears exactly once; the order may interleave columns (scikit-learn's ColumnTransformer
   * emits, e.g., all imputed values before all missing indicators). Names follow fixed rules
   * (see {@link featureNames} in `./features.ts`): `<column>` for a one-feature column,
   * `<column>__missing` for an impute indicator, `<column>_<category>` per one-hot category,
   * `<column>_<bin>` per one-hot bin, and for an image column one `{ column, count }` range
   * (formatVersion 1: `<column>_<i>` per image value, contiguous and in order).
   */
  features: readonly FeatureEntry[];
  /** Floats in one transformed row: one per named feature plus each range's `count`. */
  width: number;
  /** What to do with input keys no column names. @default "ignore" */
  unknownColumns?: 'ignore' | 'warn' | 'error';
  /** Training label, for tooling only; the client never reads labels. */
  label?: { column: string; classes?: ReadonlyArray<string | number | boolean> };
}

/** One raw input column: its type, presence, parse and missing rules, fitted steps and drift baseline. */
export type ColumnSchema = NumberColumn | CategoryColumn | BooleanColumn | ImageColumn;

interface ColumnBase {
  name: string;
  /**
   * `true`: a missing value is a `MISSING_REQUIRED` error. `false`: missing is allowed and a
   * step must handle it (a first `impute` step, or an `ordinal` step with a `missing` code);
   * a schema where nothing would handle it is `SCHEMA_INVALID`.
   * @default false when a step handles missing values, else true
   */
  required?: boolean;
  /** Strings that mean "missing" for this column, compared after trimming (e.g. `["", "NA", "."]`). */
  missing?: { strings: readonly string[] };
  /** Fitted steps applied in order; the last one decides how many features the column emits. */
  steps: readonly Step[];
  /** Training distribution for drift telemetry. */
  baseline?: Baseline;
}

export interface NumberColumn extends ColumnBase {
  type: 'number';
  /**
   * `"decimal"`: numeric strings are accepted by one grammar: trimmed, optional sign,
   * digits with an optional fraction and exponent (`/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/`);
   * never hex, `Infinity`, `1_000`, or `""` → 0. `"never"`: a string is a TYPE_MISMATCH.
   * @default "never"
   */
  parse?: { strings: 'decimal' | 'never' };
  /** Training range [min, max]; values outside are reported as `OUT_OF_RANGE` warnings and counted for drift. */
  range?: { min: number; max: number };
}

export interface CategoryColumn extends ColumnBase {
  type: 'category';
  /**
   * Applied to incoming strings before comparing with fitted categories. @default "none" (exact match)
   */
  normalize?: 'none' | 'trim' | 'lower' | 'trim-lower';
  /**
   * Accept values of another primitive type by a fixed conversion: for string categories, finite
   * numbers and booleans by their JavaScript string form (`3` → `"3"`); for number categories,
   * decimal strings (same grammar as number columns); for boolean categories, `"true"`/`"false"`.
   * @default false (another type is a TYPE_MISMATCH)
   */
  coerce?: boolean;
}

export interface BooleanColumn extends ColumnBase {
  type: 'boolean';
  /** Strings accepted as booleans (compared lower-cased and trimmed). @default none */
  parse?: { true: readonly string[]; false: readonly string[] };
}

export interface ImageColumn extends ColumnBase {
  type: 'image';
}

/** A fitted preprocessing step. */
export type Step = ImputeStep | StandardizeStep | MinMaxStep | BucketizeStep | OneHotStep | OrdinalStep | PassthroughStep | ImageStep;

/** SimpleImputer: replaces a missing value with the fitted `value`. */
export interface ImputeStep {
  kind: 'impute';
  /** Fitted fill value (mean, median, most frequent with ties → smallest, or a constant). */
  value: number | string | boolean;
  /** Emit a 0/1 missing-indicator feature named `<column>__missing` (`add_indicator=True`). @default false */
  indicator?: boolean;
}

/** StandardScaler: `(x - mean) / scale` (ddof 0; a constant column has scale 1). */
export interface StandardizeStep {
  kind: 'standardize';
  mean: number;
  scale: number;
}

/** MinMaxScaler: `x * scale + offset` (multiply then add, as sklearn does); optional clip to the feature range. */
export interface MinMaxStep {
  kind: 'minmax';
  scale: number;
  offset: number;
  /** Clip to `[min, max]` of the feature range after scaling (`clip=True`). */
  clip?: { min: number; max: number };
}

/**
 * KBinsDiscretizer: bin index `i` such that `edges[i-1] <= x < edges[i]` (lower-inclusive), as
 * scikit-learn 1.2 computes it: `np.searchsorted(bin_edges_[1:-1], x, side="right")`, no tolerance.
 */
export interface BucketizeStep {
  kind: 'bucketize';
  /** Inner edges, ascending: `bin_edges_[1:-1]`. `edges.length + 1` bins. */
  edges: readonly number[];
  /** `"ordinal"`: one feature holding the bin index; `"onehot"`: one 0/1 feature per bin. */
  encode: 'ordinal' | 'onehot';
}

/** OneHotEncoder: one 0/1 feature per category (in fitted order), minus the dropped one. */
export interface OneHotStep {
  kind: 'onehot';
  categories: ReadonlyArray<string | number | boolean>;
  /** `"error"`: an unseen category is UNKNOWN_CATEGORY; `"ignore"`: all zeros (counted for drift). */
  unknown: 'error' | 'ignore';
  /** Index into `categories` of the dropped category (`drop="first"` → 0; `if_binary` → 0 for two categories). */
  drop?: number;
}

/** OrdinalEncoder: the category's index in `categories`. */
export interface OrdinalStep {
  kind: 'ordinal';
  categories: ReadonlyArray<string | number | boolean>;
  /** `"error"`, or the code for unseen categories (`handle_unknown="use_encoded_value"`). */
  unknown: 'error' | { value: number };
  /** Code for a missing value that reaches this step (`encoded_missing_value`); absent: missing is an error. */
  missing?: number;
}

/** The value as a number (booleans → 0/1). */
export interface PassthroughStep {
  kind: 'passthrough';
  /**
   * `"nan"`: a missing value reaches the model as NaN (for tree models that route missing values:
   * HistGradientBoosting, XGBoost), and the column may be missing. Absent: missing is an error.
   */
  missing?: 'nan';
}

/**
 * Pixels → `height × width × channels` floats (HWC, row-major), each `pixel * scale[c] + offset[c]`.
 * Accepts ImageData, a canvas, an ImageBitmap, or a typed array already of the target size.
 */
export interface ImageStep {
  kind: 'image';
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  /**
   * How a source of another size is resized, per axis.
   *
   * `"bilinear"`: where the source is larger than the target, area averaging: each output pixel
   * is the mean of its exact source footprint, a pixel cut by the footprint's edge weighing its
   * covered fraction (OpenCV's `INTER_AREA`, also for non-integer ratios); where it is smaller,
   * bilinear between the two nearest pixels with half-pixel centres (`tf.image.resizeBilinear`
   * with `halfPixelCenters`); at equal size pixels pass unchanged. Averaging when shrinking is
   * what the value has always promised (a smooth resize), done right: a 4-tap bilinear sample
   * of a 280 px drawing at 28 px reads 4 of every 100 pixels, and a 1-px stroke vanishes.
   * Same-size and enlarged inputs give the bits they gave before; only shrinking changed.
   * `"area"`: the same as `"bilinear"`, named for what it does when shrinking.
   * `"bilinear-half-pixel"`, `"bilinear-align-corners"`, `"bilinear-asymmetric"`: 2-tap bilinear
   * in both directions exactly as `tf.image.resizeBilinear` samples with `halfPixelCenters`, with
   * `alignCorners`, or with neither (tfjs's default): what a model's own tfjs preprocessing did.
   * `"nearest"`: the source pixel under each output pixel's centre (point sampling; aliases).
   * @default "bilinear"
   */
  resize?: 'bilinear' | 'nearest' | 'area' | 'bilinear-half-pixel' | 'bilinear-align-corners' | 'bilinear-asymmetric';
  /**
   * How RGB(A) becomes one channel when `channels` is 1, or `[r, g, b]` weights
   * (e.g. `[0.2989, 0.587, 0.114]` as some pipelines use). @default "luma" (0.299 R + 0.587 G + 0.114 B)
   */
  grayscale?: 'luma' | 'mean' | 'alpha' | readonly [number, number, number];
  /** Order of the first three output channels (OpenCV-trained models read BGR). @default "rgb" */
  channelOrder?: 'rgb' | 'bgr';
  /**
   * `"center"`: the largest centred region of the source with the target's aspect ratio is
   * resized (the rest is cut off); `"none"`: the whole source is resized, stretching.
   * `"letterbox"`: the whole source is resized to fit inside the target with its aspect ratio kept
   * (scale `r = min(width / sourceWidth, height / sourceHeight)`, resized size
   * `round(sourceWidth · r) × round(sourceHeight · r)`, halves rounded to even), and the rest is
   * filled with `pad`, as detectors' training code does (Ultralytics YOLOv5 `letterbox()` with
   * `auto=False`: the image centred, the odd pixel of padding right/bottom). @default "none"
   */
  crop?: 'none' | 'center' | 'letterbox';
  /**
   * With `crop: "letterbox"`: the pixel value (0..255, per output channel, length 1 or
   * `channels`) written where the image does not reach, then scaled and offset like every pixel
   * (it is not gray-converted, reordered or inverted). YOLO pipelines pad with 114. @default [0]
   */
  pad?: readonly number[];
  /**
   * With `crop: "letterbox"`: where the resized image sits. `"center"`: padding split evenly, the
   * odd pixel right/bottom (YOLOv5); `"top-left"`: all padding right and bottom (YOLOX). @default "center"
   */
  letterboxAlign?: 'center' | 'top-left';
  /** Invert 0..255 values before scaling (white-on-black training data drawn black-on-white). @default false */
  invert?: boolean;
  /** Per-channel multiplier (length 1 or `channels`), applied to 0..255 values. */
  scale: readonly number[];
  /** Per-channel offset (length 1 or `channels`). */
  offset: readonly number[];
}

/** Training distribution of one column, for drift windows (PSI) in telemetry. */
export type Baseline = NumericBaseline | CategoricalBaseline;

export interface NumericBaseline {
  kind: 'numeric';
  /** Inner bin edges (training deciles, deduplicated); bins are lower-inclusive like `bucketize`. */
  edges: readonly number[];
  /** Share of non-missing training values per bin (`edges.length + 1` entries, summing to 1). */
  shares: readonly number[];
  /** Share of training rows where the value was missing. */
  missing: number;
  /** Training rows the baseline was computed from. */
  rows: number;
}

export interface CategoricalBaseline {
  kind: 'categorical';
  categories: ReadonlyArray<string | number | boolean>;
  /** Share of non-missing training values per category, in `categories` order. */
  shares: readonly number[];
  missing: number;
  rows: number;
}
