/** The one-line status under a model's heading: loading, ready (where from, on what), or the error with its code. */
import type { ModelSlot } from './model-slot.js';
import { ms } from './format.js';

const SOURCE: Record<string, string> = {
  network: 'downloaded and cached',
  cache: 'from the IndexedDB cache',
  offline: 'from the IndexedDB cache (network unreachable)',
  local: 'from local files',
};

/** Writes the slot's state into `el` (its `data-state` drives the colour and the e2e test). */
export function describeState(el: HTMLElement, slot: ModelSlot): void {
  const state = slot.state;
  el.dataset['state'] = state.kind;
  if (state.kind === 'loading') {
    el.textContent = `Loading the ${slot.name} model…`;
  } else if (state.kind === 'error') {
    el.textContent = `Could not load ${slot.name} [${state.code}]: ${state.message}`;
  } else if (slot.model) {
    const info = slot.model.info;
    el.dataset['source'] = info.source;
    el.textContent = `Ready: ${info.name}@${info.version} ${SOURCE[info.source] ?? info.source}, on ${info.backend}${info.worker ? ' in a worker' : ''}, loaded in ${ms(info.timings.totalMs)}.`;
  }
}
