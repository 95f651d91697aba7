// Image columns at real model sizes: the schema describes an image's values as one
// { column, count } range (formatVersion 2), the old one-name-per-value form (formatVersion 1)
// is still read, and every failure is a coded FerryError (never a bare RangeError).
import { expect } from 'chai';
import { compileSchema } from '../../src/schema/compile.js';
import { defineSchema } from '../../src/schema/define.js';
import { featureNames } from '../../src/schema/features.js';
import { fitSchema } from '../../src/schema/fit.js';
import { checkSchema } from '../../src/schema/check.js';
import type { ImageStep, Schema } from '../../src/schema/types.js';

const step = (size: number, channels: 1 | 3 = 3): ImageStep => ({ kind: 'image', width: size, height: size, channels, scale: [1 / 127.5], offset: [-1] });
const column = (size: number, channels: 1 | 3 = 3) => ({ name: 'img', type: 'image' as const, steps: [step(size, channels)] });

function codeOf(f: () => unknown): { code?: string; message: string } {
  try {
    f();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected a throw');
}

describe('schema: image columns at any size (compact features, formatVersion 2)', () => {
  it('a 1024×1024×3 input compiles from a schema of one features entry, and its JSON stays small', () => {
    const schema = defineSchema({ columns: [column(1024), { name: 'n', type: 'number', steps: [] }] });
    expect(schema.formatVersion).to.equal(2);
    // No per-value list anywhere: one range entry for 3,145,728 values.
    expect(schema.features).to.deep.equal([{ column: 'img', count: 1024 * 1024 * 3 }, 'n']);
    expect(schema.width).to.equal(1024 * 1024 * 3 + 1);
    expect(JSON.stringify(schema).length).to.be.below(400);
    const compiled = compileSchema(JSON.parse(JSON.stringify(schema)) as Schema);
    expect(compiled.width).to.equal(schema.width);
    expect(compiled.features).to.have.length(2);
  });

  it('transforms a 224×224×3 image at the range start, and the old per-value form (formatVersion 1) gives the same bits', () => {
    const size = 224;
    const compact = compileSchema(defineSchema({ columns: [{ name: 'n', type: 'number', steps: [] }, column(size)] }));
    const names = featureNames(column(size));
    expect(names).to.have.length(size * size * 3); // far past the ~123k items a spread overflowed at
    const legacy = compileSchema({
      formatVersion: 1,
      columns: [{ name: 'n', type: 'number', steps: [] }, column(size)],
      features: ['n', ...names],
      width: names.length + 1,
    });
    const pixels = Uint8Array.from({ length: size * size * 3 }, (_, i) => (i * 7) % 256);
    const a = compact.parse({ n: 5, img: pixels });
    const b = legacy.parse({ n: 5, img: pixels });
    expect(a[0]).to.equal(5);
    expect(a[1]).to.equal(-1);
    expect(a[2]).to.equal(Math.fround(7 / 127.5 - 1));
    const bitsA = new Uint32Array(a.buffer);
    const bitsB = new Uint32Array(b.buffer);
    let differ = 0;
    for (let i = 0; i < bitsA.length; i++) if (bitsA[i] !== bitsB[i]) differ++;
    expect([bitsA.length, differ]).to.deep.equal([size * size * 3 + 1, 0]);
  });

  it('rejects malformed feature lists with SCHEMA_INVALID naming what is wrong', () => {
    const good = { formatVersion: 2, columns: [column(4)], features: [{ column: 'img', count: 48 }], width: 48 };
    const bad = (patch: Record<string, unknown>, pattern: RegExp) => {
      const e = codeOf(() => compileSchema({ ...good, ...patch } as unknown as Schema));
      expect(e.code, e.message).to.equal('SCHEMA_INVALID');
      expect(e.message).to.match(pattern);
    };
    bad({ features: [{ column: 'img', count: 47 }], width: 47 }, /counts 47 values, the image step emits 48/);
    bad({ features: [{ column: 'x', count: 48 }] }, /range for "x", which is not an image column/);
    bad({ features: [], width: 0 }, /lacks this image column's 48 values/);
    bad({ width: 49 }, /"width" is 49 but "features" has 48 values/);
    bad({ formatVersion: 1 }, /must be a feature name, got \{"column":"img","count":48\}/);
    bad({ formatVersion: 1, features: featureNames(column(4)).reverse() }, /must be contiguous/);
    bad(
      { columns: [column(4), { name: 'img_3', type: 'number', steps: [] }], features: [{ column: 'img', count: 48 }, 'img_3'], width: 49 },
      /also a value of image column "img"/,
    );
    bad({ columns: [{ name: 'img', type: 'image', steps: [null] }] }, /Invalid schema/);
    bad({ columns: [{ name: 'img', type: 'image', steps: [{ ...step(4), width: 1e6 }] }] }, /"width" and "height" must be integers/);
  });

  it('fits an image-only spec without rows, and image columns need no values in training rows', () => {
    const image = { width: 8, height: 8, channels: 1 as const, scale: [1 / 255], offset: [0] };
    const schema = fitSchema({ columns: { img: { type: 'image', image } } }, []);
    expect(schema.features).to.deep.equal([{ column: 'img', count: 64 }]);
    const mixed = fitSchema({ columns: { img: { type: 'image', image }, x: { type: 'number', scale: 'standard' } } }, [{ x: 1 }, { x: 3 }]);
    expect(checkSchema(mixed).width).to.equal(65);
    expect(codeOf(() => fitSchema({ columns: { x: { type: 'number' } } }, [])).code).to.equal('FIT_FAILED');
  });
});
