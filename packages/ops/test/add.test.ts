import { describe, expect, it } from 'vitest';
import { GradstreamError, Tensor } from '@gradstream/tensor';
import { sequential } from '@gradstream/graph';
import { add, addOp, linear, mse } from '../src/index.js';
import { flat, runOp } from './run-op.js';

describe('add', () => {
  it('adds elementwise', () => {
    const r = runOp(addOp, [[[1, 2], [3, 4]], [[10, 20], [30, 40]]]);
    expect(flat(r.out)).toEqual([11, 22, 33, 44]);
  });

  it('hands the incoming signal to both inputs unchanged', () => {
    const g = runOp(addOp, [[[1, 2]], [[10, 20]]]).backward([[5, -6]]);
    expect(flat(g.a!)).toEqual([5, -6]);
    expect(flat(g.b!)).toEqual([5, -6]);
  });

  it('names the node and both shapes when the inputs differ', () => {
    try {
      sequential([linear({ inFeatures: 2, outFeatures: 3 }), add({ inputs: ['x', 'linear_1'] })], { inputShape: [2], loss: mse() });
      expect.unreachable();
    } catch (e) {
      expect((e as GradstreamError).code).toBe('SHAPE_MISMATCH');
      expect((e as GradstreamError).message).toBe('node "add_1" (add), input b: expected [1,2] (the shape of a), got [1,3]');
    }
  });

  it('adds the model input to a layer output: y = x + (W·x + b), no gradient written for x', () => {
    const model = sequential([linear({ inFeatures: 2, outFeatures: 2, weightInit: { type: 'constant', value: 1 } }), add({ inputs: ['x', 'linear_1'] })], {
      inputShape: [2],
      loss: mse(),
    });
    const plan = model.compile(1);
    plan.setBatch(Tensor.from([[1, 2]]), Tensor.from([[0, 0]]));
    // W = all ones, b = 0: W·x = [3, 3]; y = [4, 5]; L = ½ (16 + 25) = 20.5.
    expect(plan.forward()).toBe(20.5);
    expect(flat(plan.values.get('add_1')!)).toEqual([4, 5]);
    plan.backward();
    // ∂L/∂y = y − 0 = [4, 5] flows unchanged into linear_1; ∂L/∂b = [4, 5].
    expect(flat(plan.grads.get('linear_1')!)).toEqual([4, 5]);
    expect(flat(plan.paramGrads.get('linear_1.bias')!)).toEqual([4, 5]);
  });

  it('builds a layer spec with its two inputs', () => {
    expect(add({ inputs: ['linear_1', 'linear_3'] })).toEqual({ op: 'add', inputs: ['linear_1', 'linear_3'] });
  });
});
