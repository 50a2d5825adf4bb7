import { describe, expect, it } from 'vitest';
import { GradstreamError, Tensor, type NestedArray } from '../src/index.js';
import { catchGradstream } from '../../../test/support/errors.js';

describe('Tensor.from with nested arrays', () => {
  it('infers the shape of a matrix and stores it row-major as float32', () => {
    const t = Tensor.from([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.rank).toBe(2);
    expect(t.size).toBe(6);
    expect(t.dtype).toBe('float32');
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('infers the shape of a rank-3 array', () => {
    const t = Tensor.from([
      [
        [1, 2],
        [3, 4],
      ],
      [
        [5, 6],
        [7, 8],
      ],
      [
        [9, 10],
        [11, 12],
      ],
    ]);
    expect(t.shape).toEqual([3, 2, 2]);
    expect(t.size).toBe(12);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('treats a flat list as a vector and a bare number as a scalar of shape []', () => {
    expect(Tensor.from([1, 2, 3]).shape).toEqual([3]);
    const s = Tensor.from(5);
    expect(s.shape).toEqual([]);
    expect(s.rank).toBe(0);
    expect(s.size).toBe(1);
    expect(s.data[0]).toBe(5);
  });

  it('honours the dtype option', () => {
    const f64 = Tensor.from([0.1, 0.2], { dtype: 'float64' });
    expect(f64.dtype).toBe('float64');
    expect(f64.data).toBeInstanceOf(Float64Array);
    // 0.1 survives a Float64Array exactly; a Float32Array would round it to Math.fround(0.1).
    expect(f64.data[0]).toBe(0.1);
    const f32 = Tensor.from([0.1]);
    expect(f32.data[0]).toBe(Math.fround(0.1));
    expect(f32.data[0]).not.toBe(0.1);
  });

  it('copies the input rather than aliasing it', () => {
    const src = [1, 2];
    const t = Tensor.from(src);
    src[0] = 100;
    expect(t.data[0]).toBe(1);
  });
});

describe('Tensor.from with an explicit shape', () => {
  it('lays a flat list out in the given shape', () => {
    const t = Tensor.from([1, 2, 3, 4, 5, 6], { shape: [3, 2] });
    expect(t.shape).toEqual([3, 2]);
    // Row-major [3,2]: rows are [1,2], [3,4], [5,6].
    expect(t.at(1, 0)).toBe(3);
    expect(t.at(2, 1)).toBe(6);
  });

  it('accepts a typed array and nested input, flattening it', () => {
    const fromTyped = Tensor.from(new Float64Array([1.5, -2.5, 3.5, 4]), { shape: [2, 2], dtype: 'float64' });
    expect(fromTyped.dtype).toBe('float64');
    expect(Array.from(fromTyped.data)).toEqual([1.5, -2.5, 3.5, 4]);
    const fromNested = Tensor.from([[1, 2, 3, 4]], { shape: [2, 2] });
    expect(fromNested.shape).toEqual([2, 2]);
    expect(fromNested.at(1, 1)).toBe(4);
  });

  it('throws SHAPE_MISMATCH when the element count does not fit the shape', () => {
    const err = catchGradstream(() => Tensor.from([1, 2, 3], { shape: [2, 2] }));
    expect(err.code).toBe('SHAPE_MISMATCH');
    expect(err.message).toContain('[2,2]');
    expect(err.message).toContain('holds 4 elements');
    expect(err.message).toContain('got 3');
  });
});

describe('Tensor.from with ragged input', () => {
  const cases: Array<{ name: string; values: NestedArray; path: string; got: string }> = [
    { name: 'a short row', values: [[1, 2], [3]], path: '[1]', got: 'expected length 2 at [1], got length 1' },
    { name: 'a long row', values: [[1, 2], [3, 4, 5]], path: '[1]', got: 'expected length 2 at [1], got length 3' },
    { name: 'a number where a row belongs', values: [[1, 2], 3], path: '[1]', got: 'expected length 2 at [1], got a number' },
    { name: 'a row where a number belongs', values: [1, [2]], path: '[1]', got: 'expected a number at [1]' },
    {
      name: 'a short row two levels down',
      values: [
        [
          [1, 2],
          [3, 4],
        ],
        [[5, 6], [7]],
      ],
      path: '[1][1]',
      got: 'expected length 2 at [1][1], got length 1',
    },
  ];

  for (const c of cases) {
    it(`throws SHAPE_MISMATCH naming the bad path for ${c.name}`, () => {
      const err = catchGradstream(() => Tensor.from(c.values));
      expect(err.code).toBe('SHAPE_MISMATCH');
      expect(err.message).toContain(c.got);
      expect(err.details.path).toBe(c.path);
    });
  }

  it('names the first bad path when several rows are wrong', () => {
    const err = catchGradstream(() => Tensor.from([[1, 2], [3], [4, 5, 6]]));
    expect(err.message).toContain('at [1]');
    expect(err.message).not.toContain('[2]');
    expect(err.details.path).toBe('[1]');
  });
});

describe('Tensor constructor', () => {
  it('wraps the given buffer without copying', () => {
    const buf = new Float64Array([1, 2, 3, 4, 5, 6]);
    const t = new Tensor([2, 3], buf);
    expect(t.data).toBe(buf);
    expect(t.dtype).toBe('float64');
    expect(t.size).toBe(6);
  });

  it('throws SHAPE_MISMATCH when the buffer length differs from the shape size', () => {
    const err = catchGradstream(() => new Tensor([2, 3], new Float32Array(5)));
    expect(err.code).toBe('SHAPE_MISMATCH');
    expect(err.message).toContain('[2,3]');
    expect(err.message).toContain('holds 6 elements');
    expect(err.message).toContain('buffer has 5');
    expect(err.details).toEqual({ shape: [2, 3], length: 5 });
  });

  it('rejects a shape with a negative axis', () => {
    expect(catchGradstream(() => new Tensor([2, -1], new Float32Array(0))).code).toBe('SHAPE_MISMATCH');
  });
});

describe('Tensor#at', () => {
  it('indexes row-major: at(row, col)', () => {
    const t = Tensor.from([
      [1, 2],
      [3, 4],
    ]);
    expect(t.at(0, 0)).toBe(1);
    expect(t.at(0, 1)).toBe(2);
    expect(t.at(1, 0)).toBe(3);
    expect(t.at(1, 1)).toBe(4);
  });

  it('indexes a non-square rank-3 tensor', () => {
    // shape [2,3,2]; element (i,j,k) sits at offset i*6 + j*2 + k, and holds that offset here.
    const t = Tensor.from(
      Array.from({ length: 12 }, (_, i) => i),
      { shape: [2, 3, 2] },
    );
    expect(t.at(1, 2, 1)).toBe(11);
    expect(t.at(0, 2, 0)).toBe(4);
    expect(t.at(1, 0, 1)).toBe(7);
  });

  it('returns the value of a scalar with no indices', () => {
    expect(Tensor.from(-2.5).at()).toBe(-2.5);
  });
});

describe('Tensor#clone', () => {
  it('converts to float64 with its own buffer and the same values', () => {
    const t = Tensor.from([
      [0.5, 1.5],
      [2.25, -3],
    ]);
    const c = t.clone('float64');
    expect(c.dtype).toBe('float64');
    expect(c.data).toBeInstanceOf(Float64Array);
    expect(c.shape).toEqual([2, 2]);
    expect(Array.from(c.data)).toEqual([0.5, 1.5, 2.25, -3]);
    expect(c.data).not.toBe(t.data);
    c.data[0] = 42;
    expect(t.data[0]).toBe(0.5);
  });

  it('keeps the dtype by default and copies the data', () => {
    const t = Tensor.from([1, 2], { dtype: 'float64' });
    const c = t.clone();
    expect(c.dtype).toBe('float64');
    expect(c.data).not.toBe(t.data);
    t.data[1] = 9;
    expect(c.data[1]).toBe(2);
  });

  it('rounds to float32 when cloning down', () => {
    const c = Tensor.from([0.1], { dtype: 'float64' }).clone('float32');
    expect(c.dtype).toBe('float32');
    expect(c.data[0]).toBe(Math.fround(0.1));
  });
});

describe('Tensor#reshape', () => {
  it('shares the buffer: writes through one view show in the other', () => {
    const t = Tensor.from([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const r = t.reshape([3, 2]);
    expect(r.shape).toEqual([3, 2]);
    expect(t.shape).toEqual([2, 3]);
    expect(r.data).toBe(t.data);
    // Flat offset 5 is (1,2) in [2,3] and (2,1) in [3,2].
    r.data[5] = 99;
    expect(t.at(1, 2)).toBe(99);
    expect(r.at(2, 1)).toBe(99);
    // Offset 3 is (1,0) in [2,3] and (1,1) in [3,2].
    expect(r.at(1, 1)).toBe(4);
  });

  it('throws SHAPE_MISMATCH for a shape of another size', () => {
    const err = catchGradstream(() => Tensor.from([1, 2, 3, 4]).reshape([3]));
    expect(err.code).toBe('SHAPE_MISMATCH');
    expect(err.message).toContain('[3]');
  });
});

describe('Tensor#toArray', () => {
  const inputs: Array<{ name: string; values: NestedArray; shape: number[] }> = [
    { name: 'scalar', values: -1.25, shape: [] },
    { name: 'vector', values: [0.5, -1.25, 3], shape: [3] },
    {
      name: 'matrix',
      values: [
        [1, 2, 3],
        [4, 5, 6],
      ],
      shape: [2, 3],
    },
    {
      name: 'rank 3',
      values: [
        [[1], [2]],
        [[3], [4]],
        [[5], [6]],
      ],
      shape: [3, 2, 1],
    },
  ];

  for (const c of inputs) {
    it(`round-trips a ${c.name} through Tensor.from`, () => {
      const t = Tensor.from(c.values);
      expect(t.shape).toEqual(c.shape);
      expect(t.toArray()).toEqual(c.values);
      const again = Tensor.from(t.toArray());
      expect(again.shape).toEqual(t.shape);
      expect(Array.from(again.data)).toEqual(Array.from(t.data));
    });
  }

  it('nests a flat buffer according to the shape', () => {
    expect(Tensor.from([1, 2, 3, 4, 5, 6], { shape: [3, 2] }).toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
  });
});

describe('Tensor.zeros', () => {
  it('allocates float32 by default', () => {
    const t = Tensor.zeros([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(t.size).toBe(6);
    expect(t.data.length).toBe(6);
    expect(t.data.every((v) => v === 0)).toBe(true);
  });

  it('allocates float64 on request', () => {
    const t = Tensor.zeros([4], 'float64');
    expect(t.dtype).toBe('float64');
    expect(t.data).toBeInstanceOf(Float64Array);
    expect(Array.from(t.data)).toEqual([0, 0, 0, 0]);
  });

  it('handles an empty axis', () => {
    const t = Tensor.zeros([2, 0]);
    expect(t.size).toBe(0);
    expect(t.toArray()).toEqual([[], []]);
  });
});

describe('Tensor#toString', () => {
  it('shows dtype and shape', () => {
    expect(Tensor.zeros([2, 3]).toString()).toBe('Tensor(float32 [2,3])');
    expect(Tensor.zeros([], 'float64').toString()).toBe('Tensor(float64 [])');
  });
});
