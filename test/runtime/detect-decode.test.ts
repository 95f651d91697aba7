// The detection decoder with a `classes` output (TF Object Detection API post-processed heads:
// boxes [n, 4], scores [n], classes [n]): the background class is the class output's value, not
// the score column; and scores or classes that are not one per box are refused.
import { expect } from 'chai';
import { detectionDecoder } from '../../src/runtime/detection-decoder.js';
import type { FerryError } from '../../src/errors.js';
import type { DetectionSpec } from '../../src/model/manifest.js';

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

  it('refuses scores or classes that are not one per box when output.classes is given (MANIFEST_INVALID naming the output, at load)', () => {
    const width = (spec: DetectionSpec) => spec.outputs.reduce((sum, o) => sum + o.shape.reduce((a, b) => a * b, 1), 0);
    const decoderFor = (spec: DetectionSpec) => () => detectionDecoder(spec, width(spec));
    expect(decoderFor(head([3, 1], [3, 1]))).not.to.throw();
    const refusal = (spec: DetectionSpec) => {
      try {
        decoderFor(spec)();
      } catch (error) {
        return error as FerryError;
      }
      throw new Error('expected MANIFEST_INVALID');
    };
    const perClass = refusal(head([3, 3], [3]));
    expect(perClass.code).to.equal('MANIFEST_INVALID');
    expect(perClass.message).to.contain('output "scores" has shape [3, 3], expected [3] (one per box of "boxes") when output.classes is given');
    expect(perClass.details).to.deep.equal({ output: 'scores', expected: [3], got: [3, 3] });
    const fewer = refusal(head([3], [2]));
    expect(fewer.code).to.equal('MANIFEST_INVALID');
    expect(fewer.message).to.contain('output "classes" has shape [2], expected [3]');
    expect(fewer.details).to.deep.equal({ output: 'classes', expected: [3], got: [2] });
  });
});
