import { describe, expect, it } from 'vitest';
import { filter, lastValueFrom, take, toArray } from 'rxjs';
import { createRegistry, defineOp, sequential } from '@gradstream/graph';
import { builtinOps, linear, mse } from '@gradstream/ops';
import { GradstreamError } from '@gradstream/tensor';
import { epochs$, fit, gradients$, sgd, yieldToEventLoop, type BatchEvent, type EpochEvent, type TrainEvent } from '../src/index.js';
import { mlp, sine, xor } from './fixtures.js';

describe('fit', () => {
  it('emits start, then per epoch epochStart, batches and epoch, then end', async () => {
    const events = await lastValueFrom(fit(mlp(2, 3, 1, 1), xor, { epochs: 2, batchSize: 2, optimizer: sgd({ lr: 0.1 }) }).pipe(toArray()));
    expect(events.map((e) => e.type)).toEqual(['start', 'epochStart', 'batch', 'batch', 'epoch', 'epochStart', 'batch', 'batch', 'epoch', 'end']);
    const batches = events.filter((e): e is BatchEvent => e.type === 'batch');
    expect(batches.map((b) => [b.epoch, b.step, b.batch])).toEqual([[1, 1, 1], [1, 2, 2], [2, 3, 1], [2, 4, 2]]);
    expect(Object.keys(batches[0]!.gradNorms)).toEqual(['linear_1.weight', 'linear_1.bias', 'linear_2.weight', 'linear_2.bias']);
    const epochs = events.filter((e): e is EpochEvent => e.type === 'epoch');
    // the epoch loss is the size-weighted mean of its batch losses
    expect(epochs[0]!.loss).toBeCloseTo((batches[0]!.loss + batches[1]!.loss) / 2, 12);
    expect(events[0]).toMatchObject({ type: 'start', seed: 0, config: { epochs: 2, batchSize: 2, samples: 4, optimizer: { name: 'sgd', lr: 0.1 } } });
  });

  it('is lazy: nothing trains until subscribed; a subscription after the end is a new run', async () => {
    const model = mlp(2, 3, 1, 1);
    const before = Array.from(model.parameters()[0]!.value.data);
    const run$ = fit(model, xor, { epochs: 1, batchSize: 4 });
    await yieldToEventLoop();
    expect(Array.from(model.parameters()[0]!.value.data)).toEqual(before);
    const first = await lastValueFrom(epochs$(run$));
    const second = await lastValueFrom(epochs$(run$));
    expect(second.loss).not.toBe(first.loss); // the second run starts from the weights the first one left
  });

  it('computes no 4th batch after unsubscribing at the 3rd batch event', async () => {
    let forwards = 0;
    const counter = defineOp({
      name: 'counter',
      inputs: ['x'],
      save: {},
      outputShape: ([x]: readonly (readonly number[])[]) => x!,
      forward: ({ inputs, out }) => {
        forwards++;
        out.data.set(inputs.x.data);
      },
      backward: ({ dy, dInputs }) => dInputs.x?.data.set(dy.data),
    });
    const registry = createRegistry([...builtinOps, counter]);
    const model = sequential([linear({ inFeatures: 1, outFeatures: 1 }), { op: 'counter' }], { inputShape: [1], loss: mse(), registry });
    const data = sine(20);
    const seen = await lastValueFrom(
      fit(model, data, { epochs: 10, batchSize: 2 }).pipe(
        filter((e): e is BatchEvent => e.type === 'batch'),
        take(3),
        toArray(),
      ),
    );
    expect(seen).toHaveLength(3);
    for (let i = 0; i < 5; i++) await yieldToEventLoop();
    expect(forwards).toBe(3);
  });

  it('reports per-parameter gradients when asked, shaped like the parameters', async () => {
    const model = mlp(2, 3, 1, 1);
    const grads = await lastValueFrom(gradients$(fit(model, xor, { epochs: 1, batchSize: 4, gradients: true })));
    expect(grads.step).toBe(1);
    expect(grads.gradients['linear_1.weight']!.shape).toEqual([3, 2]);
    expect(Object.isFrozen(grads.gradients['linear_1.weight']!.values)).toBe(true);
    // Without the option nothing is copied into the events, but gradients$ copies them on demand.
    const fresh = () => mlp(2, 3, 1, 1);
    const events = await lastValueFrom(fit(fresh(), xor, { epochs: 1, batchSize: 4 }).pipe(toArray()));
    expect(events.some((e) => e.type === 'batch' && e.gradients !== undefined)).toBe(false);
    const lazy = await lastValueFrom(gradients$(fit(fresh(), xor, { epochs: 1, batchSize: 4 })));
    const eager = await lastValueFrom(gradients$(fit(fresh(), xor, { epochs: 1, batchSize: 4, gradients: true })));
    expect(lazy.gradients).toEqual(eager.gradients);
  });

  it('ends with reason diverged and keeps the last finite parameters', async () => {
    const model = mlp(1, 16, 1, 1);
    const events: TrainEvent[] = await lastValueFrom(fit(model, sine(), { epochs: 50, batchSize: 64, optimizer: sgd({ lr: 1e30 }) }).pipe(toArray()));
    const end = events[events.length - 1]!;
    expect(end.type).toBe('end');
    if (end.type !== 'end' || end.reason !== 'diverged') throw new Error(`expected a diverged end, got ${JSON.stringify(end)}`);
    expect(end.divergence.step).toBeGreaterThan(1);
    for (const p of model.parameters()) for (const v of p.value.data) expect(Number.isFinite(v)).toBe(true);
  });

  it('rejects bad data with typed errors naming the node and the shapes', async () => {
    const model = mlp(2, 3, 1, 1);
    const wide = lastValueFrom(fit(model, { x: [[0, 0, 1]], y: [[0]] }, { epochs: 1 }));
    await expect(wide).rejects.toBeInstanceOf(GradstreamError);
    await expect(wide).rejects.toMatchObject({
      code: 'SHAPE_MISMATCH',
      message: 'node "linear_1" (linear), input x (data.x): expected samples of shape [2], i.e. data of shape [N,2], got [1,3] (sample 0)',
    });
    const nan = lastValueFrom(fit(model, { x: [[0, 0], [1, Number.POSITIVE_INFINITY]], y: [[0], [1]] }, { epochs: 1 }));
    await expect(nan).rejects.toMatchObject({
      code: 'NON_FINITE_INPUT',
      message: 'node "linear_1" (linear), input x (data.x): sample 1, column 1 is Infinity; values must be finite numbers',
    });
    const target = lastValueFrom(fit(model, { x: [[0, 0]], y: [[Number.NaN]] }, { epochs: 1 }));
    await expect(target).rejects.toMatchObject({ code: 'NON_FINITE_INPUT', message: expect.stringContaining('node "mse_1" (mse), input target (data.y)') });
    await expect(lastValueFrom(fit(model, { x: [[0, 0]], y: [[0], [1]] }, { epochs: 1 }))).rejects.toMatchObject({ code: 'INVALID_DATA' });
  });
});

