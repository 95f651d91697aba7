/**
 * Manifest checks for a model's inputs and outputs (`model.inputs`, `output`): each problem as a
 * sentence, so `parseManifest` reports them all at once with `MANIFEST_INVALID`.
 */
import type { Manifest } from './manifest.js';

// An output may be one value per row (shape []), an input needs at least one dimension.
const isShape = (v: unknown, scalar: boolean): v is number[] => Array.isArray(v) && (scalar || v.length > 0) && v.every((d) => Number.isInteger(d) && d > 0);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Problems with the `{ name, shape }` list at `field`; the names, when the list is usable. */
function tensors(list: unknown, field: string, problems: string[], dtype: boolean): string[] {
  if (!Array.isArray(list) || list.length === 0) {
    problems.push(`${field} must be a non-empty array of { name, shape }`);
    return [];
  }
  const names: string[] = [];
  list.forEach((t: unknown, i) => {
    if (!isObject(t) || typeof t.name !== 'string' || t.name === '') problems.push(`${field}[${i}].name must be a non-empty string`);
    else if (names.includes(t.name)) problems.push(`${field}[${i}].name "${t.name}" is listed twice`);
    else names.push(t.name);
    if (!isShape((t as { shape?: unknown })?.shape, !dtype)) problems.push(`${field}[${i}].shape must be positive integers (per row, no batch dimension)`);
    if (dtype && (t as { dtype?: unknown })?.dtype !== undefined && !['float32', 'int32'].includes((t as { dtype: string }).dtype))
      problems.push(`${field}[${i}].dtype must be "float32" or "int32"`);
  });
  return names;
}

/** Every problem with `model.inputs` and `output`, as sentences (empty when there are none). */
export function ioProblems(m: Partial<Manifest>): string[] {
  const problems: string[] = [];
  if (m.model?.inputs !== undefined) tensors(m.model.inputs, 'model.inputs', problems, true);
  const out = m.output as Record<string, unknown> | undefined;
  const kind = out?.kind;
  if (!out || !['classification', 'regression', 'raw', 'detection'].includes(kind as string)) {
    problems.push('output.kind must be "classification", "regression", "raw" or "detection"');
    return problems;
  }
  const strings = (v: unknown) => Array.isArray(v) && v.every((l) => typeof l === 'string');
  if (kind === 'classification' && !strings(out.labels)) problems.push('output.labels must be an array of strings');
  if (kind === 'regression' && out.names !== undefined && !strings(out.names)) problems.push('output.names must be an array of strings');
  if (kind === 'raw') tensors(out.outputs, 'output.outputs', problems, false);
  if (kind === 'detection') {
    const names = tensors(out.outputs, 'output.outputs', problems, false);
    for (const key of ['boxes', 'scores', 'classes'] as const) {
      const name = out[key];
      if (name === undefined && key === 'classes') continue;
      if (typeof name !== 'string' || !names.includes(name)) problems.push(`output.${key} ${JSON.stringify(name)} must name one of output.outputs`);
    }
    if (out.labels !== undefined && !strings(out.labels)) problems.push('output.labels must be an array of strings');
    // Absent is the default, the first value listed.
    const oneOf = (key: string, ...allowed: unknown[]) =>
      allowed.includes(out[key] ?? allowed[0]) || problems.push(`output.${key} must be one of ${JSON.stringify(allowed)}`);
    oneOf('boxFormat', 'yxyx', 'xyxy');
    oneOf('boxUnits', 'normalized', 'pixels');
    oneOf('nms', true, false, 'per-class');
    const unit = (v: unknown) => v === undefined || (typeof v === 'number' && v >= 0 && v <= 1);
    if (!unit(out.scoreThreshold) || !unit(out.iouThreshold)) problems.push('output.scoreThreshold and output.iouThreshold must be numbers in 0..1');
    if (!(out.maxDetections === undefined || (Number.isInteger(out.maxDetections) && (out.maxDetections as number) > 0)))
      problems.push('output.maxDetections must be a positive integer');
    if (!(out.background === undefined || Number.isInteger(out.background))) problems.push('output.background must be a class index');
  }
  return problems;
}
