import { describe, expect, it } from 'vitest';
import { sequential } from '@gradstream/graph';
import { identity } from '@gradstream/ops';
import { evaluate } from '../src/index.js';

// A model whose output is a sequence of class scores, [batch, T, classes]: accuracy scores each
// time step's argmax on its own, not one argmax over the whole sample.
describe('metrics on sequence outputs', () => {
  it('accuracy counts one prediction per time step', () => {
    const model = sequential([identity()], { inputShape: [2, 3], loss: { op: 'softmaxCrossEntropy' }, backend: 'ts' });
    // Sample 0: step 0 right (class 2), step 1 wrong (predicts 0, target 1).
    // Sample 1: both steps right (classes 1 and 0).
    const x = [
      [[0, 0, 5], [4, 1, 0]],
      [[0, 3, 1], [2, 1, 0]],
    ];
    const y = [
      [[0, 0, 1], [0, 1, 0]],
      [[0, 1, 0], [1, 0, 0]],
    ];
    // Samples given flat, each T·classes wide.
    const { metrics, mse } = evaluate(model, { x: x.map((s) => s.flat()), y: y.map((s) => s.flat()) }, ['accuracy', 'mae']);
    expect(metrics.accuracy).toBe(3 / 4);
    // mae and mse average over every element (12), however the rows are counted.
    let abs = 0;
    let sq = 0;
    x.flat(2).forEach((v, i) => {
      abs += Math.abs(v - (y.flat(2)[i] as number));
      sq += (v - (y.flat(2)[i] as number)) ** 2;
    });
    expect(metrics.mae).toBeCloseTo(abs / 12, 6);
    expect(mse).toBeCloseTo(sq / 12, 6);
  });
});
