import { describe, expect, it } from 'vitest';
import { GradstreamError } from '@gradstream/tensor';
import { sequential } from '@gradstream/graph';
import { mse, softmax, softmaxOp } from '../src/index.js';
import { flat, runOp } from './run-op.js';

describe('softmax', () => {
  it('normalises exponentials per row: [0, 0, ln 2] → [1/4, 1/4, 1/2], [ln 1, ln 3, ln 4] → [1/8, 3/8, 1/2]', () => {
    const r = runOp(softmaxOp, [[[0, 0, Math.LN2], [0, Math.log(3), Math.log(4)]]]);
    const expected = [0.25, 0.25, 0.5, 0.125, 0.375, 0.5];
    flat(r.out).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 14));
  });

  it('stays finite for large inputs (the row maximum is subtracted)', () => {
    expect(flat(runOp(softmaxOp, [[[1000, 1000], [-1000, 1000]]]).out)).toEqual([0.5, 0.5, 0, 1]);
    expect(flat(runOp(softmaxOp, [[[1000, 1000]]], { dtype: 'float32' }).out)).toEqual([0.5, 0.5]);
  });

  it('works over the last axis of a rank-3 input, each row on its own', () => {
    const r = runOp(softmaxOp, [[[[0, 0], [0, Math.log(3)]], [[Math.log(4), 0], [5, 5]]]]);
    expect(r.out.shape).toEqual([2, 2, 2]);
    const expected = [0.5, 0.5, 0.25, 0.75, 0.8, 0.2, 0.5, 0.5];
    flat(r.out).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 14));
  });

  it('backward is y ⊙ (dy − Σ dy ⊙ y): y = [1/4, 1/4, 1/2], dy = [1, 0, 0] gives [3/16, −1/16, −1/8]', () => {
    const r = runOp(softmaxOp, [[[0, 0, Math.LN2]]]);
    const dx = flat(r.backward([[1, 0, 0]]).x!);
    [3 / 16, -1 / 16, -1 / 8].forEach((v, i) => expect(dx[i]).toBeCloseTo(v, 14));
  });

  it('rejects an input without a class axis, naming the node', () => {
    try {
      sequential([softmax()], { inputShape: [], loss: mse() });
      expect.unreachable();
    } catch (e) {
      expect((e as GradstreamError).code).toBe('SHAPE_MISMATCH');
      expect((e as GradstreamError).message).toBe('node "softmax_1" (softmax), input x: expected [batch,...,classes] (rank ≥ 2), got [1]');
    }
  });

  it('builds a layer spec', () => {
    expect(softmax()).toEqual({ op: 'softmax' });
  });
});
