/**
 * The telemetry panel: per model, what the SDK's telemetry client has queued, sent and dropped
 * (by reason: nothing is dropped silently), batches waiting in IndexedDB while offline, retries,
 * the last delivery problem, and the latest drift score per feature; a button to send now and
 * the link to the collector's dashboard.
 */
import type { TelemetryStats } from './sdk.js';
import type { DemoConfig } from './config.js';
import { byId, facts, h, update } from './dom.js';
import type { ModelSlot } from './model-slot.js';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const sumDropped = (s: TelemetryStats) => Object.values(s.dropped).reduce((a, b) => a + b, 0);

function driftTable(stats: TelemetryStats): HTMLElement {
  const rows = Object.entries(stats.lastDrift);
  if (rows.length === 0) return h('p', { class: 'muted' }, 'Drift: no window scored yet (a window needs enough rows).');
  return h(
    'table',
    {},
    h('caption', { class: 'muted' }, 'Last drift window per feature (PSI against the training baseline)'),
    h(
      'thead',
      {},
      h('tr', {}, h('th', { scope: 'col' }, 'Feature'), h('th', { scope: 'col' }, 'PSI'), h('th', { scope: 'col' }, 'Rows'), h('th', { scope: 'col' }, 'When')),
    ),
    h(
      'tbody',
      {},
      ...rows.map(([feature, d]) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, feature),
          h('td', { class: `drift-${d.status}` }, `${d.psi.toFixed(3)} ${d.status}`),
          h('td', {}, d.rows),
          h('td', {}, new Date(d.at).toLocaleTimeString()),
        ),
      ),
    ),
  );
}

function slotStats(slot: ModelSlot): HTMLElement {
  const stats = slot.model?.telemetry?.stats();
  if (!stats) return h('p', { class: 'muted' }, `${slot.name}: ${slot.model ? 'telemetry off' : 'not loaded'}`);
  const retired = slot.retired();
  const dropped = Object.entries(stats.dropped).filter(([, n]) => n > 0);
  return h(
    'div',
    { 'data-model': slot.name, 'data-sent': stats.sent },
    h('h3', {}, `${slot.name}@${slot.model!.info.version}`),
    facts([
      ['queued', `${plural(stats.queued, 'record')} in memory, ${plural(stats.offlineBatches, 'batch', 'batches')} in IndexedDB`],
      ['sent', `${plural(stats.sent, 'record')}${retired.sent ? ` (+${retired.sent} from earlier loads)` : ''}`],
      [
        'dropped',
        dropped.length ? dropped.map(([reason, n]) => `${n} ${reason}`).join(', ') : `0${retired.dropped ? ` (+${retired.dropped} from earlier loads)` : ''}`,
      ],
      ['retries', stats.retries],
      ['last problem', stats.lastError],
    ]),
    driftTable(stats),
  );
}

/** Mounts the panel; returns its render function (called on a timer by the page). */
export function mountTelemetryPanel(slots: readonly ModelSlot[], config: DemoConfig): () => void {
  const info = byId('telemetry-info');
  const link = byId<HTMLAnchorElement>('dashboard-link');
  const flush = byId<HTMLButtonElement>('telemetry-flush');
  if (config.dashboard) {
    link.href = config.dashboard;
    link.hidden = false;
  }
  const render = () => {
    if (!config.collector) {
      flush.disabled = true;
      update(info, h('p', { class: 'muted' }, 'Telemetry is off: no collector configured. `npm start` starts one and tells the page where it is.'));
      return;
    }
    const totals = slots.reduce(
      (a, s) => {
        const st = s.model?.telemetry?.stats();
        return st ? { queued: a.queued + st.queued, sent: a.sent + st.sent, dropped: a.dropped + sumDropped(st) } : a;
      },
      { queued: 0, sent: 0, dropped: 0 },
    );
    update(
      info,
      h(
        'p',
        { id: 'telemetry-totals', 'data-sent': totals.sent, 'data-queued': totals.queued, 'data-dropped': totals.dropped },
        `To ${config.collector}: ${totals.queued} queued, ${totals.sent} sent, ${totals.dropped} dropped.`,
      ),
      ...slots.map(slotStats),
    );
  };
  flush.addEventListener('click', () => {
    flush.disabled = true;
    void Promise.all(slots.flatMap((s) => (s.model?.telemetry ? [s.model.telemetry.flush()] : [])))
      .then(render)
      .finally(() => (flush.disabled = false));
  });
  render();
  return render;
}
