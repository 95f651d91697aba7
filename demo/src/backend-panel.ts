/**
 * The backend panel: which backend each model runs on and how that was decided, why every other
 * backend was rejected (the SDK's codes and reasons), where load time went, per-call latency
 * measured on the page, and the switch that reloads both models on a forced backend.
 */
import type { BackendName } from './sdk.js';
import type { ModelSlot } from './model-slot.js';
import { byId, facts, h, update } from './dom.js';
import { median, ms } from './format.js';

/** `auto` lets the SDK choose; a name forces that backend. */
export type BackendChoice = 'auto' | BackendName;

/** Reads the current choice from the radio group. */
export function backendChoice(): BackendChoice {
  const checked = document.querySelector<HTMLInputElement>('input[name="backend"]:checked');
  return (checked?.value ?? 'auto') as BackendChoice;
}

function slotFacts(slot: ModelSlot): HTMLElement {
  const model = slot.model;
  if (!model) return h('p', { class: 'muted' }, `${slot.name}: ${slot.state.kind === 'error' ? `not loaded [${slot.state.code}]` : 'loading…'}`);
  const info = model.info;
  const t = info.timings;
  const calls = slot.latencies();
  const measured = Object.entries(info.measured)
    .map(([b, v]) => `${b} ${ms(v)}`)
    .join(', ');
  return h(
    'div',
    { class: 'slot-facts', 'data-model': slot.name },
    h('h3', {}, `${info.name}@${info.version}`),
    facts([
      ['engine', `${info.engine === 'js' ? 'plain JavaScript' : 'tfjs'} · ${info.engineReason}`],
      ['backend', h('strong', { 'data-backend': info.backend }, info.backend)],
      [
        'chosen by',
        `${info.decision}${info.worker ? ' · runs in a Web Worker' : ' · runs on the page'}${info.lean === 'direct' ? ' · direct kernel (plain JS, no tfjs op per call)' : info.lean === 'fused-ops' ? ' · fused dense ops' : ''}`,
      ],
      [
        'adapter',
        info.adapter
          ? `${info.adapter.vendor || '?'} ${info.adapter.architecture || ''} ${info.adapter.isFallbackAdapter ? '(software)' : ''}`.trim()
          : undefined,
      ],
      ['measured', measured || undefined],
      ['golden check', info.goldenError === undefined ? 'off / no golden rows' : `max rel. error ${info.goldenError.toExponential(1)}`],
      [
        'load',
        `${ms(t.totalMs)} total: bundle ${ms(t.bundleMs)}, backend ${ms(t.backendMs)}, model ${ms(t.modelMs)}, warm-up ${ms(t.warmupMs)}, golden ${ms(t.goldenMs)}${t.measureMs ? `, measuring ${ms(t.measureMs)}` : ''}`,
      ],
      ['per call', calls.length ? `last ${ms(calls[calls.length - 1])}, median ${ms(median(calls))} of ${calls.length}` : 'no calls yet'],
    ]),
    info.rejected.length
      ? h(
          'ul',
          { class: 'rejected', 'aria-label': 'Rejected backends' },
          ...info.rejected.map((r) => h('li', {}, h('strong', {}, r.backend), ' ', h('code', {}, r.code), ` ${r.reason}`)),
        )
      : h('p', { class: 'muted rejected' }, 'No backend was rejected.'),
  );
}

/** Mounts the panel; `onSwitch` reloads the models with the new choice. */
export function mountBackendPanel(slots: readonly ModelSlot[], onSwitch: (choice: BackendChoice) => void): () => void {
  const info = byId('backend-info');
  const render = () => update(info, ...slots.map(slotFacts));
  for (const slot of slots) slot.subscribe(render);
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="backend"]')) {
    radio.addEventListener('change', () => radio.checked && onSwitch(backendChoice()));
  }
  render();
  return render;
}
