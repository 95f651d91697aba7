/**
 * A model's inputs and outputs as tensors: which values of a transformed row feed which named
 * input (with its per-row shape and dtype), and how several outputs come back as one
 * `rows × outputWidth` float32 tensor, each row holding every output's values in model order.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FerryError } from '../errors.js';
import type { InputTensor } from '../model/manifest.js';
import type { Schema } from '../schema/types.js';

/** What the model itself declares about one input. */
export interface ModelInput {
  name: string;
  shape?: ReadonlyArray<number | null> | undefined;
  dtype?: string | undefined;
}

/** One image column's values in a transformed row: where they start and their `[height, width, channels]`. */
export interface ImageRange {
  column: string;
  offset: number;
  shape: [number, number, number];
}

/** Where each image column's values are in a row (formatVersion 2 `{ column, count }` ranges). */
export function imageRanges(schema: Pick<Schema, 'columns' | 'features'> | undefined): ImageRange[] {
  const images: ImageRange[] = [];
  let at = 0;
  for (const f of schema?.features ?? []) {
    if (typeof f === 'string') {
      at++;
      continue;
    }
    const step = schema!.columns.find((c) => c.name === f.column)?.steps.find((s) => s.kind === 'image');
    if (step?.kind === 'image') images.push({ column: f.column, offset: at, shape: [step.height, step.width, step.channels] });
    at += f.count;
  }
  return images;
}

/** One input fed from `size` values at `offset` of each transformed row. */
export interface InputPlan {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  offset: number;
  size: number;
}

const invalid = (message: string, details: Record<string, unknown>) =>
  new FerryError('MANIFEST_INVALID', `${message}; re-pack the bundle (see README "Inputs and outputs")`, { details });
const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const dtypeOf = (d: string | undefined): 'float32' | 'int32' => (d === 'int32' ? 'int32' : 'float32');

/** Shape of one input row for the model (`[width]`, or e.g. `[28, 28, 1]`), checked against the schema width. */
function rowShape(shape: ReadonlyArray<number | null> | undefined, width: number): number[] {
  const inner = (shape ?? [null, width]).slice(1).map((d) => (d === null || d < 0 ? -1 : d));
  const known = inner.filter((d) => d > 0).reduce((a, b) => a * b, 1);
  const unknown = inner.filter((d) => d < 0).length;
  if (unknown > 1 || (unknown === 0 && known !== width) || (unknown === 1 && width % known !== 0))
    throw invalid(
      `The model's input shape [${String(shape)}] does not fit the schema's ${width} features per row (a dynamic shape needs model.inputs in the manifest)`,
      { inputShape: shape, width },
    );
  return inner.map((d) => (d < 0 ? width / known : d));
}

/** The dtype fed to model input `m`; throws `MANIFEST_INVALID` when the manifest's differs from the model's or ferryml cannot feed it. */
function dtypeFor(m: ModelInput, manifest: 'float32' | 'int32' | undefined): 'float32' | 'int32' {
  const own = m.dtype;
  if (own !== undefined && own !== 'float32' && own !== 'int32')
    throw invalid(`Input "${m.name}": the model takes ${own}, ferryml feeds float32 or int32; export the model with a float32 or int32 input`, {
      input: m.name,
      expected: 'float32 or int32',
      got: own,
    });
  if (manifest !== undefined && own !== undefined && manifest !== own)
    throw invalid(`Input "${m.name}": the model takes ${own} but the manifest's model.inputs says ${manifest}; set its dtype to "${own}"`, {
      input: m.name,
      expected: own,
      got: manifest,
    });
  return manifest ?? dtypeOf(own);
}

/** A shape without its 1s: `[1, 28, 28]` and `[28, 28, 1]` lay out the same values. */
const squeezed = (shape: readonly number[]) => shape.filter((d) => d !== 1).join('×');

/**
 * Throws `MANIFEST_INVALID` when an input fed entirely by one image column takes it in another
 * layout than the image step's height × width × channels (channels first, width and height
 * swapped): the sizes agree, so it would run on scrambled pixels. A flat input takes it as is.
 */
function checkLayout(plan: InputPlan, images: readonly ImageRange[]): void {
  const image = images.find((im) => im.offset === plan.offset && product(im.shape) === plan.size);
  if (!image || plan.shape.length === 1 || squeezed(plan.shape) === squeezed(image.shape)) return;
  const [h, w, c] = image.shape;
  throw invalid(
    `Input "${plan.name}" takes [${plan.shape.join(', ')}] per row but image column "${image.column}" writes height × width × channels [${h}, ${w}, ${c}] (a channels-first model, or width and height swapped?); export the model to take [${h}, ${w}, ${c}], or set the image step's width and height to the model's`,
    { input: plan.name, column: image.column, expected: image.shape, got: plan.shape },
  );
}

/**
 * Matches the manifest's `model.inputs` (or, without it, the model's one input) to the model and
 * the schema width, and each input fed by one image column (`images`) to its layout; throws
 * `MANIFEST_INVALID` naming what does not fit.
 */
