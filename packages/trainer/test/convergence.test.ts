import { describe, expect, it } from 'vitest';
import { lastValueFrom, toArray } from 'rxjs';
import { evaluate, fit, loss$, sgd } from '../src/index.js';
import { mlp, sine, xor } from './fixtures.js';

describe('training converges on toy tasks', () => {
  it('learns XOR with a 2-8-1 network (sigmoid hidden) to MSE < 0.01', async () => {
    const model = mlp(2, 8, 1, 1);
    const before = evaluate(model, xor).mse;
    const end = await lastValueFrom(fit(model, xor, { epochs: 2000, batchSize: 4, optimizer: sgd({ lr: 0.5 }), seed: 1 }));
    expect(end.type === 'end' && end.reason).toBe('completed');
    const after = evaluate(model, xor).mse;
    expect(before).toBeGreaterThan(0.1);
    expect(after).toBeLessThan(0.01);
    const pred = Array.from(model.predict(xor.x as number[][]).data).map(Math.round);
    expect(pred).toEqual([0, 1, 1, 0]);
  });

  it('fits y = sin(x) on [−π, π] with a 1-16-1 network to MSE < 0.01', async () => {
    const data = sine();
    const model = mlp(1, 16, 1, 1);
    await lastValueFrom(fit(model, data, { epochs: 2000, batchSize: 8, optimizer: sgd({ lr: 0.5 }), seed: 1 }));
    expect(evaluate(model, data).mse).toBeLessThan(0.01);
  });

  it('gives identical loss sequences for the same seeds, different ones for another seed', async () => {
    const run = (modelSeed: number, shuffleSeed: number) =>
      lastValueFrom(loss$(fit(mlp(1, 16, 1, modelSeed), sine(), { epochs: 50, batchSize: 8, optimizer: sgd({ lr: 0.5 }), seed: shuffleSeed })).pipe(toArray()));
    const a = await run(7, 3);
    const b = await run(7, 3);
    expect(a).toHaveLength(400);
    expect(b).toEqual(a);
    expect(await run(7, 4)).not.toEqual(a);
    expect(await run(8, 3)).not.toEqual(a);
  });
});
