/**
 * Renders a prediction: the label, then one bar per label in a fixed order (so bars never jump
 * around between predictions), and the facts of the call.
 */
import type { Prediction } from './sdk.js';
import { h, replace } from './dom.js';
import { ms, pct } from './format.js';

/** Facts shown under a prediction. */
export interface CallFacts {
  ms: number;
  version: string;
  backend: string;
}

/** Shows `prediction` in `target` (an aria-live region: the label is read out first). */
export function renderPrediction(target: HTMLElement, prediction: Prediction, facts: CallFacts, heading = (label: string) => label): void {
  target.dataset['state'] = 'ok';
  const meta = h('p', { class: 'meta' }, `${ms(facts.ms)} on ${facts.backend} · version ${facts.version}`);
  if (prediction.kind === 'regression') {
    replace(target, h('p', { class: 'label' }, prediction.value.toPrecision(4)), meta);
    return;
  }
  if (prediction.kind !== 'classification') {
    replace(target, h('p', { class: 'label' }, prediction.kind), meta);
    return;
  }
  const bars = h('dl', { class: 'bars' });
  for (const [label, p] of Object.entries(prediction.probabilities)) {
    bars.append(
      h('dt', {}, label),
      h(
        'dd',
        {},
        h('span', { class: 'bar', 'aria-hidden': 'true' }, h('span', { style: `transform: scaleX(${p.toFixed(4)})` })),
        h('span', { class: 'pct' }, pct(p)),
      ),
    );
  }
  const top = prediction.probabilities[prediction.label] ?? 0;
  replace(target, h('p', { class: 'label' }, `${heading(prediction.label)} (${pct(top)})`), bars, meta);
}

/** Shows an error in a result area. */
export function renderError(target: HTMLElement, title: string, detail: string, code?: string): void {
  target.dataset['state'] = 'error';
  replace(target, h('p', { class: 'label' }, title), h('p', {}, code ? h('code', {}, code) : null, code ? ' ' : '', detail));
}
