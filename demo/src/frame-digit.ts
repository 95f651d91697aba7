/**
 * Frames a drawing the way MNIST's digits were framed when the dataset was made: the ink's
 * bounding box scaled so its longer side is 20 px, placed in a 28×28 image with its centre of
 * mass in the middle. The model learned digits in that framing; a digit drawn small in a corner
 * of a 280 px canvas is, to it, a different picture. The framed 28×28 canvas is what the page
 * passes to `predict` as the `image` column (and shows, so you see what the model sees).
 */

const SIZE = 28;
const BOX = 20;
// Pixels at or below this luma are background (strokes are anti-aliased at their edges).
const INK = 24;

/** Draws the framed digit from `source` into `target` (28×28); returns false when nothing is drawn. */
export function frameDigit(source: HTMLCanvasElement, target: HTMLCanvasElement): boolean {
  const src = source.getContext('2d', { willReadFrequently: true })!;
  const out = target.getContext('2d', { willReadFrequently: true })!;
  const { width, height } = source;
  const data = src.getImageData(0, 0, width, height).data;
  let minX = width,
    minY = height,
    maxX = -1,
    maxY = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[(y * width + x) * 4]! > INK) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  out.fillStyle = '#000';
  out.fillRect(0, 0, SIZE, SIZE);
  if (maxX < 0) return false;
  const bw = maxX - minX + 1;
  const bh = maxY - minY + 1;
  const scale = BOX / Math.max(bw, bh);
  const w = bw * scale;
  const h = bh * scale;
  out.imageSmoothingEnabled = true;
  out.imageSmoothingQuality = 'high';
  // First pass centred by the box, then shifted so the centre of mass sits at (14, 14), as MNIST did.
  const draw = (dx: number, dy: number) => {
    out.fillRect(0, 0, SIZE, SIZE);
    out.drawImage(source, minX, minY, bw, bh, dx, dy, w, h);
  };
  const x0 = (SIZE - w) / 2;
  const y0 = (SIZE - h) / 2;
  draw(x0, y0);
  const pixels = out.getImageData(0, 0, SIZE, SIZE).data;
  let mass = 0,
    cx = 0,
    cy = 0;
  for (let i = 0; i < SIZE * SIZE; i++) {
    const v = pixels[i * 4]!;
    mass += v;
    cx += (i % SIZE) * v;
    cy += Math.floor(i / SIZE) * v;
  }
  if (mass > 0) draw(x0 + (SIZE - 1) / 2 - cx / mass, y0 + (SIZE - 1) / 2 - cy / mass);
  return true;
}
