import { describe, expect, it } from 'vitest';
import { GradstreamError, assertShape, checkShape, formatShape, shapesEqual, sizeOf } from '../src/index.js';
import { catchGradstream } from '../../../test/support/errors.js';

describe('sizeOf', () => {
  it('multiplies the axis lengths', () => {
    expect(sizeOf([2, 3])).toBe(6);
    expect(sizeOf([2, 3, 4])).toBe(24);
    expect(sizeOf([7])).toBe(7);
  });

  it('is 1 for the scalar shape [] and 0 when any axis is empty', () => {
    expect(sizeOf([])).toBe(1);
    expect(sizeOf([4, 0, 5])).toBe(0);
  });
});

describe('formatShape', () => {
  it('prints axes comma-separated in brackets without spaces', () => {
    expect(formatShape([64, 784])).toBe('[64,784]');
    expect(formatShape([2, 3, 4])).toBe('[2,3,4]');
    expect(formatShape([5])).toBe('[5]');
    expect(formatShape([])).toBe('[]');
  });
});

describe('shapesEqual', () => {
  it('is true for identical shapes, including the scalar shape', () => {
    expect(shapesEqual([2, 3], [2, 3])).toBe(true);
    expect(shapesEqual([], [])).toBe(true);
  });

  it('is false when a length differs or the axes are swapped', () => {
    expect(shapesEqual([2, 3], [2, 4])).toBe(false);
    expect(shapesEqual([2, 3], [3, 2])).toBe(false);
  });

  it('is false when the ranks differ, even if one is a prefix of the other', () => {
    expect(shapesEqual([2], [2, 3])).toBe(false);
    expect(shapesEqual([2, 3], [2, 3, 1])).toBe(false);
    expect(shapesEqual([], [1])).toBe(false);
  });
});

describe('assertShape', () => {
  it('passes silently when the shapes match', () => {
    expect(() => assertShape('add', [2, 3], [2, 3])).not.toThrow();
    expect(() => assertShape('add', [], [])).not.toThrow();
  });

  it('throws SHAPE_MISMATCH naming the operation, the expected and the actual shape', () => {
    const err = catchGradstream(() => assertShape('linear_1 input x', [2, 3], [3, 2]));
    expect(err.code).toBe('SHAPE_MISMATCH');
    expect(err.name).toBe('GradstreamError');
    expect(err.message).toBe('linear_1 input x: expected shape [2,3], got [3,2]');
    expect(err.details).toEqual({ operation: 'linear_1 input x', expected: [2, 3], actual: [3, 2] });
  });

  it('throws on a rank mismatch too', () => {
    const err = catchGradstream(() => assertShape('add', [4], [4, 1]));
    expect(err.code).toBe('SHAPE_MISMATCH');
    expect(err.message).toContain('add');
    expect(err.message).toContain('[4]');
    expect(err.message).toContain('[4,1]');
  });
});

describe('checkShape', () => {
  it('returns a frozen copy of a valid shape', () => {
    const input = [2, 3];
    const out = checkShape(input);
    expect(out).toEqual([2, 3]);
    expect(out).not.toBe(input);
    expect(Object.isFrozen(out)).toBe(true);
  });

  it('rejects negative and non-integer axes with SHAPE_MISMATCH', () => {
    for (const bad of [[2, -1], [1.5], [Number.NaN]]) {
      const err = catchGradstream(() => checkShape(bad));
      expect(err.code).toBe('SHAPE_MISMATCH');
      expect(err.message).toContain(formatShape(bad));
    }
  });
});
