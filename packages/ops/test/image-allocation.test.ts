import { afterEach, describe, expect, it } from 'vitest';
import { sequential } from '@gradstream/graph';
import { Rng } from '@gradstream/tensor';
import { adam } from '@gradstream/trainer';
import { avgPool2d, batchNorm, conv2d, dense, flatten, globalAvgPool, maxPool2d, reshape, softmaxCrossEntropy } from '../src/index.js';
import { startCountingAllocations as startCounting, stopCountingAllocations as stopCounting } from '../../../test/support/allocations.js';

afterEach(() => {
  stopCounting();
});

// A convolutional net's training step, on every backend and on two threads (the fused convolution
// and the pooling run through the thread pool there): no typed array is made once it is compiled.
const BACKENDS = [{ backend: 'ts' }, { backend: 'wasm', threads: 1 }, { backend: 'wasm', threads: 2 }] as const;

describe.each(BACKENDS)('a convolutional training step allocates no typed arrays (%j)', (options) => {
  it('compiled plan: 50 forward + backward + Adam steps', () => {
    const model = sequential(
      [
        reshape({ shape: [12, 12, 1] }),
        conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
        batchNorm(),
        maxPool2d({ poolSize: 2 }),
        conv2d({ filters: 16, kernelSize: 3, activation: 'gelu' }),
        avgPool2d({ poolSize: 2 }),
        conv2d({ filters: 4, kernelSize: 1 }),
        globalAvgPool(),
        dense({ outFeatures: 3 }),
      ],
      { inputShape: [144], loss: softmaxCrossEntropy(), seed: 1, ...options },
    );
    const plan = model.compile(32);
    const rng = Rng.fromSeed(2);
    for (let i = 0; i < plan.x.size; i++) plan.x.data[i] = rng.uniform(-1, 1);
    for (let r = 0; r < 32; r++) plan.y.data[r * 3 + rng.int(3)] = 1;
    const opt = adam({ lr: 0.01 });
    const params = model.parameters().map((p) => p.value);
    const grads = model.parameters().map((p) => plan.paramGrads.get(p.id)!);
    const step = (): number => {
      const loss = plan.forward();
      plan.backward();
      opt.step(params, grads, model.backend);
      return loss;
    };
    const first = step();
    startCounting();
    let last = first;
    for (let i = 0; i < 50; i++) last = step();
    expect(stopCounting()).toBe(0);
    // The steps trained: the loss of the same batch went down.
    expect(last).toBeLessThan(first);
  });
});

describe('a flattened image through dense', () => {
  it('flatten keeps the NHWC order of the values', () => {
    const model = sequential([reshape({ shape: [2, 2, 2] }), flatten()], { inputShape: [8], loss: softmaxCrossEntropy(), backend: 'ts' });
    expect(Array.from(model.predict([[1, 2, 3, 4, 5, 6, 7, 8]]).data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
