import { describe, expect, it } from 'vitest';
import { Subject, lastValueFrom, toArray } from 'rxjs';
import { sequential, type Model } from '@gradstream/graph';
import { batchNorm, layerNorm, linear, mse, relu } from '@gradstream/ops';
import { Rng } from '@gradstream/tensor';
import { adam, adamw, evaluate, fit, momentum, sgd, type ArrayData, type Optimizer, type TrainCommand, type TrainEvent } from '../src/index.js';
import { countAllocations } from '../../../test/support/allocations.js';

/** 8 samples of 2 features, far from mean 0 and variance 1. */
const X = [
  [3, -10],
  [5, -12],
  [4, -8],
  [6, -14],
  [2, -9],
  [7, -11],
  [3.5, -13],
  [4.5, -7],
];
const data: ArrayData = { x: X, y: X.map(([a, b]) => [0.1 * a! - 0.05 * b!]) };

/** Each column's mean and biased variance over the 8 rows, by hand. */
const columns = [0, 1].map((c) => {
  const v = X.map((r) => r[c]!);
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  return { mean, variance: v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length };
});

/** batchNorm straight on the data: its batch statistics depend on the data alone, whatever the optimizer does. */
const model = (): Model =>
  sequential([batchNorm({ momentum: 0.5 }), linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mse(), seed: 3, dtype: 'float64', backend: 'ts' });

const stateOf = (m: Model): Record<string, number[]> => Object.fromEntries(m.state().map((s) => [s.id, Array.from(s.value.data)]));
const valueOf = (m: Model, id: string): number[] => Array.from([...m.parameters(), ...m.state()].find((p) => p.id === id)!.value.data);

