import { describe, expect, it } from 'vitest';
import { fromCheckpoint, loadParams, sequential, toCheckpoint, toSpec, type Model } from '@gradstream/graph';
import { GradstreamError, Tensor, type DType } from '@gradstream/tensor';
import { batchNorm, linear, mse } from '../src/index.js';

/** A model of one batchNorm layer on `[features]` rows (float64 on the TypeScript backend unless asked). */
function single(features: number, config: Parameters<typeof batchNorm>[0] = {}, dtype: DType = 'float64', backend: 'ts' | 'wasm' = 'ts'): Model {
  return sequential([batchNorm(config)], { inputShape: [features], loss: mse(), dtype, backend, seed: 1 });
}

const valueOf = (model: Model, id: string): number[] => {
  const ref = [...model.parameters(), ...model.state()].find((p) => p.id === id);
  if (ref === undefined) throw new Error(`no ${id}`);
  return Array.from(ref.value.data);
};
const set = (model: Model, id: string, values: number[]): void => {
  const ref = [...model.parameters(), ...model.state()].find((p) => p.id === id);
  if (ref === undefined) throw new Error(`no ${id}`);
  ref.value.data.set(values);
};

/** Runs one training forward on `x` and returns the layer's output. */
function trainForward(model: Model, x: number[][]): number[] {
  const plan = model.plan(x.length);
  plan.setBatch(Tensor.from(x, { dtype: model.dtype }), Tensor.zeros([x.length, ...model.outputShape], model.dtype));
  plan.forward(true);
  return Array.from(plan.values.get(model.output)?.data ?? []);
}

const expectClose = (got: ArrayLike<number>, want: readonly number[], digits = 12): void => {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, digits));
};

// x = [[-1, 10], [1, 14]]: column 0 has mean 0 and biased variance 1, column 1 mean 12 and variance 4.
const X = [
  [-1, 10],
  [1, 14],
];

