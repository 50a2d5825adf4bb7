import { describe, expect, it } from 'vitest';
import { sequential } from '@gradstream/graph';
import { Rng, Tensor } from '@gradstream/tensor';
import { identity, lossRows, mse, softmaxCrossEntropy, softmaxCrossEntropyOp } from '../src/index.js';
import { flat, runOp } from './run-op.js';

/** Seeded rows of `cols` probabilities (positive, summing to 1) and logits in [−3, 3]. */
function data(rows: number, cols: number, seed: number): { logits: number[][]; target: number[][] } {
  const rng = Rng.fromSeed(seed);
  const logits = Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.uniform(-3, 3)));
  const target = Array.from({ length: rows }, () => {
    const w = Array.from({ length: cols }, () => 0.05 + rng.next());
    const s = w.reduce((a, b) => a + b, 0);
    return w.map((v) => v / s);
  });
  return { logits, target };
}
/** Rows of a [batch·T, cols] array as [batch, T, cols]. */
const bySteps = (rows: number[][], steps: number): number[][][] => Array.from({ length: rows.length / steps }, (_, b) => rows.slice(b * steps, (b + 1) * steps));

describe('losses over sequences: rows are every index of the leading axes', () => {
  it('counts rows as the product of all axes but the last', () => {
    expect([lossRows([5, 3]), lossRows([4, 7, 10]), lossRows([2, 3, 4, 5]), lossRows([6])]).toEqual([5, 28, 24, 6]);
  });

  it('softmaxCrossEntropy on [batch, T, classes] is the same computation as on [batch·T, classes], bit for bit', () => {
    const { logits, target } = data(6, 4, 3);
    const rows = runOp(softmaxCrossEntropyOp, [logits, target]);
    const seq = runOp(softmaxCrossEntropyOp, [bySteps(logits, 3), bySteps(target, 3)]);
    expect(seq.out.data[0]).toBe(rows.out.data[0]);
    expect(flat(seq.scratch.probs!)).toEqual(flat(rows.scratch.probs!));
    expect(seq.backward(1).logits!.shape).toEqual([2, 3, 4]);
    expect(flat(seq.backward(1).logits!)).toEqual(flat(rows.backward(1).logits!));
  });

  it('a model whose output is [batch, T, classes] trains on it with the per-step mean', () => {
    const { logits, target } = data(6, 4, 4);
    const model = sequential([identity()], { inputShape: [3, 4], loss: softmaxCrossEntropy(), seed: 1, backend: 'ts', dtype: 'float64' });
    const plan = model.plan(2);
    plan.setBatch(Tensor.from(bySteps(logits, 3), { dtype: 'float64' }), Tensor.from(bySteps(target, 3), { dtype: 'float64' }));
    expect(plan.forward(true)).toBe(runOp(softmaxCrossEntropyOp, [logits, target]).out.data[0]);
    const withMse = sequential([identity()], { inputShape: [3, 4], loss: mse(), seed: 1, backend: 'ts', dtype: 'float64' }).plan(2);
    withMse.setBatch(Tensor.from(bySteps(logits, 3), { dtype: 'float64' }), Tensor.from(bySteps(target, 3), { dtype: 'float64' }));
    let sq = 0;
    logits.forEach((row, r) => row.forEach((z, c) => (sq += (z - target[r]![c]!) ** 2)));
    expect(withMse.forward(true)).toBeCloseTo((0.5 * sq) / 6, 13);
  });
});
