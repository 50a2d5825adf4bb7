import { describe, expect, it } from 'vitest';
import { Tensor, tsBackend } from '@gradstream/tensor';
import { builtinOps, dropout, linear, mse, relu, sigmoid } from '@gradstream/ops';
import { createRegistry, defineOp, sequential } from '../src/index.js';

const mlp = (registry = createRegistry(builtinOps)) =>
  sequential([linear({ inFeatures: 4, outFeatures: 8 }), relu(), dropout({ rate: 0.25 }), linear({ inFeatures: 8, outFeatures: 2 })], {
    inputShape: [4],
    loss: mse(),
    seed: 3,
    registry,
    backend: 'ts',
  });

describe('plans', () => {
  it('record every built-in node on their first step and run the recording from then on, with the same numbers', () => {
    const x = Tensor.from([[0.5, -1, 2, 0.25], [1, 1, -0.5, 0]]);
    const y = Tensor.from([[1, 0], [0, 1]]);
    const generated = mlp().compile(2);
    const looped = mlp().compile(2);
    looped.enableProfiling(); // profiling calls each node as it is
    for (let step = 0; step < 3; step++) {
      for (const plan of [generated, looped]) {
        plan.setBatch(x, y);
        plan.forward(true);
        plan.backward();
      }
      expect(generated.loss).toBe(looped.loss);
      for (const [id, g] of generated.paramGrads) expect(Array.from(g.data), id).toEqual(Array.from(looped.paramGrads.get(id)!.data));
    }
    // dropout's forward differs between training and evaluation: both are recorded
    expect(generated.forward(false)).toBe(looped.forward(false));
    expect(generated.recordedNodes).toEqual(['linear_1', 'relu_1', 'dropout_1', 'linear_2', 'mse_1']);
  });

  it('call an op that computes in JavaScript as it is, every step, side effects included', () => {
    let calls = 0;
    const halve = defineOp({
      name: 'halve',
      inputs: ['x'],
      save: {},
      outputShape: ([x]: readonly (readonly number[])[]) => x!,
      forward: ({ inputs, out }) => {
        calls++;
        for (let i = 0; i < out.size; i++) out.data[i] = inputs.x.data[i]! / 2;
      },
      backward: ({ dy, dInputs, backend }) => {
        if (dInputs.x) backend.scale(dy.data, 0.5, dInputs.x.data);
      },
    });
    const model = sequential([linear({ inFeatures: 1, outFeatures: 1, weightInit: { type: 'constant', value: 2 } }), { op: 'halve' }], {
      inputShape: [1],
      loss: mse(),
      registry: createRegistry([...builtinOps, halve]),
      backend: 'ts',
    });
    const plan = model.compile(1);
    for (let i = 0; i < 4; i++) {
      plan.setBatch(Tensor.from([[3]]), Tensor.from([[0]]));
      plan.forward();
      plan.backward();
    }
    expect(calls).toBe(4);
    expect(plan.values.get('halve_1')!.data[0]).toBe(3);
    // only halve's forward touched data: its backward is a kernel call and was recorded
    expect(plan.recordedNodes).toEqual(['linear_1', 'mse_1']);
  });

  it('name the failing node in the stack trace of the generated pass', () => {
    let armed = false;
    const opaque = defineOp({
      name: 'opaque',
      inputs: ['x'],
      save: {},
      outputShape: ([x]: readonly (readonly number[])[]) => x!,
      forward: ({ out }) => {
        if (armed) throw new Error('boom');
        out.data[0] = 1;
      },
      backward: () => {},
    });
    const model = sequential([{ op: 'opaque', name: 'trouble' }], { inputShape: [1], loss: mse(), registry: createRegistry([...builtinOps, opaque]), backend: 'ts' });
    const plan = model.compile(1);
    plan.forward(); // records
    plan.forward(); // generated from here on
    armed = true;
    let stack = '';
    try {
      plan.forward();
    } catch (e) {
      stack = (e as Error).stack ?? '';
    }
    expect(stack).toMatch(/node_trouble_forward/);
    expect(stack).toMatch(/gradstream-plan-train-1-forward/);
  });

  it('share one bounded cache for training, evaluation and prediction; prediction plans hold no gradient', () => {
    const model = sequential([linear({ inFeatures: 4, outFeatures: 3 }), sigmoid()], { inputShape: [4], loss: mse(), backend: 'ts', planCacheSize: 4 });
    const train = model.plan(8);
    expect(model.plan(8)).toBe(train);
    expect(train.paramGrads.size).toBe(2);
    const infer = model.plan(8, 'infer');
    expect(infer).not.toBe(train);
    expect(infer.grads.size).toBe(0);
    expect(infer.paramGrads.size).toBe(0);
    expect(() => infer.backward()).toThrow(/forward-only plan/);
    for (let batch = 1; batch <= 100; batch++) model.predict(Array.from({ length: batch }, () => [1, 2, 3, 4]));
    const stats = model.planCacheStats();
    expect(stats.plans).toBe(4);
    // four forward-only plans for batches 97…100: inputs, targets and two activations, float32
    expect(stats.bytes).toBe([97, 98, 99, 100].reduce((s, b) => s + 4 * b * (4 + 3 + 3 + 3) + 4, 0));
    // the oldest plan was dropped; asking again makes a new one
    expect(model.plan(8)).not.toBe(train);
  });

  it('allocate every buffer with the model’s backend', () => {
    const seen: number[] = [];
    const counting = { ...tsBackend, allocate: (dtype: 'float32' | 'float64', n: number) => (seen.push(n), tsBackend.allocate(dtype, n)) };
    const model = sequential([linear({ inFeatures: 2, outFeatures: 3 })], { inputShape: [2], loss: mse(), backend: counting });
    expect(seen).toEqual([6, 3]); // weight and bias
    model.compile(5);
    // x (10), y (15), the value and gradient of linear_1 (15 each) and of the loss (1 each), the parameter gradients (6, 3)
    expect(seen.slice(2).sort((a, b) => a - b)).toEqual([1, 1, 3, 6, 10, 15, 15, 15]);
  });
});