describe('profiling', () => {
  it('reports time per node, forward and backward, and the optimizer’s, in the end event', async () => {
    const end = await lastValueFrom(fit(mlp(1, 32, 1, 1), sine(64), { epochs: 20, batchSize: 8, profile: true }));
    expect(end.type).toBe('end');
    if (end.type !== 'end') return;
    const profile = end.profile!;
    expect(Object.keys(profile)).toEqual(['linear_1', 'sigmoid_1', 'linear_2', 'mse_1', 'optimizer']);
    for (const [node, t] of Object.entries(profile)) {
      expect(t.backwardMs, node).toBeGreaterThan(0);
      if (node !== 'optimizer') expect(t.forwardMs, node).toBeGreaterThan(0);
    }
    const plain = await lastValueFrom(fit(mlp(1, 4, 1, 1), sine(8), { epochs: 1 }));
    expect(plain.type === 'end' && plain.profile).toBeUndefined();
  });
});

describe('divergence', () => {
  it('names the step and the first node whose output was not finite, and keeps the last good parameters', async () => {
    let calls = 0;
    const poison = defineOp({
      name: 'poison',
      inputs: ['x'],
      save: {},
      outputShape: ([x]: readonly (readonly number[])[]) => x!,
      forward: ({ inputs, out }) => {
        calls++;
        out.data.set(inputs.x.data);
        // the third training step's forward produces a NaN
        if (calls === 3) out.data[0] = Number.NaN;
      },
      backward: ({ dy, dInputs }) => dInputs.x?.data.set(dy.data),
    });
    const registry = createRegistry([...builtinOps, poison]);
    const model = sequential([linear({ inFeatures: 1, outFeatures: 1 }), { op: 'poison' }], { inputShape: [1], loss: mse(), registry });
    const events = await lastValueFrom(fit(model, sine(4), { epochs: 5, batchSize: 4, params: 1, optimizer: sgd({ lr: 0.1 }) }).pipe(toArray()));
    const end = events[events.length - 1]!;
    expect(end).toMatchObject({ type: 'end', reason: 'diverged', steps: 2, divergence: { step: 3, epoch: 3, where: 'node "poison_1" output', node: 'poison_1' } });
    const lastParams = events.filter((e) => e.type === 'params').pop();
    const now = Object.fromEntries(model.parameters().map((p) => [p.id, { shape: [...p.value.shape], values: Array.from(p.value.data) }]));
    expect(lastParams?.type === 'params' && lastParams.step).toBe(2);
    expect(lastParams?.type === 'params' && lastParams.params).toEqual(now);
  });

  it('checks typed data batch by batch: the batch holding a non-finite value fails before its update, naming the sample', async () => {
    const x = new Float32Array([0, 0, 1, 0, 0, 1, 1, 1, 0.5, 0.5, 0.5, Number.NaN, 1, 0.5, 0.5, 1]);
    const y = new Float32Array([0, 1, 1, 0, 1, 0, 1, 0]);
    for (const shuffle of [false, true]) {
      const model = mlp(2, 3, 1, 1);
      const events: TrainEvent[] = [];
      const error = await new Promise<unknown>((resolve) =>
        fit(model, { x, y }, { epochs: 3, batchSize: 2, shuffle, seed: 4 }).subscribe({ next: (e) => events.push(e), error: resolve }),
      );
      expect(error).toMatchObject({
        code: 'NON_FINITE_INPUT',
        message: 'node "linear_1" (linear), input x (data.x): sample 5, column 1 is NaN; values must be finite numbers',
      });
      // every batch before the bad one trained; the bad one did not, and nothing after it
      const steps = events.filter((e) => e.type === 'batch').length;
      expect(events[0]?.type).toBe('start');
      expect(events.at(-1)).toMatchObject({ type: 'error', code: 'NON_FINITE_INPUT' });
      expect(steps).toBeLessThan(4);
      for (const p of model.parameters()) for (const v of p.value.data) expect(Number.isFinite(v)).toBe(true);
      if (!shuffle) expect(steps).toBe(2); // samples 4 and 5 make the third batch
    }
  });
});
