import { describe, expect, it } from 'vitest';
import { Tensor } from '@gradstream/tensor';
import { add, linear, mse, tanh } from '@gradstream/ops';
import { sequential } from '../src/index.js';

// A residual DAG: `tanh_1` feeds both `linear_2` and `add_1`, so its gradient is a sum.
const residual = () =>
  sequential(
    [
      linear({ inFeatures: 2, outFeatures: 4 }),
      tanh(),
      linear({ inFeatures: 4, outFeatures: 4 }),
      add({ inputs: ['tanh_1', 'linear_2'] }),
      linear({ inFeatures: 4, outFeatures: 1 }),
    ],
    { inputShape: [2], loss: mse(), seed: 4 },
  );

describe('the straight-line passes of a plan', () => {
  it('compute exactly what the node-by-node loop computes, gradient sums included', () => {
    const x = Tensor.from([[0.5, -1], [2, 0.3], [-0.7, 0.1]]);
    const y = Tensor.from([[1], [0], [-1]]);
    const model = residual();
    const unrolled = model.compile(3);
    const looped = model.compile(3);
    // profiling times each node, so it runs the loop
    looped.enableProfiling();
    for (const plan of [unrolled, looped]) {
      plan.setBatch(x, y);
      plan.forward();
      plan.backward();
      // twice, so the second backward must start its sums from zero again
      plan.forward();
      plan.backward();
    }
    expect(unrolled.loss).toBe(looped.loss);
    for (const [id, g] of unrolled.paramGrads) expect(Array.from(g.data), id).toEqual(Array.from(looped.paramGrads.get(id)!.data));
    for (const [name, g] of unrolled.grads) expect(Array.from(g.data), name).toEqual(Array.from(looped.grads.get(name)!.data));
    expect(Object.keys(looped.profile())).toEqual(['linear_1', 'tanh_1', 'linear_2', 'add_1', 'linear_3', 'mse_1']);
  });
});
