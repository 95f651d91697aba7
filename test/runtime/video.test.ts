// <video> and VideoFrame inputs: the schema reads their current frame at its natural size, so the
// features (and a CNN's outputs) equal those of the same pixels passed as ImageData. The video is
// made here: a WebM recorded with MediaRecorder from a canvas stream, decoded by the <video>. In
// worker mode an ImageBitmap or VideoFrame is transferred to the worker, not copied: after the call
// the page's bitmap is detached (0×0) and its frame closed, as an app sees it.
import { expect } from 'chai';
import { loadModel } from '../../src/load-model.js';
import { compileSchema } from '../../src/schema/compile.js';
import type { ClassificationPrediction } from '../../src/index.js';
import type { ImageStep } from '../../src/schema/types.js';

const WORKER = '/src/runtime/worker.ts';
const DIGITS = '/models/digits/2.0.0/';

/** A deterministic colourful picture with a digit-like stroke, w × h. */
function picture(w: number, h: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d')!;
  const gradient = ctx.createLinearGradient(0, 0, w, h);
  gradient.addColorStop(0, '#102030');
  gradient.addColorStop(1, '#e0c080');
  ctx.fillStyle = gradient;
  ctx.fillRect(0, 0, w, h);
  ctx.fillStyle = '#30a040';
  ctx.fillRect(w / 8, h / 6, w / 4, h / 3);
  ctx.strokeStyle = '#ffffff';
  ctx.lineWidth = h / 10;
  ctx.beginPath();
  ctx.moveTo(w * 0.55, h * 0.2);
  ctx.lineTo(w * 0.75, h * 0.2);
  ctx.lineTo(w * 0.6, h * 0.85);
  ctx.stroke();
  return canvas;
}

const pixelsOf = (source: CanvasImageSource, w: number, h: number): ImageData => {
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(source, 0, 0);
  return ctx.getImageData(0, 0, w, h);
};

/** Mean |Δ red| per pixel of two RGBA images of one size. */
function meanRedDelta(a: Uint8ClampedArray, b: Uint8ClampedArray): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 4) sum += Math.abs(a[i]! - b[i]!);
  return sum / (a.length / 4);
}

/**
 * A WebM of `canvas` recorded for `ms` (see {@link recordOnce}), recorded again (up to 3 times in
 * all) while the frame it shows is far from the picture: on a loaded machine MediaRecorder's first
 * frames, black before the stream's first paint, can last past the frame the video seeks to. The
 * test still asserts the frame it got is the picture.
 */
async function recordedVideo(canvas: HTMLCanvasElement, ms: number): Promise<HTMLVideoElement> {
  const source = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
  let video = await recordOnce(canvas, ms);
  for (let attempt = 1; attempt < 3 && meanRedDelta(source, pixelsOf(video, canvas.width, canvas.height).data) >= 12; attempt++) {
    URL.revokeObjectURL(video.src);
    video = await recordOnce(canvas, ms);
  }
  return video;
}

/** A WebM of `canvas` (redrawn every frame) recorded for `ms`, loaded into a paused <video> showing a frame past its first. */
async function recordOnce(canvas: HTMLCanvasElement, ms: number): Promise<HTMLVideoElement> {
  const stream = canvas.captureStream(30);
  const recorder = new MediaRecorder(stream, { mimeType: 'video/webm;codecs=vp8' });
  const chunks: Blob[] = [];
  recorder.ondataavailable = (e) => chunks.push(e.data);
  const stopped = new Promise((resolve) => (recorder.onstop = resolve));
  const snapshot = pixelsOf(canvas, canvas.width, canvas.height);
  const ctx = canvas.getContext('2d')!;
  // captureStream emits a frame only when the canvas is painted: repaint the same picture.
  const repaint = setInterval(() => ctx.putImageData(snapshot, 0, 0), 20);
  recorder.start();
  await new Promise((resolve) => setTimeout(resolve, ms));
  recorder.stop();
  await stopped;
  clearInterval(repaint);
  for (const track of stream.getTracks()) track.stop();
  const video = document.createElement('video');
  video.muted = true;
  video.src = URL.createObjectURL(new Blob(chunks, { type: 'video/webm' }));
  await new Promise<void>((resolve, reject) => {
    video.onloadeddata = () => resolve();
    video.onerror = () => reject(new Error(`the recorded WebM did not decode: ${video.error?.message}`));
  });
  // Past the recorder's first frame (taken before the stream's first paint can be black).
  video.currentTime = (ms / 1000) * 0.6;
  await new Promise((resolve) => (video.onseeked = resolve));
  return video;
}

const schemaOf = (step: Omit<ImageStep, 'kind'>) =>
  compileSchema({
    formatVersion: 2,
    columns: [{ name: 'img', type: 'image', steps: [{ kind: 'image', ...step }] }],
    features: [{ column: 'img', count: step.width * step.height * step.channels }],
    width: step.width * step.height * step.channels,
  });

