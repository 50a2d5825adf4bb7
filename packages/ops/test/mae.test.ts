import { describe, expect, it } from 'vitest';
import { sequential } from '@gradstream/graph';
import { linear, mae, maeOp, mseOp } from '../src/index.js';
import { flat, runOp } from './run-op.js';

describe('mae', () => {
  it('sums |ŷ − y| over a row and averages over rows; the gradient is sign(ŷ − y) / rows', () => {
    // Rows: |1 − 0| + |−2 − 1| = 4 and |0.5 − 0.5| + |3 − 1| = 2, mean 3.
    const r = runOp(maeOp, [[[1, -2], [0.5, 3]], [[0, 1], [0.5, 1]]]);
    expect(r.out.data[0]).toBe(3);
    const g = r.backward(1);
    expect(Object.keys(g)).toEqual(['pred']);
    // 0 exactly where ŷ = y (and +0, whatever the sign of the signal).
    expect(flat(g.pred!)).toEqual([0.5, -0.5, 0, 0.5]);
    expect(Object.is(flat(r.backward(-1).pred!)[2], 0)).toBe(true);
  });

  it('passes NaN through, forward and backward', () => {
    const r = runOp(maeOp, [[[Number.NaN, 1]], [[0, 0]]]);
    expect(Number.isNaN(r.out.data[0])).toBe(true);
    const [a, b] = flat(r.backward(1).pred!);
    expect([Number.isNaN(a), b]).toEqual([true, 1]);
  });

  it('counts the rows of a sequence as mse does: batch·T for [batch, T, outputs]', () => {
    const pred = [[[1, 2], [3, 4], [5, 6]]];
    const target = [[[0, 0], [0, 0], [0, 0]]];
    // 21 / 3 rows; mse: ½ · 91 / 3 rows.
    expect(runOp(maeOp, [pred, target]).out.data[0]).toBe(7);
    expect(runOp(mseOp, [pred, target]).out.data[0]).toBeCloseTo(91 / 6, 14);
  });

  it('stands as a model loss', () => {
    const model = sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mae(), seed: 1 });
    expect(model.lossNode.name).toBe('mae_1');
    expect(() => maeOp.outputShape([[2, 1], [2, 2]], {})).toThrow('input target: expected [2,1] (the shape of pred), got [2,2]');
  });
});
