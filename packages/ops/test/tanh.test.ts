import { describe, expect, it } from 'vitest';
import { tanh, tanhOp } from '../src/index.js';
import { flat, runOp } from './run-op.js';

const TANH_HALF = 0.46211715726; // tanh(0.5) = (e − 1) / (e + 1)

describe('tanh', () => {
  it('matches hand-derived values and is odd', () => {
    const [a, b, c] = flat(runOp(tanhOp, [[[0.5, 0, -0.5]]]).out);
    expect(a).toBeCloseTo(TANH_HALF, 11);
    expect((Math.E - 1) / (Math.E + 1)).toBeCloseTo(TANH_HALF, 11);
    expect(b).toBe(0);
    expect(c).toBe(-a!);
  });

  it('saturates to ±1 without NaN for large inputs', () => {
    expect(flat(runOp(tanhOp, [[[1000, -1000]]]).out)).toEqual([1, -1]);
  });

  it('multiplies the signal by 1 − y²', () => {
    const r = runOp(tanhOp, [[[0.5, 0]]]);
    const [g0, g1] = flat(r.backward([[2, 3]]).x!);
    expect(g0).toBeCloseTo(2 * (1 - TANH_HALF ** 2), 10);
    expect(g1).toBe(3);
  });

  it('builds a layer spec', () => {
    expect(tanh()).toEqual({ op: 'tanh' });
  });
});
