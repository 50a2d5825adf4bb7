import { afterEach, describe, expect, it } from 'vitest';
import { filter, lastValueFrom, take } from 'rxjs';
import { sequential } from '@gradstream/graph';
import { linear, mse, sigmoid } from '@gradstream/ops';
import { fit, sgd, type BatchEvent, type Optimizer } from '../src/index.js';
import { sine } from './fixtures.js';
import { startCountingAllocations as startCounting, stopCountingAllocations as stopCounting } from '../../../test/support/allocations.js';

afterEach(() => {
  stopCounting();
});

const model = () =>
  sequential([linear({ inFeatures: 1, outFeatures: 16 }), sigmoid(), linear({ inFeatures: 16, outFeatures: 1 })], { inputShape: [1], loss: mse(), seed: 1 });

describe('a steady-state training step allocates no typed arrays', () => {
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
      opt.step(params, grads);
    };
    step();
    startCounting();
    for (let i = 0; i < 1000; i++) step();
    expect(stopCounting()).toBe(0);
  });

  it('fit: 1,000 steps with event emission, including a smaller last batch every epoch', async () => {
    // 60 samples in batches of 8: 7 full batches and one of 4 per epoch
    const data = sine(60);
    let counting = false;
    let during = -1;
    await lastValueFrom(
      fit(model(), data, { epochs: 200, batchSize: 8, optimizer: sgd({ lr: 0.1 }), sliceMs: 1e9 }).pipe(
        filter((e): e is BatchEvent => e.type === 'batch'),
        filter((e) => {
          // the first epoch compiles both plans; count over the next 1,000 steps
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
    expect(during).toBe(0);
  });
});
