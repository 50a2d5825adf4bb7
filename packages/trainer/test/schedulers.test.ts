import { describe, expect, it } from 'vitest';
import { asyncScheduler, delay, identity, lastValueFrom, observeOn, toArray, type MonoTypeOperatorFunction, type Observable } from 'rxjs';
import type { Checkpoint } from '@gradstream/graph';
import { GradstreamError } from '@gradstream/tensor';
import {
  checkpointBest,
  divergenceGuard,
  earlyStopping,
  fit,
  gradients$,
  lrSchedule,
  reduceLrOnPlateau,
  sgd,
  signalNorms$,
  signals$,
  type FitOptions,
  type Policy,
  type TrainEvent,
} from '../src/index.js';
import { mlp, sine } from './fixtures.js';

/**
 * Policies run inside the run, so whatever sits between `fit` and a subscriber — a synchronous
 * pipe, `observeOn(asyncScheduler)`, `delay(0)` — each decision lands at the step and epoch it
 * was made for, and the helpers' gradient copies are data in the events.
 */
const schedulers: readonly [string, MonoTypeOperatorFunction<TrainEvent>][] = [
  ['synchronously', identity],
  ['through observeOn(asyncScheduler)', observeOn(asyncScheduler)],
  ['through delay(0)', delay(0)],
];

// A fresh model and optimizer per run: an optimizer keeps its rate and state between runs.
const run = (options: Partial<FitOptions>): Observable<TrainEvent> =>
  fit(mlp(1, 8, 1, 4), sine(32), { epochs: 30, batchSize: 8, optimizer: sgd({ lr: 0.5 }), seed: 2, ...options });

/** Every event of a run, as a subscriber behind `scheduler` sees them. */
const seen = (run$: Observable<TrainEvent>, scheduler: MonoTypeOperatorFunction<TrainEvent>): Promise<TrainEvent[]> =>
  lastValueFrom(run$.pipe(scheduler, toArray()));

const saved: Checkpoint[] = [];
const policies: readonly [string, () => Policy, (events: TrainEvent[]) => void][] = [
  [
    'earlyStopping',
    () => earlyStopping({ monitor: 'loss', patience: 1, minDelta: 0.05 }),
    (events) => expect(events.at(-1)).toMatchObject({ reason: 'early-stop', monitor: 'loss' }),
  ],
  [
    'divergenceGuard',
    () => divergenceGuard({ maxLoss: -1 }),
    // ends at step 1, before its update, whatever the scheduler
    (events) => expect(events.at(-1)).toMatchObject({ reason: 'diverged', steps: 0, divergence: { step: 1, epoch: 1 } }),
  ],
  [
    'lrSchedule',
    () => lrSchedule((t) => 0.5 / (1 + t)),
    (events) => expect(events.filter((e) => e.type === 'epochStart').map((e) => e.lr)).toEqual(Array.from({ length: 30 }, (_, t) => 0.5 / (1 + t))),
  ],
  [
    'reduceLrOnPlateau',
    () => reduceLrOnPlateau({ monitor: 'loss', patience: 1, factor: 0.5, minDelta: 0.01 }),
    (events) => expect(new Set(events.filter((e) => e.type === 'epoch').map((e) => e.lr)).size).toBeGreaterThan(1),
  ],
  [
    'checkpointBest',
    () => {
      saved.length = 0;
      return checkpointBest({
        monitor: 'loss',
        save: (c) => {
          saved.push(c);
        },
      });
    },
    (events) => {
      // every improvement asks for a checkpoint; writes run one at a time (those that came
      // meanwhile collapse into the newest), from the first to the last, which is the best
      const asked = events.flatMap((e) => (e.type === 'checkpoint' ? [e.epoch] : []));
      const written = saved.map((c) => c.epoch ?? -1);
      expect(asked.length).toBeGreaterThan(2);
      expect(written[0]).toBe(asked[0]);
      expect(written.at(-1)).toBe(asked.at(-1));
      expect(written.every((epoch, i) => asked.includes(epoch) && (i === 0 || epoch > written[i - 1]!))).toBe(true);
    },
  ],
];

describe('policies decide at the step they saw, whatever the scheduler downstream', () => {
  for (const [name, policy, check] of policies) {
    it(`${name}: the same events ${schedulers.map(([s]) => s).join(', ')}`, async () => {
      const outcomes: TrainEvent[][] = [];
      for (const [, scheduler] of schedulers) {
        const events = await seen(run({ policies: [policy()] }), scheduler);
        check(events);
        outcomes.push(events);
      }
      // each checkpointBest tags its own requests: compare checkpoint events by epoch and step
      const comparable = (events: TrainEvent[]): unknown[] => events.map((e) => (e.type === 'checkpoint' ? [e.epoch, e.step, e.checkpoint.epoch] : e));
      for (const o of outcomes.slice(1)) expect(comparable(o)).toEqual(comparable(outcomes[0]!));
    });
  }
});

describe('gradient helpers give the same data whatever the scheduler downstream', () => {
  const helpers = [
    ['gradients$', gradients$],
    ['signals$', signals$],
    ['signalNorms$', signalNorms$],
  ] as const;
  for (const [name, helper] of helpers) {
    it(`${name}: copies taken at each step, equal ${schedulers.map(([s]) => s).join(', ')}`, async () => {
      const outcomes: unknown[][] = [];
      for (const [, scheduler] of schedulers) {
        outcomes.push(await lastValueFrom((helper(run({ epochs: 3 })) as Observable<unknown>).pipe(observeOnly(scheduler), toArray())));
      }
      expect(outcomes[0]).toHaveLength(12);
      // each step's copy differs from the next: they were taken then, not read back at the end
      expect(outcomes[0]![0]).not.toEqual(outcomes[0]![11]);
      for (const o of outcomes.slice(1)) expect(o).toEqual(outcomes[0]);
    });
  }

  it('on a stream that is not fit’s own they fail loudly instead of yielding nothing', async () => {
    const derived$ = run({ epochs: 1 }).pipe(observeOn(asyncScheduler));
    await expect(lastValueFrom(gradients$(derived$))).rejects.toThrow(GradstreamError);
    await expect(lastValueFrom(gradients$(derived$))).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    // asked for in the options, the copies are in every batch event, on any stream
    const withCopies$ = run({ epochs: 1, gradients: true }).pipe(observeOn(asyncScheduler));
    await expect(lastValueFrom(gradients$(withCopies$).pipe(toArray()))).resolves.toHaveLength(4);
  });
});

/** A scheduler operator applied to any element type. */
function observeOnly<T>(scheduler: MonoTypeOperatorFunction<TrainEvent>): MonoTypeOperatorFunction<T> {
  return scheduler as unknown as MonoTypeOperatorFunction<T>;
}