describe('batchNorm state in training', () => {
  const optimizers: readonly [string, () => Optimizer][] = [
    ['sgd', () => sgd({ lr: 0.1 })],
    ['momentum', () => momentum({ lr: 0.05, momentum: 0.9 })],
    ['adam', () => adam({ lr: 0.05 })],
    // Weight decay would shrink every tensor the optimizer is given: the moving statistics are not among them.
    ['adamw', () => adamw({ lr: 0.05, weightDecay: 0.5 })],
  ];

  it.each(optimizers)('%s updates the parameters only; the forward moves the statistics, and evaluation reads them', async (_name, make) => {
    const m = model();
    const optimizer = make();
    const gammaBefore = valueOf(m, 'batchNorm_1.gamma');
    const events = await lastValueFrom(fit(m, data, { epochs: 3, batchSize: 8, shuffle: false, optimizer, params: 'epoch' }).pipe(toArray()));
    // Three full-batch steps: moving = 0.5³·initial + (1 − 0.5³)·batch, from mean 0 and variance 1.
    const kept = 0.5 ** 3;
    expect(valueOf(m, 'batchNorm_1.movingMean').map((v, c) => v - (1 - kept) * columns[c]!.mean).every((d) => Math.abs(d) < 1e-12)).toBe(true);
    expect(valueOf(m, 'batchNorm_1.movingVariance').map((v, c) => v - (kept + (1 - kept) * columns[c]!.variance)).every((d) => Math.abs(d) < 1e-12)).toBe(true);
    expect(valueOf(m, 'batchNorm_1.gamma')).not.toEqual(gammaBefore);

    // Optimizer state, gradient norms and gradients cover the trainable parameters alone; a params event shows the state too.
    const slots = optimizer.state().slots;
    for (const list of Object.values(slots)) expect(list).toHaveLength(4);
    const batch = events.find((e): e is Extract<TrainEvent, { type: 'batch' }> => e.type === 'batch');
    expect(Object.keys(batch!.gradNorms)).toEqual(['batchNorm_1.gamma', 'batchNorm_1.beta', 'linear_1.weight', 'linear_1.bias']);
    const params = events.filter((e): e is Extract<TrainEvent, { type: 'params' }> => e.type === 'params').at(-1);
    expect(params!.params['batchNorm_1.movingVariance']?.values).toEqual(valueOf(m, 'batchNorm_1.movingVariance'));

    // Evaluation: (x − moving mean)/√(moving variance + ε)·γ + β, then the linear layer.
    const [gamma, beta, mean, variance, w, b] = ['gamma', 'beta', 'movingMean', 'movingVariance'].map((k) => valueOf(m, `batchNorm_1.${k}`)).concat([valueOf(m, 'linear_1.weight'), valueOf(m, 'linear_1.bias')]);
    const want = X.map((row) => row.reduce((s, x, c) => s + w![c]! * (((x - mean![c]!) / Math.sqrt(variance![c]! + 1e-3)) * gamma![c]! + beta![c]!), b![0]!));
    Array.from(m.predict(X).data).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 10));
  });

  it('trains a network with batchNorm on its input and between its layers: the loss goes down, in evaluation too', async () => {
    // Inputs of very different scales; the target depends on both.
    const rng = Rng.fromSeed(5);
    const x = Array.from({ length: 64 }, () => [1000 * rng.uniform(-1, 1), 0.001 * rng.uniform(-1, 1)]);
    const train: ArrayData = { x, y: x.map(([a, b]) => [Math.tanh(a! / 500) + Math.tanh(b! * 2000)]) };
    // Momentum 0.9: the moving variance of the tiny feature must forget its initial 1 within the run.
    // (A batchNorm right after a linear layer would make that layer's bias free to drift: it is placed after the relu.)
    const bn = (): ReturnType<typeof batchNorm> => batchNorm({ momentum: 0.9 });
    const net = sequential([bn(), linear({ inFeatures: 2, outFeatures: 16 }), relu(), bn(), linear({ inFeatures: 16, outFeatures: 1 })], {
      inputShape: [2],
      loss: mse(),
      seed: 1,
    });
    const events = await lastValueFrom(fit(net, train, { epochs: 60, batchSize: 16, optimizer: adam({ lr: 0.01 }), seed: 2 }).pipe(toArray()));
    const losses = events.filter((e): e is Extract<TrainEvent, { type: 'epoch' }> => e.type === 'epoch').map((e) => e.loss);
    expect(losses).toHaveLength(60);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 5);
    // Evaluation reads the moving statistics: they must describe the batches the layers saw.
    expect(evaluate(net, train).loss).toBeLessThan(losses[0]! / 10);
  });

  it('puts back the statistics kept with the parameters when an early stop restores them', async () => {
    const m = model();
    const control = new Subject<TrainCommand>();
    let kept: Record<string, number[]> | undefined;
    const run = fit(m, data, { epochs: 6, batchSize: 4, shuffle: false, optimizer: sgd({ lr: 0.1 }), control });
    run.subscribe((e) => {
      if (e.type !== 'epoch') return;
      if (e.epoch === 2) {
        kept = stateOf(m);
        control.next('keepParams');
      }
      if (e.epoch === 4) control.next({ type: 'earlyStop', monitor: 'loss', bestEpoch: 2, best: e.loss, restore: true });
    });
    const end = await lastValueFrom(run);
    expect(end.type === 'end' && end.reason).toBe('early-stop');
    expect(kept).toBeDefined();
    expect(stateOf(m)).toEqual(kept);
  });

  it.each(['ts', 'wasm'] as const)('trains and evaluates without allocating, once warm (%s)', (backend) => {
    // 20 rows of 16 features: the wasm kernels themselves run (tiny calls run the TypeScript loops).
    const m = sequential([linear({ outFeatures: 16 }), batchNorm(), relu(), layerNorm(), linear({ outFeatures: 1 })], { inputShape: [3], loss: mse(), seed: 1, backend });
    const plan = m.compile(20);
    for (let i = 0; i < plan.x.size; i++) plan.x.data[i] = Math.sin(i);
    const optimizer = adam({ lr: 0.01 });
    const params = m.parameters().map((p) => p.value);
    const grads = m.parameters().map((p) => plan.paramGrads.get(p.id)!);
    const step = (): void => {
      plan.forward(true);
      plan.backward();
      optimizer.step(params, grads, m.backend);
      plan.forward(false);
    };
    step();
    step();
    const allocations = countAllocations(() => {
      for (let i = 0; i < 50; i++) step();
    });
    expect(allocations).toBe(0);
  });
});
