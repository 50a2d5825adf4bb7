import { describe, expect, it } from 'vitest';
import { boundaryGrid, classOneProbability, squareDomain } from '../src/shared/grid.js';

describe('boundaryGrid', () => {
  it('lists cell centres row by row, the top row first', () => {
    // Over [-1, 1]² in 2 × 2 cells of side 1 the centres are at ±0.5; row 0 is y = +0.5.
    expect(Array.from(boundaryGrid({ min: -1, max: 1 }, 2))).toEqual([-0.5, 0.5, 0.5, 0.5, -0.5, -0.5, 0.5, -0.5]);
  });

  it('spaces a larger grid evenly inside the domain', () => {
    const g = boundaryGrid({ min: -2, max: 2 }, 4);
    expect(g).toHaveLength(4 * 4 * 2);
    // First cell centre: (-2 + 0.5, 2 - 0.5); last: (2 - 0.5, -2 + 0.5).
    expect([g[0], g[1]]).toEqual([-1.5, 1.5]);
    expect([g[30], g[31]]).toEqual([1.5, -1.5]);
  });

  it('refuses a resolution that is not a positive integer', () => {
    expect(() => boundaryGrid({ min: -1, max: 1 }, 0)).toThrow(/positive integer, got 0/);
    expect(() => boundaryGrid({ min: -1, max: 1 }, 2.5)).toThrow(/got 2.5/);
  });
});

describe('squareDomain', () => {
  it('covers the farthest coordinate plus the margin, rounded out to a tenth', () => {
    // |−0.95| · 1.1 = 1.045 → 1.1
    expect(squareDomain([0.3, -0.95, 0.5, 0.2])).toEqual({ min: -1.1, max: 1.1 });
    expect(squareDomain([0.5, 0.5], 0)).toEqual({ min: -0.5, max: 0.5 });
  });

  it('falls back to [-1, 1] without points', () => {
    expect(squareDomain([])).toEqual({ min: -1, max: 1 });
  });
});

describe('classOneProbability', () => {
  it('is the softmax of the second logit', () => {
    // Equal logits: 1/2. A lead of ln 3: e^ln3 / (1 + e^ln3) = 3/4.
    const p = classOneProbability([0, 0, 0, Math.log(3), 2, 2 + Math.log(3)], 3);
    expect(p[0]).toBe(0.5);
    expect(p[1]).toBeCloseTo(0.75, 6);
    expect(p[2]).toBeCloseTo(0.75, 6);
  });

  it('stays finite for huge logits', () => {
    expect(Array.from(classOneProbability([1000, -1000, -1000, 1000], 2))).toEqual([0, 1]);
  });
});
