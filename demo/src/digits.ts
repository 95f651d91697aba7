/**
 * The digits card: live prediction while drawing. The drawing is framed like MNIST's digits into
 * a 28×28 canvas (./frame-digit.ts), and that canvas goes to `predict` as the `image` column; the
 * SDK's schema turns its pixels into the model's input. At most one call is in flight: strokes
 * that arrive meanwhile are predicted as soon as it returns, so the newest drawing always wins.
 */
import { byId, h, replace } from './dom.js';
import { createDigitCanvas } from './digit-canvas.js';
import { frameDigit } from './frame-digit.js';
import type { ModelSlot } from './model-slot.js';
import { renderError, renderPrediction } from './prediction-view.js';
import { describeState } from './slot-status.js';

/** Wires the digits card to its slot. */
export function mountDigits(slot: ModelSlot): void {
  const result = byId('digit-result');
  const status = byId('digits-status');
  const versionTag = byId('digits-version');
  const input = byId<HTMLCanvasElement>('digit-input');
  let busy = false;
  let again = false;

  const imageColumn = () => slot.schema?.schema.columns.find((c) => c.type === 'image')?.name ?? 'image';

  async function predict(): Promise<void> {
    if (!slot.model) return;
    if (busy) {
      again = true;
      return;
    }
    if (!frameDigit(pad.canvas, input)) {
      result.dataset['state'] = 'empty';
      replace(result, h('p', { class: 'muted' }, 'Nothing drawn yet.'));
      return;
    }
    busy = true;
    try {
      const { prediction, ms } = await slot.predict({ [imageColumn()]: input });
      renderPrediction(result, prediction, { ms, version: slot.model.info.version, backend: slot.model.info.backend }, (label) => `It looks like a ${label}`);
    } catch (error) {
      renderError(result, 'Prediction failed', error instanceof Error ? error.message : String(error), (error as { code?: string }).code);
    } finally {
      busy = false;
      if (again) {
        again = false;
        void predict();
      }
    }
  }

  const pad = createDigitCanvas(byId<HTMLCanvasElement>('digit-canvas'), () => void predict());
  // While a stroke is in progress the result changes many times a second: screen readers wait
  // for aria-busy to clear and then read the final prediction once.
  pad.canvas.addEventListener('pointerdown', () => result.setAttribute('aria-busy', 'true'));
  for (const type of ['pointerup', 'pointercancel'] as const) pad.canvas.addEventListener(type, () => result.removeAttribute('aria-busy'));
  byId('digit-clear').addEventListener('click', () => pad.clear());

  slot.subscribe(() => {
    describeState(status, slot);
    versionTag.textContent = slot.model ? `v${slot.model.info.version}` : '';
    if (slot.state.kind === 'ready') void predict();
  });
}
