import { describe, expect, it } from 'vitest';
import { softplus, softplusOp } from '../src/index.js';
import { flat, runOp } from './run-op.js';

describe('softplus', () => {
  it('is log(1 + eˣ): ln 2 at 0, and ln(1 + e) at 1', () => {
    const [a, b, c] = flat(runOp(softplusOp, [[[0, 1, -1]]]).out);
    expect(a).toBe(Math.LN2);
    expect(b).toBeCloseTo(Math.log(1 + Math.E), 15);
    // softplus(x) − softplus(−x) = x
    expect(b! - c!).toBeCloseTo(1, 15);
  });

  it('is x for large x and keeps e^x for very negative x, in float64 and float32', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const [big, inf, tiny, negInf] = flat(runOp(softplusOp, [[[1000, Infinity, -40, -Infinity]]], { dtype }).out);
      expect([big, inf, negInf]).toEqual([1000, Infinity, 0]);
      // log(1 + e^(−40)) is e^(−40) to within e^(−80): the naive log(1 + eˣ) gives 0.
      expect(tiny! / Math.exp(-40)).toBeCloseTo(1, dtype === 'float32' ? 6 : 14);
    }
  });

  it('has σ(x) as its derivative, saturating without NaN', () => {
    const r = runOp(softplusOp, [[[0, 2, 1000, -1000, Infinity, -Infinity]]]);
    const g = flat(r.backward([[2, 1, 1, 1, 1, 1]]).x!);
    expect(g[0]).toBe(1);
    expect(g[1]).toBeCloseTo(1 / (1 + Math.exp(-2)), 15);
    expect(g.slice(2)).toEqual([1, 0, 1, 0]);
  });

  it('passes NaN through and builds a layer spec', () => {
    expect(Number.isNaN(runOp(softplusOp, [[[Number.NaN]]]).out.data[0])).toBe(true);
    expect(softplus()).toEqual({ op: 'softplus' });
  });
});
