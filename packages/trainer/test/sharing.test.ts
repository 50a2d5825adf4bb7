import { describe, expect, it } from 'vitest';
import { lastValueFrom, toArray, type Observable } from 'rxjs';
import { GradstreamError } from '@gradstream/tensor';
import { end$, epochs$, fit, loss$, sgd, type TrainEvent } from '../src/index.js';
import { mlp, xor } from './fixtures.js';

const options = { epochs: 20, batchSize: 2, optimizer: sgd({ lr: 0.5 }) } as const;
const paramsOf = (m: ReturnType<typeof mlp>): number[][] => m.parameters().map((p) => Array.from(p.value.data));
const all = (run$: Observable<TrainEvent>): Promise<TrainEvent[]> => lastValueFrom(run$.pipe(toArray()));

describe('one run per fit', () => {
  it('subscribers of the same turn share one run and each receives every event from start', async () => {
    const alone = mlp(2, 4, 1, 7);
    const single = await all(fit(alone, xor, options));

    const shared = mlp(2, 4, 1, 7);
    const run$ = fit(shared, xor, options);
    const [a, b, losses, epochs] = await Promise.all([
      all(run$),
      all(run$),
      lastValueFrom(loss$(run$).pipe(toArray())),
      lastValueFrom(epochs$(run$).pipe(toArray())),
    ]);
    expect(a).toEqual(single);
    expect(b).toEqual(single);
    expect(losses).toEqual(single.flatMap((e) => (e.type === 'batch' ? [e.loss] : [])));
    expect(epochs.map((e) => e.loss)).toEqual(single.flatMap((e) => (e.type === 'epoch' ? [e.loss] : [])));
    // one run trained the model: 20 epochs of 2 steps, not twice that
    expect(paramsOf(shared)).toEqual(paramsOf(alone));
    expect(a.at(-1)).toMatchObject({ type: 'end', reason: 'completed', steps: 40 });
  });

  it('a subscriber that comes while the run runs joins where it is', async () => {
    const run$ = fit(mlp(2, 4, 1, 7), xor, { ...options, sliceMs: 0 });
    const first = all(run$);
    let late: Promise<TrainEvent[]> | undefined;
    const sub = run$.subscribe((e) => {
      if (e.type === 'epoch' && e.epoch === 5 && late === undefined) late = all(run$);
    });
    const events = await first;
    sub.unsubscribe();
    const joined = await (late as Promise<TrainEvent[]>);
    expect(joined[0]).toMatchObject({ type: 'epochStart', epoch: 6 });
    expect(joined).toEqual(events.slice(events.findIndex((e) => e.type === 'epochStart' && e.epoch === 6)));
  });

  it('a subscription made after the run ended starts a new run from the model’s current parameters', async () => {
    const model = mlp(2, 4, 1, 7);
    const run$ = fit(model, xor, options);
    const first = await all(run$);
    const trained = paramsOf(model);
    const second = await all(run$);
    expect(second[0]).toMatchObject({ type: 'start' });
    expect(second.at(-1)).toMatchObject({ type: 'end', reason: 'completed', steps: 40 });
    // the second run starts where the first left the model: from the same parameters a fresh fit
    // gives the same stream
    const copy = mlp(2, 4, 1, 7);
    copy.parameters().forEach((p, i) => p.value.data.set(trained[i] as number[]));
    expect(await all(fit(copy, xor, options))).toEqual(second);
    expect(second).not.toEqual(first);
  });

  it('a second run on a model that is training ends at once with MODEL_BUSY; the first is untouched', async () => {
    const model = mlp(2, 4, 1, 7);
    const first = all(fit(model, xor, options));
    const second: TrainEvent[] = [];
    const failed = new Promise<unknown>((resolve) => fit(model, xor, options).subscribe({ next: (e) => second.push(e), error: resolve }));
    const error = await failed;
    expect(error).toBeInstanceOf(GradstreamError);
    expect(error).toMatchObject({ code: 'MODEL_BUSY' });
    expect(second).toEqual([{ type: 'error', code: 'MODEL_BUSY', message: (error as Error).message }]);
    expect(await first).toEqual(await all(fit(mlp(2, 4, 1, 7), xor, options)));
    // once the first ended, the model is free again
    await expect(lastValueFrom(end$(fit(model, xor, options)))).resolves.toMatchObject({ reason: 'completed' });
  });

  it('leaving every subscription stops the run and frees the model', async () => {
    const model = mlp(2, 4, 1, 7);
    const run$ = fit(model, xor, { ...options, epochs: 1e6, sliceMs: 1 });
    const seen = await new Promise<number>((resolve) => {
      const sub = run$.subscribe((e) => {
        if (e.type === 'batch' && e.step === 10) {
          sub.unsubscribe();
          resolve(e.step);
        }
      });
    });
    expect(seen).toBe(10);
    await expect(lastValueFrom(end$(fit(model, xor, options)))).resolves.toMatchObject({ reason: 'completed', steps: 40 });
  });
});
