import { describe, expect, it } from 'vitest';
import { Subject, lastValueFrom, toArray } from 'rxjs';
import { createRegistry, defineOp, sequential } from '@gradstream/graph';
import { builtinOps, linear, mse } from '@gradstream/ops';
import { divergenceGuard, earlyStopping, end$, fit, sgd, type EndEvent, type TrainCommand } from '../src/index.js';
import { mlp, sine, xor } from './fixtures.js';

const endOf = (...args: Parameters<typeof fit>): Promise<EndEvent> => lastValueFrom(end$(fit(...args)));

describe('the end event says why the run ended', () => {
  it('completed: every epoch ran', async () => {
    await expect(endOf(mlp(2, 3, 1, 1), xor, { epochs: 3, batchSize: 2 })).resolves.toEqual(
      expect.objectContaining({ type: 'end', reason: 'completed', epochs: 3, steps: 6 }),
    );
  });

  it('stopped: a stop command, with its reason when it gave one', async () => {
    for (const [command, message] of [
      ['stop', undefined],
      [{ type: 'stop', reason: 'user pressed stop' }, 'user pressed stop'],
    ] as const) {
      const control = new Subject<TrainCommand>();
      const run$ = fit(mlp(2, 3, 1, 1), xor, { epochs: 1000, batchSize: 2, control });
      const ended = lastValueFrom(end$(run$));
      run$.subscribe((e) => e.type === 'epoch' && e.epoch === 2 && control.next(command));
      const end = await ended;
      expect(end).toMatchObject({ reason: 'stopped', epochs: 2, steps: 4 });
      expect(end.reason === 'stopped' && end.message).toBe(message);
    }
  });

  it('aborted: the AbortSignal, with its reason’s name and message (a timeout reads TimeoutError)', async () => {
    const end = await endOf(mlp(1, 8, 1, 1), sine(), { epochs: 1e6, batchSize: 8, sliceMs: 1, signal: AbortSignal.timeout(30) });
    if (end.reason !== 'aborted') throw new Error(`expected aborted, got ${end.reason}`);
    expect(end.name).toBe('TimeoutError');
    expect(end.message).toMatch(/timed out|timeout/i);
    expect(end.steps).toBeGreaterThan(0);

    const already = AbortSignal.abort('closed the tab');
    await expect(endOf(mlp(1, 8, 1, 1), sine(), { epochs: 5, batchSize: 8, signal: already })).resolves.toMatchObject({
      reason: 'aborted',
      name: 'Error',
      message: 'closed the tab',
      steps: 0,
    });
  });

  it('early-stop: the monitor, the best epoch and its value, and whether the best parameters were restored', async () => {
    // a rate this small leaves the loss flat: epoch 1 is the best, two stalls end the run after epoch 3
    const end = await endOf(mlp(2, 3, 1, 1), xor, {
      epochs: 50,
      batchSize: 4,
      optimizer: sgd({ lr: 1e-300 }),
      policies: [earlyStopping({ monitor: 'loss', patience: 2, minDelta: 1e-9, restoreBest: true })],
    });
    expect(end).toMatchObject({ reason: 'early-stop', monitor: 'loss', bestEpoch: 1, restored: true, epochs: 3, steps: 3 });
    expect(end.reason === 'early-stop' && end.best).toBe(end.loss);
  });

  it('diverged: the step and the node where a value stopped being finite, before that step’s update', async () => {
    const end = await endOf(mlp(1, 8, 1, 1), sine(16), { epochs: 100, batchSize: 16, optimizer: sgd({ lr: 1e30 }) });
    if (end.reason !== 'diverged') throw new Error(`expected diverged, got ${end.reason}`);
    expect(end.divergence.step).toBe(end.steps + 1);
    // the squared error overflows first: the loss node is named
    expect(end.divergence).toMatchObject({ where: 'loss', node: 'mse_1' });
    expect(end.steps).toBeGreaterThan(0);
  });

  it('diverged: a guard’s threshold, with what crossed it', async () => {
    const end = await endOf(mlp(2, 3, 1, 1), xor, { epochs: 5, batchSize: 2, policies: [divergenceGuard({ maxGradNorm: 1e-9 })] });
    if (end.reason !== 'diverged') throw new Error(`expected diverged, got ${end.reason}`);
    expect(end.divergence).toMatchObject({ step: 1, epoch: 1, node: 'linear_1' });
    expect(end.divergence.where).toMatch(/^gradient norm of linear_1\.\w+ [\d.e-]+ above maxGradNorm 1e-9$/);
    expect(end.steps).toBe(0);
  });

  it('diverged: a gradient that stopped being finite while the loss did not, found with or without batch events', async () => {
    // Passes values forward unchanged, and sends NaN back from step 3 on.
    let calls = 0;
    const poison = defineOp({
      name: 'poison',
      inputs: ['x'],
      save: {},
      outputShape: ([x]: readonly (readonly number[])[]) => x!,
      forward: ({ inputs, out }) => out.data.set(inputs.x.data),
      backward: ({ dy, dInputs }) => {
        calls++;
        dInputs.x?.data.set(dy.data);
        if (calls >= 3) dInputs.x?.data.fill(Number.NaN);
      },
    });
    const registry = createRegistry([...builtinOps, poison]);
    const run = (readBatches: boolean) => {
      calls = 0;
      const model = sequential([linear({ inFeatures: 1, outFeatures: 1 }), { op: 'poison' }], { inputShape: [1], loss: mse(), registry, seed: 1 });
      const run$ = fit(model, sine(8), { epochs: 5, batchSize: 4 });
      return readBatches ? lastValueFrom(run$.pipe(toArray())).then((e) => e.at(-1) as EndEvent) : lastValueFrom(end$(run$));
    };
    for (const readBatches of [false, true]) {
      const end = await run(readBatches);
      if (end.reason !== 'diverged') throw new Error(`expected diverged, got ${end.reason}`);
      expect(end.steps).toBe(2);
      // the signal poison sends back is the gradient at linear_1's output
      expect(end.divergence).toMatchObject({ step: 3, where: 'node "linear_1" gradient', node: 'linear_1' });
    }
  });
});
