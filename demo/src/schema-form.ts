/**
 * A form generated from a model's schema.json: one labelled field per raw input column, typed by
 * the column (numbers as decimal text inputs, categories and booleans as selects listing what
 * training saw), with a reserved line under each field for the SDK's validation issues.
 */
import type { ColumnSchema, Issue, Schema } from './sdk.js';
import { h, replace } from './dom.js';

/** What the page does with a generated form. */
export interface SchemaForm {
  /** The row the fields describe: empty fields are left out (sent as missing). */
  read(): Record<string, unknown>;
  /** Shows issues under their fields (and the rest in the form-level area); clears fields without one. */
  showIssues(issues: readonly Issue[]): void;
  /** Sets field values (strings as typed by a user). */
  fill(values: Record<string, string>): void;
  /** Columns rendered as fields. */
  readonly columns: readonly ColumnSchema[];
}

// The SDK's decimal grammar (schema/types.ts, NumberColumn.parse): the form converts only text that
// a person would read as a number, and passes anything else on unchanged so the SDK names the problem.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Whether the schema lets this column be missing (same rule as the SDK: `required`, else its first step). */
export function allowsMissing(column: ColumnSchema): boolean {
  if (column.required !== undefined) return !column.required;
  const first = column.steps[0];
  return first?.kind === 'impute' || (first?.kind === 'ordinal' && first.missing !== undefined);
}

/** The categories the column's encoder was fitted on, if it has one. */
export function categoriesOf(column: ColumnSchema): ReadonlyArray<string | number | boolean> {
  for (const step of column.steps) if (step.kind === 'onehot' || step.kind === 'ordinal') return step.categories;
  return [];
}

function hintOf(column: ColumnSchema): string {
  const parts: string[] = [];
  const first = column.steps[0];
  if (column.type === 'number' && column.range) parts.push(`trained on ${column.range.min}–${column.range.max}`);
  if (allowsMissing(column)) parts.push(first?.kind === 'impute' ? `empty → ${String(first.value)}` : 'may be empty');
  else parts.push('required');
  return parts.join(' · ');
}

const fieldId = (column: string) => `field-${column.replace(/[^A-Za-z0-9_-]/g, '_')}`;

/** Builds the fields for every non-image column of `schema` into `container`; `general` shows row-level issues. */
export function buildSchemaForm(schema: Schema, container: HTMLElement, general: HTMLElement): SchemaForm {
  const columns = schema.columns.filter((c) => c.type !== 'image');
  const controls = new Map<string, HTMLInputElement | HTMLSelectElement>();
  const messages = new Map<string, HTMLElement>();

  const fields = columns.map((column) => {
    const id = fieldId(column.name);
    const issueId = `${id}-issue`;
    const hintId = `${id}-hint`;
    const common = { id, name: column.name, 'aria-describedby': `${hintId} ${issueId}`, 'aria-required': String(!allowsMissing(column)) };
    let control: HTMLInputElement | HTMLSelectElement;
    if (column.type === 'number') {
      control = h('input', { ...common, type: 'text', inputmode: 'decimal', autocomplete: 'off', spellcheck: 'false' });
    } else {
      const values = column.type === 'boolean' && categoriesOf(column).length === 0 ? [true, false] : categoriesOf(column);
      control = h(
        'select',
        common,
        allowsMissing(column) ? h('option', { value: '' }, '(missing)') : h('option', { value: '', disabled: true }, 'choose…'),
        ...values.map((v) => h('option', { value: String(v) }, String(v))),
      );
      control.value = '';
    }
    controls.set(column.name, control);
    const message = h('p', { class: 'issue', id: issueId });
    messages.set(column.name, message);
    return h('div', { class: 'field' }, h('label', { for: id }, column.name), control, h('span', { class: 'hint', id: hintId }, hintOf(column)), message);
  });
  replace(container, ...fields);

  function valueOf(column: ColumnSchema, raw: string): unknown {
    const text = raw.trim();
    if (column.type === 'number') return DECIMAL.test(text) ? Number(text) : raw;
    // Selects carry strings; give the SDK the fitted category's own type (number/boolean categories).
    const match = categoriesOf(column).find((c) => String(c) === raw);
    if (match !== undefined) return match;
    if (column.type === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
    return raw;
  }

  return {
    columns,
    read() {
      const row: Record<string, unknown> = {};
      for (const column of columns) {
        const raw = controls.get(column.name)!.value;
        if (raw.trim() !== '') row[column.name] = valueOf(column, raw);
      }
      return row;
    },
    showIssues(issues) {
      const byColumn = new Map<string, Issue[]>();
      const rest: Issue[] = [];
      for (const issue of issues) {
        if (controls.has(issue.column)) byColumn.set(issue.column, [...(byColumn.get(issue.column) ?? []), issue]);
        else rest.push(issue);
      }
      for (const [name, control] of controls) {
        const list = byColumn.get(name) ?? [];
        const worst = list.find((i) => i.severity === 'error') ?? list[0];
        control.setAttribute('aria-invalid', String(worst?.severity === 'error'));
        const message = messages.get(name)!;
        if (worst) message.dataset['severity'] = worst.severity;
        else delete message.dataset['severity'];
        replace(message, ...(worst ? [h('code', {}, worst.code), ` expected ${worst.expected}, got ${worst.got}`] : []));
      }
      replace(general, ...rest.map((i) => h('p', { class: 'issue', 'data-severity': i.severity }, h('code', {}, i.code), ` ${i.message}`)));
    },
    fill(values) {
      for (const [name, value] of Object.entries(values)) {
        const control = controls.get(name);
        if (control) control.value = value;
      }
    },
  };
}
