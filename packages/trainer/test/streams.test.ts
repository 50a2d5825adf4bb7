import { describe, expect, it } from 'vitest';
import { filter, lastValueFrom, map, Subject, tap, toArray } from 'rxjs';
import {
  earlyStopping,
  end$,
  fit,
  lrSchedule,
  metrics$,
  sgd,
  signalNorms$,
  state$,
  type BatchEvent,
  type EpochStartEvent,
  type ParamsEvent,
  type Sample,
  type TrainerState,
} from '../src/index.js';
import { mlp, sine, xor } from './fixtures.js';

const samplesOf = (d: { x: unknown; y: unknown }): Sample[] =>
  (d.x as number[][]).map((x, i) => ({ x, y: (d.y as number[][])[i]! }));

describe('data sources', () => {
  it('online learning from an Observable of samples gives the batch run’s losses on the same order', async () => {
    const data = sine(40);
    const batchRun = await lastValueFrom(
      fit(mlp(1, 8, 1, 2), data, { epochs: 1, batchSize: 8, shuffle: false, optimizer: sgd({ lr: 0.3 }) }).pipe(
        filter((e): e is BatchEvent => e.type === 'batch'),
        map((e) => e.loss),
        toArray(),
      ),
    );
    const arriving = new Subject<Sample>();
    const online = lastValueFrom(
      fit(mlp(1, 8, 1, 2), arriving, { epochs: 1, batchSize: 8, optimizer: sgd({ lr: 0.3 }) }).pipe(
        filter((e): e is BatchEvent => e.type === 'batch'),
        map((e) => e.loss),
        toArray(),
      ),
    );
    for (const s of samplesOf(data)) arriving.next(s);
    arriving.complete();
    const onlineLosses = await online;
    expect(batchRun).toHaveLength(5);
    expect(onlineLosses).toEqual(batchRun);
  });

  it('trains from an async iterable and from a plain iterable of samples', async () => {
    async function* stream() {
      for (const s of samplesOf(xor)) yield s;
    }
    const asyncEnd = await lastValueFrom(end$(fit(mlp(2, 3, 1, 1), stream(), { epochs: 1, batchSize: 2 })));
    expect(asyncEnd).toMatchObject({ reason: 'completed', steps: 2 });
    const iterEnd = await lastValueFrom(end$(fit(mlp(2, 3, 1, 1), samplesOf(xor), { epochs: 3, batchSize: 4 })));
    expect(iterEnd).toMatchObject({ reason: 'completed', steps: 3 });
  });

  it('holds out the last fraction for validation and reports metrics on both', async () => {
    const m = await lastValueFrom(
      metrics$(fit(mlp(2, 8, 1, 1), { x: [...(xor.x as number[][]), ...(xor.x as number[][])], y: [...(xor.y as number[][]), ...(xor.y as number[][])] }, {
        epochs: 3, batchSize: 2, metrics: ['accuracy', 'mae'], validation: { split: 0.25 },
      })),
    );
    expect(Object.keys(m).sort()).toEqual(['accuracy', 'epoch', 'loss', 'mae', 'val_accuracy', 'val_loss', 'val_mae']);
    // 2 of 8 samples held out: accuracy can only be 0, 0.5 or 1
    expect([0, 0.5, 1]).toContain(m.val_accuracy);
  });
});

describe('determinism', () => {
  const events = (modelSeed: number, seed: number) =>
    lastValueFrom(fit(mlp(1, 8, 1, modelSeed), sine(32), { epochs: 4, batchSize: 8, seed, optimizer: sgd({ lr: 0.2 }) }).pipe(toArray())).then((e) =>
      JSON.stringify(e),
    );

  it('the same seeds give identical event streams, bit for bit; another seed gives another stream', async () => {
    const a = await events(1, 5);
    expect(await events(1, 5)).toBe(a);
    expect(await events(1, 6)).not.toBe(a);
  });
});

describe('control', () => {
  it('an AbortSignal ends the run with reason aborted and the signal’s reason', async () => {
    const abort = new AbortController();
    const run = fit(mlp(1, 8, 1, 1), sine(), { epochs: 1000, batchSize: 8, signal: abort.signal });
    const ended = lastValueFrom(
      run.pipe(
        filter((e) => {
          if (e.type === 'batch' && e.step === 5) abort.abort(new Error('user left'));
          return e.type === 'end';
        }),
      ),
    );
    // aborted while step 5's batch event was handled: that update is not applied
    await expect(ended).resolves.toMatchObject({ type: 'end', reason: 'aborted', name: 'Error', message: 'user left', steps: 4 });
  });

  it('lets a timer run in the middle of training: the loop yields between slices', async () => {
    let step = 0;
    let timerRanAtStep: number | undefined;
    // sliceMs 0: yield after every batch, so a timer set during the first one runs once it is due
    const end = await lastValueFrom(
      fit(mlp(1, 16, 1, 1), sine(), { epochs: 400, batchSize: 8, sliceMs: 0 }).pipe(
        filter((e) => {
          if (e.type === 'batch') step = e.step;
          if (step === 1 && e.type === 'batch') setTimeout(() => (timerRanAtStep = step), 0);
          return e.type === 'end';
        }),
      ),
    );
    expect(end.type === 'end' && end.steps).toBe(3200);
    // set during step 1, it runs once due, between two batches: before the run ends
    expect(timerRanAtStep).toBeGreaterThanOrEqual(1);
    expect(timerRanAtStep).toBeLessThan(3200);
  });
});

