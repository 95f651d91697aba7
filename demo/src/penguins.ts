/**
 * The penguins card: a form generated from the loaded version's schema, validated as you go with
 * the SDK's own issue codes, a prediction on submit, and the "send messy rows" table.
 */
import { isValidationError } from './sdk.js';
import type { Issue } from './sdk.js';
import { byId, h, replace } from './dom.js';
import { pct } from './format.js';
import { messyRows } from './messy-rows.js';
import type { ModelSlot } from './model-slot.js';
import { renderError, renderPrediction } from './prediction-view.js';
import { buildSchemaForm } from './schema-form.js';
import type { SchemaForm } from './schema-form.js';
import { describeState } from './slot-status.js';

/** Wires the penguins card to its slot. */
export function mountPenguins(slot: ModelSlot): void {
  const formEl = byId<HTMLFormElement>('penguins-form');
  const fields = byId('penguins-fields');
  const general = byId('penguins-form-issues');
  const result = byId('penguins-result');
  const messy = byId('messy-result');
  const submit = byId<HTMLButtonElement>('penguins-predict');
  const messyButton = byId<HTMLButtonElement>('messy-send');
  const status = byId('penguins-status');
  const versionTag = byId('penguins-version');
  let form: SchemaForm | undefined;
  let columnsKey = '';
  const shown = new Set<string>();

  /** Validation as you go: the same compiled schema the model uses, no model call. */
  function validate(onlyShown: boolean): readonly Issue[] {
    if (!form || !slot.schema) return [];
    const parsed = slot.schema.safeParse(form.read());
    const issues = parsed.success ? parsed.warnings : parsed.issues;
    form.showIssues(onlyShown ? issues.filter((i) => shown.has(i.column)) : issues);
    return issues;
  }

  slot.subscribe(() => {
    describeState(status, slot);
    versionTag.textContent = slot.model ? `v${slot.model.info.version}` : '';
    const ready = slot.state.kind === 'ready' && slot.schema !== undefined;
    submit.disabled = !ready;
    messyButton.disabled = !ready;
    if (!ready) return;
    // Rebuild the form only when the columns change (a version with another schema), keeping what was typed.
    const key = JSON.stringify(slot.schema.schema.columns.map((c) => [c.name, c.type]));
    if (key === columnsKey) return;
    columnsKey = key;
    const before = form ? Object.fromEntries(Object.entries(form.read()).map(([k, v]) => [k, String(v)])) : undefined;
    form = buildSchemaForm(slot.schema.schema, fields, general);
    if (before) form.fill(before);
  });

  // Issues appear when a field is left (change) and disappear as soon as it is fixed (input).
  formEl.addEventListener('change', (event) => {
    const name = (event.target as HTMLInputElement | null)?.name;
    if (name) shown.add(name);
    validate(true);
  });
  formEl.addEventListener('input', () => validate(true));

  formEl.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!form || !slot.model) return;
    for (const column of form.columns) shown.add(column.name);
    validate(false);
    const row = form.read();
    result.setAttribute('aria-busy', 'true');
    slot
      .predict(row)
      .then(({ prediction, ms }) => renderPrediction(result, prediction, { ms, version: slot.model!.info.version, backend: slot.model!.info.backend }))
      .catch((error: unknown) => {
        if (isValidationError(error)) {
          form?.showIssues(error.issues);
          const errors = error.issues.filter((i) => i.severity === 'error');
          renderError(
            result,
            'Row rejected',
            `${errors.length} problem${errors.length === 1 ? '' : 's'}: ${errors.map((i) => `${i.code} in "${i.column}"`).join(', ')}. Fix the fields marked above.`,
            error.code,
          );
        } else {
          renderError(result, 'Prediction failed', error instanceof Error ? error.message : String(error), (error as { code?: string }).code);
        }
      })
      .finally(() => result.removeAttribute('aria-busy'));
  });

  messyButton.addEventListener('click', () => {
    const model = slot.model;
    if (!model || !slot.schema) return;
    const rows = messyRows(slot.schema);
    // One batch: rows with errors come back null with their issues; the others still run.
    model
      .predictBatch(rows.map((r) => r.row))
      .then(({ predictions, issues }) => {
        const body = rows.map((r, i) => {
          const p = predictions[i];
          const mine = issues.filter((issue) => issue.row === i);
          const outcome =
            p && p.kind === 'classification'
              ? h('span', { class: mine.length ? 'outcome-warn' : 'outcome-ok' }, `${p.label} (${pct(p.probabilities[p.label] ?? 0)})`)
              : p && p.kind === 'regression'
                ? h('span', { class: 'outcome-ok' }, String(p.value))
                : h('span', { class: 'outcome-bad' }, 'rejected');
          return h(
            'tr',
            {},
            h('th', { scope: 'row' }, r.title),
            h(
              'td',
              {},
              outcome,
              ...mine.map((issue) => h('div', {}, h('code', {}, issue.code), ` ${issue.severity}: expected ${issue.expected}, got ${issue.got}`)),
            ),
            h('td', { class: 'muted' }, r.expectation),
          );
        });
        replace(
          messy,
          h(
            'table',
            {},
            h('caption', { class: 'muted' }, `Sent as one predictBatch call of ${rows.length} rows to v${model.info.version}`),
            h(
              'thead',
              {},
              h('tr', {}, h('th', { scope: 'col' }, 'Row'), h('th', { scope: 'col' }, 'What the SDK did'), h('th', { scope: 'col' }, 'What the schema says')),
            ),
            h('tbody', {}, ...body),
          ),
        );
      })
      .catch((error: unknown) => replace(messy, h('p', { class: 'issue', 'data-severity': 'error' }, error instanceof Error ? error.message : String(error))));
  });
}
