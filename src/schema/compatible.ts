/**
 * Schema evolution for typed apps: is a bundle's schema compatible with the schema an app was
 * written against? A model may add columns without breaking apps that do not send them.
 *
 * The rule (README "Schema evolution"):
 * - a column the app sends must have the same type in the bundle;
 * - a bundle column the app does not have must be optional there (`required: false`, or a first
 *   step that handles missing values, e.g. an imputer);
 * - a column the app may leave out must be optional in the bundle too (else it is newly required);
 * - a column the app sends that the bundle no longer has is ignored, unless the bundle rejects
 *   unknown keys (`unknownColumns: "error"`).
 */
import { handlesMissing } from './check.js';
import type { Schema, Step } from './types.js';

/** The parts of an app's schema the rule reads; `required` and `steps` only when the app has them. */
export interface AppColumns {
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: string; readonly required?: boolean; readonly steps?: readonly Step[] }>;
}

/** Whether a column accepts a missing value: the same reading as the schema compiler's. */
function optional(column: { readonly required?: boolean; readonly steps?: readonly Step[] }): boolean {
  return column.required === undefined ? handlesMissing(column.steps ?? []) : !column.required;
}

/** Every real conflict between the app's schema and the bundle's, in words; empty when compatible. */
export function schemaConflicts(app: AppColumns, bundle: Schema): string[] {
  const conflicts: string[] = [];
  const inBundle = new Map(bundle.columns.map((c) => [c.name, c]));
  const inApp = new Set(app.columns.map((c) => c.name));
  for (const a of app.columns) {
    const b = inBundle.get(a.name);
    if (!b) {
      if (bundle.unknownColumns === 'error') conflicts.push(`column "${a.name}": the app sends it, the bundle no longer has it and rejects unknown columns`);
      continue;
    }
    if (a.type !== b.type) conflicts.push(`column "${a.name}": the app sends ${a.type}, the bundle expects ${b.type}`);
    else if (a.steps !== undefined && optional(a) && !optional(b)) conflicts.push(`column "${a.name}": optional in the app, newly required by the bundle`);
  }
  for (const b of bundle.columns) {
    if (!inApp.has(b.name) && !optional(b)) conflicts.push(`column "${b.name}": new in the bundle and required (no imputer), the app does not send it`);
  }
  return conflicts;
}