describe('policies', () => {
  it('an lr schedule sets the rate each epoch and events report the rate used', async () => {
    const starts = await lastValueFrom(
      fit(mlp(2, 3, 1, 1), xor, { epochs: 3, batchSize: 4, policies: [lrSchedule((t) => 0.1 / (t + 1))] }).pipe(
        filter((e): e is EpochStartEvent => e.type === 'epochStart'),
        toArray(),
      ),
    );
    expect(starts.map((e) => e.lr)).toEqual([0.1, 0.05, 0.1 / 3]);
  });

  it('early stopping with restoreBest puts back the best epoch’s parameters', async () => {
    const model = mlp(1, 8, 1, 1);
    const paramsByEpoch = new Map<number, ParamsEvent['params']>();
    const events = await lastValueFrom(
      // a rate this large makes the loss bounce, so the best epoch is not the last
      fit(model, sine(16), {
        epochs: 40,
        batchSize: 16,
        optimizer: sgd({ lr: 9 }),
        params: 'epoch',
        policies: [earlyStopping({ monitor: 'loss', patience: 3, restoreBest: true })],
      }).pipe(
        tap((e) => e.type === 'params' && paramsByEpoch.set(e.epoch, e.params)),
        toArray(),
      ),
    );
    const end = events.at(-1)!;
    if (end.type !== 'end' || end.reason !== 'early-stop') throw new Error(`expected an early stop, got ${JSON.stringify(end)}`);
    const losses = events.filter((e) => e.type === 'epoch').map((e) => e.loss);
    expect(end.bestEpoch).toBe(losses.indexOf(Math.min(...losses)) + 1);
    expect(end.bestEpoch).toBeLessThan(end.epochs);
    expect(end).toMatchObject({ monitor: 'loss', best: Math.min(...losses), restored: true });
    const now = Object.fromEntries(model.parameters().map((p) => [p.id, { shape: [...p.value.shape], values: Array.from(p.value.data) }]));
    expect(now).toEqual(paramsByEpoch.get(end.bestEpoch));
  });
});

describe('events', () => {
  it('are plain data: copies equal the original, and no hidden property leads back to the run', async () => {
    const events = await lastValueFrom(fit(mlp(2, 4, 1, 1), xor, { epochs: 2, batchSize: 2, optimizer: sgd({ lr: 0.1 }) }).pipe(toArray()));
    for (const e of events) {
      for (const copy of [JSON.parse(JSON.stringify(e)), structuredClone(e), { ...e }]) expect(copy).toEqual(e);
      expect(Object.getOwnPropertySymbols(e)).toEqual([]);
      expect(Object.getPrototypeOf(e)).toBe(Object.prototype);
    }
  });
});

describe('immutable state', () => {
  it('a subscriber holding the state of epoch N still sees N after later epochs', async () => {
    const kept: TrainerState[] = [];
    await lastValueFrom(state$(fit(mlp(2, 3, 1, 1), xor, { epochs: 4, batchSize: 4 })).pipe(map((s) => kept.push(s))));
    expect(kept.map((s) => s.history.length)).toEqual([1, 2, 3, 4]);
    expect(kept[0]!.epoch).toBe(1);
    expect(Object.isFrozen(kept[0])).toBe(true);
    expect(Object.isFrozen(kept[0]!.history)).toBe(true);
    // later states share the unchanged history entries instead of copying them
    expect(kept[3]!.history[0]).toBe(kept[0]!.history[0]);
    expect(() => (kept[0]!.history as unknown as unknown[]).push(1)).toThrow();
  });
});

describe('gradient signals', () => {
  it('reports each node’s gradient signal norm, copied only while subscribed', async () => {
    const first = await lastValueFrom(signalNorms$(fit(mlp(2, 3, 1, 1), xor, { epochs: 1, batchSize: 4 })));
    expect(Object.keys(first.norms)).toEqual(['linear_1', 'sigmoid_1', 'linear_2']);
    for (const v of Object.values(first.norms)) expect(v).toBeGreaterThan(0);
  });
});