describe('image inputs: <video> and VideoFrame', () => {
  it('a VideoFrame reads as the ImageData of its pixels (schema features and the digits CNN), and stays open on the page', async () => {
    const canvas = picture(160, 120);
    const image = canvas.getContext('2d')!.getImageData(0, 0, 160, 120);
    const frame = new VideoFrame(canvas, { timestamp: 0 });
    try {
      expect([frame.displayWidth, frame.displayHeight]).to.deep.equal([160, 120]);
      // An RGBA frame of a canvas carries the canvas's own pixels.
      expect(Array.from(pixelsOf(frame, 160, 120).data)).to.deep.equal(Array.from(image.data));
      const rgb = schemaOf({ width: 40, height: 30, channels: 3, resize: 'area', scale: [1 / 255], offset: [0] });
      expect(Array.from(rgb.parse({ img: frame }))).to.deep.equal(Array.from(rgb.parse({ img: image })));
      const model = await loadModel({ bundle: DIGITS, backend: 'cpu', cache: false, remember: false });
      const fromFrame = (await model.predict({ image: frame })) as ClassificationPrediction;
      const fromImage = (await model.predict({ image })) as ClassificationPrediction;
      expect(Array.from(fromFrame.raw)).to.deep.equal(Array.from(fromImage.raw));
      await model.dispose();
      expect(frame.format, 'page mode leaves the frame to its owner').to.not.equal(null);
    } finally {
      frame.close();
    }
    // A closed frame is an invalid image, with the issue's code.
    const closed = new VideoFrame(canvas, { timestamp: 1 });
    closed.close();
    const result = rgbSafe(closed);
    expect(result).to.deep.equal(['INVALID_IMAGE']);
  });

  it('a <video> reads its current frame at the video size (not its layout size), equal to that frame drawn as ImageData', async () => {
    const canvas = picture(96, 64);
    const video = await recordedVideo(canvas, 700);
    try {
      expect([video.videoWidth, video.videoHeight]).to.deep.equal([96, 64]);
      // Laid out at another size: the frame is still read at 96×64.
      video.width = 300;
      video.height = 20;
      document.body.append(video);
      const frame = pixelsOf(video, 96, 64);
      const rgb = schemaOf({ width: 48, height: 32, channels: 3, resize: 'area', scale: [1 / 255], offset: [0] });
      expect(Array.from(rgb.parse({ img: video }))).to.deep.equal(Array.from(rgb.parse({ img: frame })));
      // VP8 is lossy, but not that lossy: the decoded frame is near the picture recorded.
      const source = canvas.getContext('2d')!.getImageData(0, 0, 96, 64).data;
      expect(meanRedDelta(source, frame.data), `mean |Δred| of the decoded frame at ${video.currentTime} s`).to.be.below(12);
      const model = await loadModel({
        bundle: DIGITS,
        backend: 'wasm',
        wasmPaths: '/node_modules/@tensorflow/tfjs-backend-wasm/dist/',
        cache: false,
        remember: false,
      });
      const fromVideo = (await model.predict({ image: video })) as ClassificationPrediction;
      const fromImage = (await model.predict({ image: frame })) as ClassificationPrediction;
      expect(Array.from(fromVideo.raw)).to.deep.equal(Array.from(fromImage.raw));
      await model.dispose();
      // A video with no frame yet is an invalid image.
      expect(rgbSafe(document.createElement('video'))).to.deep.equal(['INVALID_IMAGE']);
    } finally {
      URL.revokeObjectURL(video.src);
      video.remove();
    }
  });

  it('worker mode transfers ImageBitmaps and VideoFrames (detached and closed after the call), with the outputs of page mode', async () => {
    const canvas = picture(140, 140);
    const image = canvas.getContext('2d')!.getImageData(0, 0, 140, 140);
    const onPage = await loadModel({ bundle: DIGITS, backend: 'cpu', cache: false, remember: false });
    const expected = Array.from(((await onPage.predict({ image })) as ClassificationPrediction).raw);
    await onPage.dispose();

    const model = await loadModel({ bundle: DIGITS, backend: 'cpu', cache: false, remember: false, worker: { url: WORKER } });
    try {
      expect(model.info.worker).to.equal(true);
      const bitmap = await createImageBitmap(canvas);
      expect(bitmap.width).to.equal(140);
      const fromBitmap = (await model.predict({ image: bitmap })) as ClassificationPrediction;
      expect(Array.from(fromBitmap.raw)).to.deep.equal(expected);
      expect([bitmap.width, bitmap.height], 'the page bitmap was transferred (detached)').to.deep.equal([0, 0]);

      const frame = new VideoFrame(canvas, { timestamp: 0 });
      const row = { image: frame };
      const fromFrame = (await model.predict(row)) as ClassificationPrediction;
      expect(Array.from(fromFrame.raw)).to.deep.equal(expected);
      expect(frame.format, 'the page frame was transferred (closed)').to.equal(null);
      expect(row.image, "the caller's row object is not changed").to.equal(frame);

      // A batch: every source transferred, results in order; a source already closed is an invalid row.
      const bitmaps = await Promise.all([0, 1, 2].map(() => createImageBitmap(canvas)));
      const gone = new VideoFrame(canvas, { timestamp: 1 });
      gone.close();
      // The first bitmap twice: transferred once, read for both rows.
      const { predictions, issues } = await model.predictBatch([...bitmaps.map((b) => ({ image: b })), { image: gone }, { image }, { image: bitmaps[0] }]);
      expect(predictions.map((p) => (p ? Array.from((p as ClassificationPrediction).raw) : null))).to.deep.equal([
        expected,
        expected,
        expected,
        null,
        expected,
        expected,
      ]);
      expect(issues.map((i) => [i.row, i.code])).to.deep.equal([[3, 'INVALID_IMAGE']]);
      expect(bitmaps.map((b) => b.width)).to.deep.equal([0, 0, 0]);
    } finally {
      await model.dispose();
    }
  });
});

/** The issue codes of one closed/empty source through a small RGB schema. */
function rgbSafe(source: object): string[] {
  const rgb = schemaOf({ width: 4, height: 4, channels: 3, scale: [1], offset: [0] });
  const result = rgb.safeParse({ img: source });
  return result.success ? [] : result.issues.map((i) => i.code);
}
