// An image column's INVALID_IMAGE issues say what the value was (its length, its size, its
// state) rather than "object", so an app can tell an unloaded <img> from a wrong-sized array.
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

test('INVALID_IMAGE names the value: array length against the schema size, unloaded or closed sources', () => {
  const cases: Array<[unknown, string]> = [
    [new Uint8Array(1000), 'Uint8Array of 1000 values; expected 150528 (224×224×3)'],
    [new Array<number>(12).fill(0), 'array of 12 values; expected 150528 (224×224×3)'],
    [{ naturalWidth: 0, naturalHeight: 0, width: 300, height: 200 }, 'image not loaded (naturalWidth 0; await img.decode() first)'],
    [{ videoWidth: 0, videoHeight: 0, width: 0, height: 0 }, 'video without a frame yet (videoWidth 0; wait for its loadeddata event)'],
    [{ displayWidth: 0, displayHeight: 0 }, 'closed VideoFrame (displayWidth 0)'],
    [{ width: 0, height: 0 }, 'closed or transferred ImageBitmap, or an empty canvas (0×0)'],
    [{ data: new Uint8ClampedArray(7), width: 10, height: 10 }, 'pixels 10×10 with 7 values (1, 3 or 4 per pixel needed)'],
    [{}, 'Object without pixels (no data, width, height)'],
    ['cat.png', 'string "cat.png"'],
  ];
  for (const [value, got] of cases) {
    const issue = issueFor(value);
    assert.equal(issue.code, 'INVALID_IMAGE');
    assert.equal(issue.got, got);
    assert.match(issue.message, /^Row 3, column "photo": expected an image .* or 224×224×\{1,3,4\} values, got /);
    assert.ok(issue.message.includes(got), issue.message);
  }
});
