import { describe, expect, it } from 'vitest';
import { tsBackend } from '@gradstream/tensor';
import { relu, reluOp } from '../src/index.js';
import { flat, runOp } from './run-op.js';

describe('relu', () => {
  it('kills negatives and zero, keeps positives', () => {
    const r = runOp(reluOp, [[[-2, -0.5, 0, 0.5, 3]]]);
    expect(r.out.shape).toEqual([1, 5]);
    expect(flat(r.out)).toEqual([0, 0, 0, 0.5, 3]);
  });

  it('passes the gradient only where x > 0 (0 at the kink x = 0)', () => {
    const r = runOp(reluOp, [[[-2, -0.5, 0, 0.5, 3]]]);
    expect(flat(r.backward([[1, 2, 3, 4, 5]]).x!)).toEqual([0, 0, 0, 4, 5]);
  });

  it('lets NaN through instead of hiding it as 0, and keeps the sign of zero', () => {
    const out = runOp(reluOp, [[[Number.NaN, -0, -Infinity, Infinity]]]).out.data;
    expect(Number.isNaN(out[0])).toBe(true);
    expect(Object.is(out[1], -0)).toBe(true);
    expect([out[2], out[3]]).toEqual([0, Infinity]);
  });

  it('gives the same backward from the saved input or the saved output', () => {
    const x = Float64Array.from([-1, 0, 2, -3, 4]);
    const y = new Float64Array(5);
    tsBackend.unary('relu', x, y);
    const dy = Float64Array.from([5, 6, 7, 8, 9]);
    const fromX = new Float64Array(5);
    const fromY = new Float64Array(5);
    tsBackend.unaryBackward('relu', x, dy, fromX);
    tsBackend.unaryBackward('relu', y, dy, fromY);
    expect(Array.from(fromX)).toEqual([0, 0, 7, 0, 9]);
    expect(Array.from(fromY)).toEqual(Array.from(fromX));
  });

  it('builds a layer spec', () => {
    expect(relu()).toEqual({ op: 'relu' });
    expect(relu({ name: 'act' })).toEqual({ op: 'relu', name: 'act' });
  });
});
