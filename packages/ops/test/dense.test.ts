import { describe, expect, it } from 'vitest';
import { sequential } from '@gradstream/graph';
import { Tensor, type ActivationName } from '@gradstream/tensor';
import { dense, linear, mse, relu, sigmoid, tanh } from '../src/index.js';

const activations: Record<Exclude<ActivationName, 'identity'>, () => ReturnType<typeof sigmoid>> = { sigmoid, relu, tanh };

describe('dense (fused linear + activation)', () => {
  for (const [name, layer] of Object.entries(activations)) {
    it(`computes what linear followed by ${name} computes, forward and backward`, () => {
      const fused = sequential([dense({ inFeatures: 3, outFeatures: 4, activation: name as ActivationName }), linear({ inFeatures: 4, outFeatures: 1 })], {
        inputShape: [3], loss: mse(), seed: 1, dtype: 'float64',
      });
      const split = sequential([linear({ inFeatures: 3, outFeatures: 4 }), layer(), linear({ inFeatures: 4, outFeatures: 1 })], {
        inputShape: [3], loss: mse(), seed: 1, dtype: 'float64',
      });
      // same parameter values (node structures differ, so their seeded draws differ)
      fused.parameters().forEach((p, i) => p.value.data.set(split.parameters()[i]!.value.data));
      const x = Tensor.from([[0.3, -1.2, 2], [-0.5, 0.1, 0.7]], { dtype: 'float64' });
      const y = Tensor.from([[1], [-1]], { dtype: 'float64' });
      const run = (m: typeof fused) => {
        const plan = m.compile(2);
        plan.setBatch(x, y);
        const loss = plan.forward();
        plan.backward();
        return { loss, grads: [...plan.paramGrads.values()].map((g) => Array.from(g.data)) };
      };
      const a = run(fused);
      const b = run(split);
      expect(a.loss).toBeCloseTo(b.loss, 14);
      a.grads.forEach((g, i) => g.forEach((v, j) => expect(v).toBeCloseTo(b.grads[i]![j]!, 12)));
    });
  }

  it('defaults to no activation', () => {
    const m = sequential([dense({ inFeatures: 1, outFeatures: 1, weightInit: { type: 'constant', value: 2 }, biasInit: { type: 'constant', value: -5 } })], {
      inputShape: [1], loss: mse(),
    });
    expect(m.predict([[1]]).data[0]).toBe(-3);
  });
});
