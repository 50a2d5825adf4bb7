import { describe, expect, it } from 'vitest';
import { sequential, type Model } from '@gradstream/graph';
import { linear, mse, sigmoid } from '@gradstream/ops';
import { momentum, sgd, walkthrough } from '../src/index.js';

const constant = (value: number) => ({ type: 'constant', value }) as const;

/** x → linear(w₁ = 0.5, b₁ = 0.1) → sigmoid → linear(w₂ = 0.8, b₂ = 0.2) → ½(ŷ − y)², in float64. */
function chain(): Model {
  return sequential(
    [
      linear({ inFeatures: 1, outFeatures: 1, weightInit: constant(0.5), biasInit: constant(0.1) }),
      sigmoid(),
      linear({ inFeatures: 1, outFeatures: 1, weightInit: constant(0.8), biasInit: constant(0.2) }),
    ],
    { inputShape: [1], loss: mse(), dtype: 'float64' },
  );
}

// The step by hand for x = 1, y = 1, α = 0.1, in float64 with no rounding in between.
const z1 = 0.5 * 1 + 0.1;
const a1 = 1 / (1 + Math.exp(-z1));
const yHat = 0.8 * a1 + 0.2;
const loss = 0.5 * (yHat - 1) ** 2;
const dYHat = yHat - 1;
const dA1 = dYHat * 0.8;
const sigmoidPrime = a1 * (1 - a1);
const dZ1 = dA1 * sigmoidPrime;

describe('walkthrough', () => {
  it('reads every figure of one step: values, local derivatives, signals, gradients and updates', async () => {
    const w = await walkthrough(chain(), { x: [1], y: [1] }, sgd({ lr: 0.1 }));
    expect(w.x).toEqual([1]);
    expect(w.y).toEqual([1]);
    expect(w.optimizer).toEqual({ name: 'sgd', lr: 0.1 });
    expect(w.loss).toBeCloseTo(loss, 14);

    expect(w.nodes.map((n) => [n.name, n.op, n.inputs])).toEqual([
      ['linear_1', 'linear', ['x']],
      ['sigmoid_1', 'sigmoid', ['linear_1']],
      ['linear_2', 'linear', ['sigmoid_1']],
      ['mse_1', 'mse', ['linear_2', 'y']],
    ]);
    expect(w.nodes.map((n) => n.inputNames)).toEqual([['x'], ['x'], ['x'], ['pred', 'target']]);
    const first = (name: string, f: (n: (typeof w.nodes)[number]) => readonly number[] | undefined) =>
      f(w.nodes.find((n) => n.name === name)!)?.[0];
    expect(first('linear_1', (n) => n.value.values)).toBeCloseTo(z1, 14);
    expect(first('sigmoid_1', (n) => n.value.values)).toBeCloseTo(a1, 14);
    expect(first('linear_2', (n) => n.value.values)).toBeCloseTo(yHat, 14);
    expect(first('mse_1', (n) => n.value.values)).toBeCloseTo(loss, 14);
    // Local derivatives: ∂z₁/∂x = w₁, σ′(z₁) = a₁(1 − a₁), ∂ŷ/∂a₁ = w₂, ∂L/∂ŷ = ŷ − y; the target takes none.
    expect(first('linear_1', (n) => n.local[0]?.values)).toBeCloseTo(0.5, 14);
    expect(first('sigmoid_1', (n) => n.local[0]?.values)).toBeCloseTo(sigmoidPrime, 14);
    expect(first('linear_2', (n) => n.local[0]?.values)).toBeCloseTo(0.8, 14);
    expect(first('mse_1', (n) => n.local[0]?.values)).toBeCloseTo(dYHat, 14);
    expect(w.nodes[3]?.local[1]).toBeUndefined();
    // The signal ∂L/∂output reaching each node on the way back.
    expect(first('mse_1', (n) => n.signal.values)).toBe(1);
    expect(first('linear_2', (n) => n.signal.values)).toBeCloseTo(dYHat, 14);
    expect(first('sigmoid_1', (n) => n.signal.values)).toBeCloseTo(dA1, 14);
    expect(first('linear_1', (n) => n.signal.values)).toBeCloseTo(dZ1, 14);

    const expected = [
      ['linear_1.weight', 0.5, dZ1 * 1],
      ['linear_1.bias', 0.1, dZ1],
      ['linear_2.weight', 0.8, dYHat * a1],
      ['linear_2.bias', 0.2, dYHat],
    ] as const;
    expect(w.params.map((p) => [p.id, p.shape])).toEqual(expected.map(([id]) => [id, id.endsWith('weight') ? [1, 1] : [1]]));
    expected.forEach(([id, before, gradient], i) => {
      const p = w.params[i]!;
      expect(p.before, id).toEqual([before]);
      expect(p.gradient[0], id).toBeCloseTo(gradient, 14);
      expect(p.after[0], id).toBeCloseTo(before - 0.1 * gradient, 14);
    });
  });

  it('updates the model, so the next walkthrough starts where this one ended', async () => {
    const model = chain();
    const optimizer = momentum({ lr: 0.1, momentum: 0.9 });
    const one = await walkthrough(model, { x: [1], y: [1] }, optimizer);
    expect(model.parameters().map((p) => Array.from(p.value.data))).toEqual(one.params.map((p) => p.after));
    const two = await walkthrough(model, { x: [1], y: [1] }, optimizer);
    expect(two.params.map((p) => p.before)).toEqual(one.params.map((p) => p.after));
    expect(two.loss).toBeLessThan(one.loss);
    // The same optimizer carries its velocity over: the second move is the new gradient step plus 0.9 of the first.
    const w1 = two.params[0]!;
    const firstMove = one.params[0]!.after[0]! - one.params[0]!.before[0]!;
    expect(w1.after[0]! - w1.before[0]!).toBeCloseTo(0.9 * firstMove - 0.1 * w1.gradient[0]!, 12);
  });

  it('is plain data, so it can be posted to another thread', async () => {
    const w = await walkthrough(chain(), { x: [1], y: [1] });
    expect(structuredClone(w)).toEqual(w);
    expect(JSON.parse(JSON.stringify(w))).toMatchObject({ loss: w.loss, params: w.params });
  });
});