describe('batchNorm', () => {
  it('normalizes each feature by the batch while training, and updates the moving statistics with the biased variance', () => {
    const model = single(2, { epsilon: 3, momentum: 0.75 });
    set(model, 'batchNorm_1.gamma', [2, -1]);
    set(model, 'batchNorm_1.beta', [0.5, 1]);
    // Column 0: x̂ = x/√(1 + 3) = [-0.5, 0.5], y = 2·x̂ + 0.5. Column 1: x̂ = (x − 12)/√7, y = 1 − x̂.
    expectClose(trainForward(model, X), [-0.5, 1 + 2 / Math.sqrt(7), 1.5, 1 - 2 / Math.sqrt(7)]);
    // moving = 0.75·moving + 0.25·batch, from mean 0 and variance 1.
    expectClose(valueOf(model, 'batchNorm_1.movingMean'), [0, 3]);
    expectClose(valueOf(model, 'batchNorm_1.movingVariance'), [1, 1.75]);
  });

  it('uses the moving statistics in evaluation, and leaves them alone', () => {
    const model = single(2, { epsilon: 3, momentum: 0.75 });
    set(model, 'batchNorm_1.gamma', [2, -1]);
    set(model, 'batchNorm_1.beta', [0.5, 1]);
    trainForward(model, X);
    // Column 0: (x − 0)/√(1 + 3); column 1: (x − 3)/√(1.75 + 3).
    const s1 = 1 / Math.sqrt(4.75);
    expectClose(model.predict(X).data, [-0.5, 1 - 7 * s1, 1.5, 1 - 11 * s1]);
    const plan = model.plan(2);
    plan.setBatch(Tensor.from(X, { dtype: 'float64' }), Tensor.zeros([2, 2], 'float64'));
    plan.forward(false);
    expectClose(valueOf(model, 'batchNorm_1.movingMean'), [0, 3]);
    expectClose(valueOf(model, 'batchNorm_1.movingVariance'), [1, 1.75]);
  });

  it('normalizes each channel of an NHWC image over the batch, height and width', () => {
    const model = sequential([batchNorm({ epsilon: 1e-9 })], { inputShape: [2, 3, 3], loss: mse(), dtype: 'float64', backend: 'ts' });
    const x = Tensor.zeros([2, 2, 3, 3], 'float64');
    // Channel c holds values of scale 10^c around c: normalized, each has mean 0 and variance 1.
    for (let i = 0; i < x.size; i++) x.data[i] = (i % 3) + 10 ** (i % 3) * Math.sin(i);
    const plan = model.plan(2);
    plan.setBatch(x, Tensor.zeros([2, 2, 3, 3], 'float64'));
    plan.forward(true);
    const y = plan.values.get(model.output)!.data;
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      let squares = 0;
      for (let i = c; i < y.length; i += 3) {
        sum += y[i]!;
        squares += y[i]! ** 2;
      }
      expect(sum / 12).toBeCloseTo(0, 9);
      expect(squares / 12).toBeCloseTo(1, 6);
    }
  });

  it('gives beta for a batch of one row (variance 0), with a zero gradient for x', () => {
    const model = sequential([linear({ inFeatures: 2, outFeatures: 3 }), batchNorm()], { inputShape: [2], loss: mse(), dtype: 'float64', backend: 'ts', seed: 2 });
    set(model, 'batchNorm_1.beta', [0.25, -1, 3]);
    const plan = model.plan(1);
    plan.setBatch(Tensor.from([[0.3, -0.7]], { dtype: 'float64' }), Tensor.from([[1, 1, 1]], { dtype: 'float64' }));
    plan.forward(true);
    expect(Array.from(plan.values.get('batchNorm_1')!.data)).toEqual([0.25, -1, 3]);
    plan.backward();
    expect(Array.from(plan.grads.get('linear_1')!.data)).toEqual([0, 0, 0]);
    expect(Array.from(plan.paramGrads.get('batchNorm_1.beta')!.data).every(Number.isFinite)).toBe(true);
  });

  it('reads its features off the previous layer', () => {
    const model = sequential([linear({ inFeatures: 3, outFeatures: 5 }), batchNorm()], { inputShape: [3], loss: mse() });
    expect(model.nodes[1]?.config).toMatchObject({ features: 5, momentum: 0.99, epsilon: 0.001 });
    expect(toSpec(model).layers[1]).toMatchObject({ op: 'batchNorm', momentum: 0.99, epsilon: 0.001 });
    expect(model.state().map((s) => [s.id, [...s.value.shape]])).toEqual([
      ['batchNorm_1.movingMean', [5]],
      ['batchNorm_1.movingVariance', [5]],
    ]);
  });

  it('refuses given features that are not the input\'s last axis, naming the node and the shapes', () => {
    try {
      sequential([linear({ inFeatures: 3, outFeatures: 5 }), batchNorm({ features: 4 })], { inputShape: [3], loss: mse() });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(GradstreamError);
      expect((e as GradstreamError).code).toBe('SHAPE_MISMATCH');
      expect((e as GradstreamError).message).toContain('node "batchNorm_1" (batchNorm), input x: expected [batch,…,4] (last axis = features), got [1,5]');
    }
  });

  it('keeps its moving statistics as state: no gradient, not among the parameters, counted apart in memory', () => {
    const model = single(3, {}, 'float32');
    expect(model.parameters().map((p) => p.id)).toEqual(['batchNorm_1.gamma', 'batchNorm_1.beta']);
    expect(model.state().map((p) => p.id)).toEqual(['batchNorm_1.movingMean', 'batchNorm_1.movingVariance']);
    expect([...model.plan(4).paramGrads.keys()]).toEqual(['batchNorm_1.gamma', 'batchNorm_1.beta']);
    // Four [3] tensors held; Adam's two slots only for the two trainable ones.
    const memory = model.memory(4, { optimizerSlots: 2 });
    expect(memory.parameters).toBe(4 * 3 * 4);
    expect(memory.optimizer).toBe(2 * 2 * 3 * 4);
  });

  it('runs from its recorded kernel calls in every pass', () => {
    const model = single(2);
    const plan = model.plan(2);
    plan.setBatch(Tensor.from(X, { dtype: 'float64' }), Tensor.zeros([2, 2], 'float64'));
    for (let i = 0; i < 2; i++) {
      plan.forward(true);
      plan.backward();
      plan.forward(false);
    }
    expect(plan.recordedNodes).toContain('batchNorm_1');
  });

  it('survives a checkpoint: its moving statistics come back bit for bit, and a file without them is refused', () => {
    const model = single(2, { momentum: 0.5 }, 'float32');
    trainForward(model, [
      [0.1, 7],
      [0.4, -3],
      [0.2, 2.5],
    ]);
    const saved = JSON.parse(JSON.stringify(toCheckpoint(model))) as ReturnType<typeof toCheckpoint>;
    expect(Object.keys(saved.params)).toEqual(['batchNorm_1.gamma', 'batchNorm_1.beta', 'batchNorm_1.movingMean', 'batchNorm_1.movingVariance']);
    const { model: back } = fromCheckpoint(saved, { backend: 'ts' });
    for (const id of ['batchNorm_1.movingMean', 'batchNorm_1.movingVariance']) expect(valueOf(back, id)).toEqual(valueOf(model, id));
    const x = [
      [1, 2],
      [-3, 0.5],
    ];
    expect(Array.from(back.predict(x).data)).toEqual(Array.from(model.predict(x).data));

    const fresh = single(2, { momentum: 0.5 }, 'float32');
    loadParams(fresh, saved);
    expect(valueOf(fresh, 'batchNorm_1.movingVariance')).toEqual(valueOf(model, 'batchNorm_1.movingVariance'));

    const { 'batchNorm_1.movingMean': _dropped, ...rest } = saved.params;
    expect(() => fromCheckpoint({ ...saved, params: rest })).toThrow(/params\/batchNorm_1\.movingMean: missing/);
    // The checksum covers the state: altered statistics are refused.
    const altered = { ...saved, params: { ...saved.params, 'batchNorm_1.movingMean': toCheckpoint(fresh).params['batchNorm_1.gamma']! } };
    expect(() => fromCheckpoint(altered)).toThrow(/checksum mismatch/);
  });

  it('computes the same on the wasm backend as on the TypeScript one, bit for bit', () => {
    // 40 rows of 3: large enough for the wasm kernels themselves (tiny calls run the TypeScript loops).
    const x = Array.from({ length: 40 }, (_, r) => [Math.sin(r), 10 + Math.cos(3 * r), r / 7]);
    const outputs = (['ts', 'wasm'] as const).map((backend) => {
      const model = single(3, { momentum: 0.8 }, 'float32', backend);
      const plan = model.plan(40);
      plan.setBatch(Tensor.from(x), Tensor.from(x.map((row) => row.map((v) => 2 * v))));
      plan.forward(true);
      plan.backward();
      return [
        ...plan.values.get(model.output)!.data,
        ...plan.paramGrads.get('batchNorm_1.gamma')!.data,
        ...plan.paramGrads.get('batchNorm_1.beta')!.data,
        ...model.state().flatMap((s) => [...s.value.data]),
        ...model.predict(x).data,
      ];
    });
    expect(outputs[1]).toEqual(outputs[0]);
  });
});
