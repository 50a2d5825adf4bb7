import { afterEach, describe, expect, it } from 'vitest';
import { filter, lastValueFrom, take, type Observable } from 'rxjs';
import { sequential } from '@gradstream/graph';
import { linear, mse, relu, sigmoid, softmaxCrossEntropy } from '@gradstream/ops';
import { adam, end$, fit, sgd, type BatchEvent, type Optimizer, type TrainEvent } from '../src/index.js';
import { sine } from './fixtures.js';
import { startCountingAllocations as startCounting, stopCountingAllocations as stopCounting } from '../../../test/support/allocations.js';
import { sampledAllocationBytes } from '../../../test/support/heap-sampling.js';

afterEach(() => {
  stopCounting();
});

/**
 * Typed arrays a run allocates over 1,000 steps, counted after its first two epochs (which compile
 * the plans: 8 steps an epoch here).
 */
async function allocationsOverSteps(run: Observable<TrainEvent>): Promise<number> {
  let counting = false;
  let during = -1;
  await lastValueFrom(
    run.pipe(
      filter((e): e is BatchEvent => e.type === 'batch'),
      filter((e) => {
        if (e.step === 16 && !counting) {
          counting = true;
          startCounting();
        } else if (e.step === 1016 && counting) {
          during = stopCounting();
          counting = false;
        }
        return e.step >= 1016;
      }),
      take(1),
    ),
  );
  return during;
}

const BACKENDS = [{ backend: 'ts' }, { backend: 'wasm', threads: 1 }, { backend: 'wasm', threads: 2 }] as const;

for (const options of BACKENDS) {
  const model = () =>
    sequential([linear({ inFeatures: 1, outFeatures: 16 }), sigmoid(), linear({ inFeatures: 16, outFeatures: 1 })], { inputShape: [1], loss: mse(), seed: 1, ...options });

  describe(`a steady-state training step allocates no typed arrays (${JSON.stringify(options)})`, () => {
    it('sanity: the counter sees allocations, in tests and inside the packages', () => {
      startCounting();
      new Float32Array(4);
      expect(stopCounting()).toBe(1);
      const m = model();
      startCounting();
      m.compile(4);
      expect(stopCounting()).toBeGreaterThan(10);
    });

    it('compiled plan: 1,000 forward + backward + SGD steps', () => {
      const m = model();
      const plan = m.compile(8);
      const opt: Optimizer = sgd({ lr: 0.1 });
      const params = m.parameters().map((p) => p.value);
      const grads = m.parameters().map((p) => plan.paramGrads.get(p.id)!);
      for (let i = 0; i < 8; i++) plan.x.data[i] = i / 8;
      const step = () => {
        plan.forward();
        plan.backward();
        opt.step(params, grads, m.backend);
      };
      step();
      startCounting();
      for (let i = 0; i < 1000; i++) step();
      expect(stopCounting()).toBe(0);
    });

    it('fit: 1,000 steps with event emission, including a smaller last batch every epoch', async () => {
      // 60 samples in batches of 8: 7 full batches and one of 4 per epoch
      expect(await allocationsOverSteps(fit(model(), sine(60), { epochs: 200, batchSize: 8, optimizer: sgd({ lr: 0.1 }), sliceMs: 1e9 }))).toBe(0);
    });

    it('fit with L1 and L2 regularization on, weights large enough for the backend\'s own kernel: 1,000 steps', async () => {
      // 96 hidden units: each weight has more elements than the calls written in place (64).
      const wide = sequential([linear({ inFeatures: 1, outFeatures: 96 }), sigmoid(), linear({ inFeatures: 96, outFeatures: 1 })], { inputShape: [1], loss: mse(), seed: 1, ...options });
      const run = fit(wide, sine(60), { epochs: 200, batchSize: 8, optimizer: adam({ lr: 0.01 }), regularization: { l1: 1e-4, l2: 1e-3 }, sliceMs: 1e9 });
      expect(await allocationsOverSteps(run)).toBe(0);
    });

    it('compiled plan with products large enough to be split across threads: 200 steps of a 784-128-10 MLP with Adam', () => {
      const m = sequential([linear({ inFeatures: 784, outFeatures: 128 }), relu(), linear({ inFeatures: 128, outFeatures: 10 })], {
        inputShape: [784],
        loss: softmaxCrossEntropy(),
        seed: 1,
        ...options,
      });
      const plan = m.compile(64);
      const opt = adam({ lr: 0.001 });
      const params = m.parameters().map((p) => p.value);
      const grads = m.parameters().map((p) => plan.paramGrads.get(p.id)!);
      for (let i = 0; i < plan.x.size; i++) plan.x.data[i] = (i % 13) / 13;
      for (let r = 0; r < 64; r++) plan.y.data[r * 10 + (r % 10)] = 1;
      const step = () => {
        plan.forward();
        plan.backward();
        opt.step(params, grads, m.backend);
      };
      step();
      step();
      startCounting();
      for (let i = 0; i < 200; i++) step();
      expect(stopCounting()).toBe(0);
    });
  });
}

describe('a steady-state step through fit allocates nothing on the heap beyond the events it emits', () => {
  for (const [options, regularization] of BACKENDS.flatMap((b) => [[b, undefined], [b, { l1: 1e-4, l2: 1e-3 }]] as const)) {
    const named = `${JSON.stringify(options)}${regularization === undefined ? '' : ', with L1 and L2 regularization'}`;
    it(`the lesson's 1-1-1 network, batch 1, awaited through end$: under 1 byte per step (${named})`, async () => {
      const constant = (value: number) => ({ type: 'constant', value }) as const;
      const model = sequential(
        [
          linear({ inFeatures: 1, outFeatures: 1, weightInit: constant(0.5), biasInit: constant(0.1) }),
          sigmoid(),
          linear({ inFeatures: 1, outFeatures: 1, weightInit: constant(0.8), biasInit: constant(0.2) }),
        ],
        { inputShape: [1], loss: mse(), dtype: 'float32', ...options },
      );
      const steps = 400_000;
      const data = { x: new Float32Array(steps).fill(1), y: new Float32Array(steps).fill(1) };
      // One epoch of many steps: the run's own objects (start, epoch and end events, the first
      // slice's setup) are spread over them; what is left is what each step allocates.
      const optimizer = sgd({ lr: 0.1 });
      const train = async (): Promise<void> => {
        const end = await lastValueFrom(end$(fit(model, data, { epochs: 1, batchSize: 1, shuffle: false, optimizer, metrics: [], ...(regularization === undefined ? {} : { regularization }) })));
        expect(end).toMatchObject({ reason: 'completed', steps });
      };
      // Warm: measured on optimized code (the first runs also see the plans compiled and the
      // engine learn the types it meets).
      await train();
      await train();
      // The sampler counts whatever the process allocates meanwhile (the test runner's own
      // messages, under load), which only adds: the lesser of two runs is the closer bound.
      const bytes = Math.min(await sampledAllocationBytes(train), await sampledAllocationBytes(train));
      // A boxed number per step alone would be 16 bytes per step.
      expect(bytes / steps).toBeLessThan(1);
    });
  }
});