export function planInputs(
  model: readonly ModelInput[],
  specs: readonly InputTensor[] | undefined,
  width: number,
  images: readonly ImageRange[] = [],
): InputPlan[] {
  const plans = matchInputs(model, specs, width);
  for (const plan of plans) checkLayout(plan, images);
  return plans;
}

function matchInputs(model: readonly ModelInput[], specs: readonly InputTensor[] | undefined, width: number): InputPlan[] {
  const names = model.map((m) => m.name);
  if (specs === undefined) {
    if (model.length !== 1)
      throw invalid(`The model has ${model.length} inputs (${names.join(', ')}); list them in the manifest's model.inputs`, { inputs: names });
    const only = model[0]!;
    return [{ name: only.name, shape: rowShape(only.shape, width), dtype: dtypeFor(only, undefined), offset: 0, size: width }];
  }
  if (specs.length !== model.length)
    throw invalid(`The manifest lists ${specs.length} inputs but the model has ${model.length} (${names.join(', ')})`, { inputs: names });
  let offset = 0;
  const plans = specs.map((spec, i) => {
    // By name where the names match the model's, else by position (layers models rename inputs freely).
    const m = model.find((x) => x.name === spec.name) ?? (specs.every((s) => !names.includes(s.name)) ? model[i]! : undefined);
    if (!m) throw invalid(`The manifest's input "${spec.name}" is not one of the model's inputs (${names.join(', ')})`, { input: spec.name, inputs: names });
    const declared = (m.shape ?? []).slice(1);
    const fits = declared.length === spec.shape.length && declared.every((d, k) => d === null || d < 0 || d === spec.shape[k]);
    if (!fits)
      throw invalid(`Input "${spec.name}": the manifest's shape [${spec.shape.join(', ')}] does not fit the model's [${String(m.shape)}]`, {
        input: spec.name,
        shape: spec.shape,
        modelShape: m.shape,
      });
    const dtype = dtypeFor(m, spec.dtype);
    const plan: InputPlan = { name: m.name, shape: [...spec.shape], dtype, offset, size: product(spec.shape) };
    offset += plan.size;
    return plan;
  });
  if (offset !== width) throw invalid(`The manifest's inputs take ${offset} values per row but the schema makes ${width}`, { inputs: specs, width });
  return plans;
}

/**
 * Where each manifest output is among the model's outputs (`model`: the model's own output
 * names), in manifest order: by name when the names are the model's, undefined (by position)
 * when none is or the counts differ (packOutputs says so). Throws `MANIFEST_INVALID` when some
 * names are the model's and others are not: by position they could be swapped.
 */
export function outputOrder(model: readonly string[], wanted: readonly string[] | undefined): number[] | undefined {
  if (wanted === undefined || wanted.length !== model.length) return undefined;
  const at = wanted.map((name) => model.indexOf(name));
  if (at.every((i) => i < 0)) return undefined;
  const stray = wanted.find((_, k) => at[k]! < 0);
  if (stray !== undefined)
    throw invalid(
      `The manifest's output "${stray}" is not one of the model's outputs (${model.join(', ')}), though others are named as the model names them; name every output as the model does, or none (then they are read by position)`,
      { output: stray, expected: model, got: wanted },
    );
  return at;
}

/** The input tensors for `x` (`rows × width` float32), in plan order. Call inside `tf.tidy`. */
export function inputTensors(x: tf.Tensor2D, plans: readonly InputPlan[], rows: number): tf.Tensor[] {
  if (plans.length === 1 && plans[0]!.dtype === 'float32') return [tf.reshape(x, [rows, ...plans[0]!.shape])];
  return plans.map((p) => {
    const part = plans.length === 1 ? x : tf.slice(x, [0, p.offset], [rows, p.size]);
    const shaped = tf.reshape(part, [rows, ...p.shape]);
    // Integer inputs (uint8 pixels, token ids) arrive as whole floats: the cast is exact.
    return p.dtype === 'int32' ? tf.cast(shaped, 'int32') : shaped;
  });
}

/**
 * One `rows × outputWidth` float32 tensor from what the model returned. Several outputs are
 * flattened per row and concatenated in model order; `sizes` (values per row of each, from the
 * manifest) are checked. Call inside `tf.tidy`.
 */
export function packOutputs(y: tf.Tensor | tf.Tensor[], rows: number, sizes: readonly number[] | undefined): tf.Tensor {
  const list = Array.isArray(y) ? y : [y];
  if (sizes !== undefined && sizes.length !== list.length)
    throw invalid(`The manifest describes ${sizes.length} outputs but the model returns ${list.length}`, { outputs: list.length });
  list.forEach((t, i) => {
    const per = t.size / rows;
    if (t.shape[0] !== rows || (sizes !== undefined && per !== sizes[i]))
      throw invalid(`Output ${i} has shape [${t.shape.join(', ')}] for ${rows} rows; the manifest expects ${sizes?.[i] ?? '?'} values per row`, {
        output: i,
        shape: t.shape,
        rows,
      });
  });
  if (list.length === 1) return list[0]!.dtype === 'float32' ? list[0]! : tf.cast(list[0]!, 'float32');
  return tf.concat(
    list.map((t) => tf.reshape(t.dtype === 'float32' ? t : tf.cast(t, 'float32'), [rows, -1])),
    1,
  );
}
