// The detection decoder with a `classes` output (TF Object Detection API post-processed heads:
// boxes [n, 4], scores [n], classes [n]): the background class is the class output's value, not
// the score column; and a manifest whose scores or classes are not one per box is refused.
import { expect } from 'chai';
import { detectionDecoder } from '../../src/runtime/decode-tensors.js';
import { parseManifest } from '../../src/model/parse-manifest.js';
import type { DetectionSpec } from '../../src/model/manifest.js';
import { rejectionOf } from './helpers.js';

const head = (scores: number[], classes: number[]): DetectionSpec => ({
  kind: 'detection',
  outputs: [
    { name: 'boxes', shape: [3, 4] },
    { name: 'scores', shape: scores },
    { name: 'classes', shape: classes },
  ],
  boxes: 'boxes',
  scores: 'scores',
  classes: 'classes',
  labels: ['background', 'cat', 'dog'],
  background: 0,
  nms: false,
});

describe('runtime: detection with a classes output', () => {
  it('drops the boxes whose class is the background, keeps the others (background: 0 is a class, not the score column)', () => {
    // Three boxes; box 2 has the best score but class 0 (background).
    const row = new Float32Array([0, 0, 0.5, 0.5, 0.5, 0.5, 1, 1, 0.1, 0.1, 0.9, 0.9, 0.9, 0.8, 0.95, 1, 2, 0]);
    const decode = detectionDecoder(head([3], [3]), row.length);
    const { detections } = decode(row, 0);
    expect(detections.map((d) => [d.label, d.class, d.score])).to.deep.equal([
      ['cat', 1, Math.fround(0.9)],
      ['dog', 2, Math.fround(0.8)],
    ]);
    expect(detections[1]!.box).to.deep.equal([0.5, 0.5, 1, 1]);
    // Without a background every box is kept, best score first.
    const { background: _, ...noBackground } = head([3], [3]);
    const all = detectionDecoder(noBackground, row.length)(row, 0);
    expect(all.detections.map((d) => d.class)).to.deep.equal([0, 1, 2]);
  });

  it('refuses a manifest whose scores or classes are not one per box when output.classes is given (MANIFEST_INVALID naming the output)', async () => {
    const manifest = (output: DetectionSpec) => ({
      formatVersion: 1,
      name: 'det',
      version: '1.0.0',
      createdAt: '2026-01-01T00:00:00.000Z',
      model: { format: 'graph-model', entry: 'model.json' },
      files: ['model.json', 'schema.json'].map((path) => ({ path, bytes: 1, sha256: '0'.repeat(64) })),
      schema: 'schema.json',
      output,
    });
    expect(parseManifest(manifest(head([3], [3])), 'm').output.kind).to.equal('detection');
    expect(parseManifest(manifest(head([3, 1], [3, 1])), 'm').output.kind).to.equal('detection');
    const perClass = await rejectionOf(Promise.resolve().then(() => parseManifest(manifest(head([3, 3], [3])), 'm')));
    expect(perClass.code).to.equal('MANIFEST_INVALID');
    expect(perClass.message).to.contain('output.scores "scores" has shape [3, 3], expected [3] (one per box of output.boxes) when output.classes is given');
    const fewer = await rejectionOf(Promise.resolve().then(() => parseManifest(manifest(head([3], [2])), 'm')));
    expect(fewer.code).to.equal('MANIFEST_INVALID');
    expect(fewer.message).to.contain('output.classes "classes" has shape [2], expected [3]');
  });
});
