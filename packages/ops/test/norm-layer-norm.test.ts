import { describe, expect, it } from 'vitest';
import { sequential, type Model } from '@gradstream/graph';
import { GradstreamError, Tensor } from '@gradstream/tensor';
import { layerNorm, linear, mse } from '../src/index.js';

const set = (model: Model, id: string, values: number[]): void => {
  const ref = model.parameters().find((p) => p.id === id);
  if (ref === undefined) throw new Error(`no ${id}`);
  ref.value.data.set(values);
};

const expectClose = (got: ArrayLike<number>, want: readonly number[], digits = 12): void => {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, digits));
};

/** The output of a training forward through the model's plan. */
function trainForward(model: Model, x: Tensor): number[] {
  const plan = model.plan(x.shape[0] as number);
  plan.setBatch(x, Tensor.zeros([...x.shape], x.dtype));
  plan.forward(true);
  return Array.from(plan.values.get(model.output)?.data ?? []);
}

describe('layerNorm', () => {
  it('normalizes each row over its features, then scales and shifts per feature; evaluation computes the same', () => {
    const model = sequential([layerNorm({ epsilon: 3 })], { inputShape: [2], loss: mse(), dtype: 'float64', backend: 'ts' });
    set(model, 'layerNorm_1.gamma', [2, 4]);
    set(model, 'layerNorm_1.beta', [1, -1]);
    // Row [1, 3]: mean 2, biased variance 1, x̂ = [-1, 1]/√(1 + 3) = [-0.5, 0.5]. Row [2, 2]: variance 0, x̂ = 0.
    const x = Tensor.from([[1, 3], [2, 2]], { dtype: 'float64' });
    const want = [0, 1, 1, -1];
    expectClose(trainForward(model, x), want);
    expectClose(model.predict(x).data, want);
    expect(model.state()).toEqual([]);
  });

  it('normalizes each time step of a sequence on its own', () => {
    const seq = sequential([layerNorm()], { inputShape: [3, 4], loss: mse(), dtype: 'float64', backend: 'ts' });
    const rows = sequential([layerNorm()], { inputShape: [4], loss: mse(), dtype: 'float64', backend: 'ts' });
    const x = Tensor.zeros([2, 3, 4], 'float64');
    for (let i = 0; i < x.size; i++) x.data[i] = Math.sin(3 * i) * (1 + (i % 5));
    const flat = new Tensor([6, 4], x.data);
    expect(seq.predict(x).data).toEqual(rows.predict(flat).data);
  });

  it('reads its features off the previous layer and refuses a last axis that differs from given features', () => {
    const model = sequential([linear({ inFeatures: 2, outFeatures: 6 }), layerNorm()], { inputShape: [2], loss: mse() });
    expect(model.nodes[1]?.config).toMatchObject({ features: 6, epsilon: 1e-5 });
    expect(model.parameters().map((p) => [p.id, [...p.value.shape]])).toContainEqual(['layerNorm_1.gamma', [6]]);
    expect(() => sequential([linear({ inFeatures: 2, outFeatures: 6 }), layerNorm({ features: 3 })], { inputShape: [2], loss: mse() })).toThrow(GradstreamError);
  });

  it('computes the same on the wasm backend as on the TypeScript one, bit for bit', () => {
    // 12 rows of 7: large enough for the wasm kernels themselves (tiny calls run the TypeScript loops).
    const x = Tensor.from(Array.from({ length: 12 }, (_, r) => Array.from({ length: 7 }, (_, c) => Math.sin(r + 3 * c) * (1 + c))));
    const y = Tensor.from(Array.from({ length: 12 }, (_, r) => Array.from({ length: 7 }, (_, c) => Math.cos(r * c))));
    const outputs = (['ts', 'wasm'] as const).map((backend) => {
      const model = sequential([layerNorm()], { inputShape: [7], loss: mse(), backend, seed: 1 });
      const plan = model.plan(12);
      plan.setBatch(x, y);
      plan.forward(true);
      plan.backward();
      return [...plan.values.get(model.output)!.data, ...plan.paramGrads.get('layerNorm_1.gamma')!.data, ...plan.paramGrads.get('layerNorm_1.beta')!.data];
    });
    expect(outputs[1]).toEqual(outputs[0]);
  });
});
