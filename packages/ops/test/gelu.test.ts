import { describe, expect, it } from 'vitest';
import { gradcheck } from '@gradstream/graph';
import { UNARY_OPS } from '@gradstream/tensor';
import { gelu, geluOp } from '../src/index.js';
import { flat, runOp } from './run-op.js';

/** GELU's tanh form as written in the papers, fine in float64 where 1 + tanh does not cancel (|x| ≤ 3). */
const tanhForm = (x: number): number => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));

describe('gelu', () => {
  it('is the tanh form ½x(1 + tanh(√(2/π)(x + 0.044715x³))), with gelu(±0) = ±0', () => {
    const xs = [-3, -1.5, -0.75, -0.1, 0.1, 0.5, 1, 2, 3];
    flat(runOp(geluOp, [[xs]]).out).forEach((y, i) => expect(y).toBeCloseTo(tanhForm(xs[i]!), 14));
    const [pos, neg] = flat(runOp(geluOp, [[[0, -0]]]).out);
    expect([Object.is(pos, 0), Object.is(neg, -0)]).toEqual([true, true]);
  });

  it('neither overflows nor cancels at large |x|, in float64 and float32', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const r = runOp(geluOp, [[[1e30, -1e30, Infinity, -Infinity, 40, -40]]], { dtype });
      const [big, small, inf, negInf, forty, minusForty] = flat(r.out);
      expect([big, inf, forty]).toEqual([dtype === 'float32' ? Math.fround(1e30) : 1e30, Infinity, 40]);
      for (const v of [small, negInf, minusForty]) expect(Object.is(v, -0)).toBe(true);
      // The derivative saturates to 1 and 0, never NaN from ∞ · 0.
      expect(flat(r.backward([[1, 1, 1, 1, 1, 1]]).x!)).toEqual([1, 0, 1, 0, 1, 0]);
    }
  });

  it('keeps relative precision far into the negative tail, where the tanh form gives 0', () => {
    // gelu(−8) = −8·σ(−v), v = 2·√(2/π)·(8 + 0.044715·512) ≈ 49.3: about −3.1e-21, while 1 + tanh(−v/2) is 0 in float64.
    const [y] = flat(runOp(geluOp, [[[-8]]]).out);
    const v = 2 * Math.sqrt(2 / Math.PI) * (8 + 0.044715 * 512);
    expect(tanhForm(-8)).toBe(-0);
    expect(y! / (-8 * Math.exp(-v))).toBeCloseTo(1, 12);
  });

  it('passes NaN through, forward and backward', () => {
    const r = runOp(geluOp, [[[Number.NaN]]]);
    expect(Number.isNaN(r.out.data[0])).toBe(true);
    expect(Number.isNaN(r.backward([[1]]).x!.data[0])).toBe(true);
  });

  it('has the derivative of its forward (finite differences, including the tails)', () => {
    const report = gradcheck(geluOp, {
      inputShapes: [[3, 8]],
      seed: 3,
      fillInput: (_i, d, rng) => {
        for (let j = 0; j < d.length; j++) d[j] = rng.uniform(-12, 12);
      },
    });
    expect(report.maxRelError).toBeLessThan(1e-6);
  });

  it('says which form it is, and reads its input in backward', () => {
    expect(UNARY_OPS.gelu.saves).toBe('x');
    expect(geluOp.description).toMatch(/tanh/);
    expect(gelu()).toEqual({ op: 'gelu' });
    expect(gelu({ name: 'act' })).toEqual({ op: 'gelu', name: 'act' });
  });
});
