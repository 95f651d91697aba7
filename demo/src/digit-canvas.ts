/**
 * A drawing surface for digits: white strokes on black, like the training images. Mouse, touch
 * and pen through pointer events; keyboard users press 0–9 to stamp a digit and Delete or
 * Backspace to clear. `onChange` fires after every change, at most once per animation frame.
 */

/** What the page does with the canvas. */
export interface DigitCanvas {
  readonly canvas: HTMLCanvasElement;
  /** True once anything was drawn since the last clear. */
  readonly dirty: boolean;
  clear(): void;
  /** Draws the glyph `digit` in the middle (the keyboard path, and handy for tests). */
  stamp(digit: string): void;
}

/** Makes `canvas` drawable. */
export function createDigitCanvas(canvas: HTMLCanvasElement, onChange: () => void): DigitCanvas {
  // The SDK reads the pixels back on every prediction: ask for a CPU-backed canvas up front
  // (the first getContext call fixes the attributes; later ones get the same context).
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('demo: no 2D canvas context');
  let drawing = false;
  let dirty = false;
  let last: { x: number; y: number } | undefined;
  let frame = 0;

  const changed = () => {
    dirty = true;
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      onChange();
    });
  };

  const at = (event: PointerEvent) => {
    const rect = canvas.getBoundingClientRect();
    return { x: ((event.clientX - rect.left) / rect.width) * canvas.width, y: ((event.clientY - rect.top) / rect.height) * canvas.height };
  };

  function clear(): void {
    ctx!.fillStyle = '#000';
    ctx!.fillRect(0, 0, canvas.width, canvas.height);
    dirty = false;
    onChange();
  }

  function segment(to: { x: number; y: number }): void {
    ctx!.strokeStyle = '#fff';
    ctx!.lineWidth = canvas.width / 12;
    ctx!.lineCap = 'round';
    ctx!.lineJoin = 'round';
    ctx!.beginPath();
    ctx!.moveTo((last ?? to).x, (last ?? to).y);
    ctx!.lineTo(to.x, to.y);
    ctx!.stroke();
    last = to;
    changed();
  }

  canvas.addEventListener('pointerdown', (event) => {
    drawing = true;
    last = undefined;
    canvas.setPointerCapture(event.pointerId);
    segment(at(event));
    event.preventDefault();
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!drawing) return;
    // Coalesced events keep fast strokes smooth without a prediction per event.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- getCoalescedEvents is missing in older Safari
    for (const e of event.getCoalescedEvents?.() ?? [event]) segment(at(e));
  });
  const end = () => {
    drawing = false;
    last = undefined;
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);

  canvas.addEventListener('keydown', (event) => {
    if (/^[0-9]$/.test(event.key)) {
      stamp(event.key);
      event.preventDefault();
    } else if (event.key === 'Delete' || event.key === 'Backspace') {
      clear();
      event.preventDefault();
    }
  });

  function stamp(digit: string): void {
    ctx!.fillStyle = '#000';
    ctx!.fillRect(0, 0, canvas.width, canvas.height);
    ctx!.fillStyle = '#fff';
    ctx!.font = `bold ${Math.round(canvas.height * 0.7)}px system-ui, sans-serif`;
    ctx!.textAlign = 'center';
    ctx!.textBaseline = 'middle';
    ctx!.fillText(digit, canvas.width / 2, canvas.height / 2);
    changed();
  }

  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  return {
    canvas,
    get dirty() {
      return dirty;
    },
    clear,
    stamp,
  };
}
