import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { sequential } from '@gradstream/graph';
import { linear, mse } from '@gradstream/ops';
import { GradstreamError } from '@gradstream/tensor';
import { adam, fit, momentum, sgd, type Optimizer } from '../src/index.js';

// A run sizes everything it will hold before it allocates: parameters, a training plan for its batch
// size, and the optimizer's per-parameter buffers.

const data = { x: Array.from({ length: 8 }, (_, i) => [i, 1, 0, 2]), y: Array.from({ length: 8 }, (_, i) => [i % 2]) };

/** A 4 → 64 → 1 model, 1,412 bytes of float32 parameters (the wide layer 1,280 of them), limited to `limit` bytes. */
function model(limit: number) {
  return sequential([linear({ inFeatures: 4, outFeatures: 64, name: 'wide' }), linear({ inFeatures: 64, outFeatures: 1 })], {
    inputShape: [4],
    loss: mse(),
    seed: 1,
    memoryLimit: limit,
  });
}

async function outcome(optimizer: Optimizer, limit: number): Promise<GradstreamError | 'trained'> {
  try {
    await lastValueFrom(fit(model(limit), data, { epochs: 1, batchSize: 8, optimizer }).pipe(toArray()));
    return 'trained';
  } catch (e) {
    return e as GradstreamError;
  }
}

describe('fit checks parameters, plan and optimizer state together', () => {
  const m = model(Infinity);
  const plain = m.memory(8);
  const withAdam = m.memory(8, { optimizerSlots: 2 });

  it('the estimate counts each optimizer buffer as a copy of the parameters', () => {
    expect(plain.parameters).toBe((4 * 64 + 64 + 64 + 1) * 4);
    expect(withAdam.optimizer).toBe(2 * plain.parameters);
    expect(withAdam.total).toBe(plain.total + 2 * plain.parameters);
  });

  it('a limit between what SGD and Adam need: SGD trains, Adam is refused before it allocates, naming the layer and the bytes', async () => {
    const limit = plain.total + plain.parameters; // room for one slot, not two
    expect(await outcome(sgd({ lr: 0.01 }), limit)).toBe('trained');
    expect(await outcome(momentum({ lr: 0.01 }), limit)).toBe('trained');
    const e = await outcome(adam(), limit);
    expect(e).toBeInstanceOf(GradstreamError);
    const error = e as GradstreamError;
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toContain('training at batch size 8 needs');
    expect(error.message).toContain(`${withAdam.total} bytes`);
    expect(error.message).toContain("the optimizer's state (m, v per parameter)");
    expect(error.message).toContain('node "wide" (linear)');
    expect(error.details).toMatchObject({ node: 'wide', bytes: withAdam.total, limit });
  });

  it('requireMemory answers the same question without a run', () => {
    expect(m.requireMemory(8, ['m', 'v'])).toEqual(withAdam);
    expect(() => model(withAdam.total - 1).requireMemory(8, ['m', 'v'])).toThrow(/beyond the memory limit/);
    expect(model(withAdam.total).requireMemory(8, ['m', 'v']).total).toBe(withAdam.total);
  });
});
