// An image column's INVALID_IMAGE issues say what the value was (an array's length, pixel data's
// count and size, a source of size 0) rather than "object", so an app can tell an unloaded <img> from a wrong-sized array.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileImage } from '../../src/schema/image.js';
import type { Issue } from '../../src/errors.js';

const write = compileImage('photo', { kind: 'image', width: 224, height: 224, channels: 3, scale: [1], offset: [0] });

/** The one issue `write` records for `value`. */
function issueFor(value: unknown): Issue {
  const sink = { issues: [] as Issue[], row: 3 };
  assert.equal(write(value, new Float32Array(224 * 224 * 3), 0, sink), false);
  assert.equal(sink.issues.length, 1);
  return sink.issues[0]!;
}

// Stand-ins with the browser's class names and the sizes a browser reports.
class HTMLImageElement {
  naturalWidth = 0;
  naturalHeight = 0;
  width = 300;
  height = 200;
}
class ImageBitmap {
  width = 0;
  height = 0;
}
class HTMLVideoElement {
  videoWidth = 0;
  videoHeight = 0;
  width = 640;
  height = 480;
}

test("INVALID_IMAGE names the value: an array's length against the schema size, pixel data's count against its own size, a source of size 0 (not loaded, or closed)", () => {
  const cases: Array<[unknown, string]> = [
    [new Uint8Array(1000), 'Uint8Array of 1000 values, not 150528'],
    [new Array<number>(12).fill(0), 'Array of 12 values, not 150528'],
    [new HTMLImageElement(), 'HTMLImageElement of size 0 (not loaded, or closed)'],
    [new ImageBitmap(), 'ImageBitmap of size 0 (not loaded, or closed)'],
    [new HTMLVideoElement(), 'HTMLVideoElement of size 0 (not loaded, or closed)'],
    // Pixel data whose count fits no channel count of its own size: the count and the size it claims.
    [{ data: new Uint8ClampedArray(1000), width: 10, height: 10 }, '{data: Uint8ClampedArray of 1000 values, width: 10, height: 10}, not 10×10×{1,3,4}'],
    [{ data: [1, 2, 3], width: 0, height: 3 }, '{data: Array of 3 values, width: 0, height: 3}, not 0×3×{1,3,4}'],
    [{}, 'object'],
    ['cat.png', 'string "cat.png"'],
  ];
  for (const [value, got] of cases) {
    const issue = issueFor(value);
    assert.equal(issue.code, 'INVALID_IMAGE');
    assert.equal(issue.got, got);
    assert.equal(issue.expected, 'an image or 224×224×{1,3,4} values');
    assert.ok(
      issue.message.startsWith(`Row 3, column "photo": expected an image or 224×224×{1,3,4} values, got ${got} (INVALID_IMAGE); send ImageData`),
      issue.message,
    );
  }
});
