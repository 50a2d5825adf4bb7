import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Subject, lastValueFrom, map, of, toArray, type Observable } from 'rxjs';
import { loadCheckpoint, writeCheckpointFile } from '@gradstream/graph/node';
import { GradstreamError } from '@gradstream/tensor';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePolicy, fit, sgd, type TrainCommand, type TrainEvent } from '../src/index.js';
import { mlp, xor } from './fixtures.js';

/** Runs until the end or the error; returns the events and the error, if any. */
async function outcome(run$: Observable<TrainEvent>): Promise<{ events: TrainEvent[]; error: unknown }> {
  const events: TrainEvent[] = [];
  return new Promise((resolve) =>
    run$.subscribe({ next: (e) => events.push(e), error: (error: unknown) => resolve({ events, error }), complete: () => resolve({ events, error: undefined }) }),
  );
}

const turns = (n: number): Promise<void> => (n === 0 ? Promise.resolve() : new Promise((r) => setImmediate(() => void turns(n - 1).then(r))));

describe('commands are checked', () => {
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown): void => void uncaught.push(e);
  beforeEach(() => {
    uncaught.length = 0;
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
  });
  afterEach(() => {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
  });

  const invalid: readonly [string, unknown, RegExp][] = [
    ['setLr NaN', { type: 'setLr', lr: Number.NaN }, /^command \{"type":"setLr","lr":NaN\}: setLr\.lr must be a finite number ≥ 0, got NaN$/],
    ['setLr −1', { type: 'setLr', lr: -1 }, /setLr\.lr must be a finite number ≥ 0, got -1/],
    ['setLr without lr', { type: 'setLr' }, /setLr\.lr is required/],
    ['an unknown word', 'bogus', /"bogus".*unknown command/],
    ['an unknown type', { type: 'explode' }, /unknown command type "explode"/],
    ['null', null, /null.*not a command/],
    ['step −1', { type: 'step', count: -1 }, /step\.count must be a positive integer, got -1/],
    ['step 0', { type: 'step', count: 0 }, /step\.count must be a positive integer, got 0/],
    ['step NaN', { type: 'step', count: Number.NaN }, /step\.count must be a positive integer, got NaN$/],
    ['step 1.5', { type: 'step', count: 1.5 }, /step\.count must be a positive integer, got 1\.5/],
  ];

  for (const [name, command, message] of invalid) {
    it(`${name} ends the run with an error event and INVALID_COMMAND, never an uncaught error`, async () => {
      const control = new Subject<TrainCommand>();
      const run$ = fit(mlp(2, 3, 1, 1), xor, { epochs: 1000, batchSize: 4, control, sliceMs: 1 });
      const done = outcome(run$);
      // every subscriber handles errors: RxJS reports an error nobody handles as uncaught
      const first = await new Promise<TrainEvent>((r) => run$.subscribe({ next: (e) => e.type === 'batch' && r(e), error: () => {} }));
      expect(first.type).toBe('batch');
      control.next(command as TrainCommand);
      const { events, error } = await done;
      expect(error).toBeInstanceOf(GradstreamError);
      expect((error as GradstreamError).code).toBe('INVALID_COMMAND');
      expect((error as Error).message).toMatch(message);
      expect(events.at(-1)).toEqual({ type: 'error', code: 'INVALID_COMMAND', message: (error as Error).message });
      expect(events.some((e) => e.type === 'end')).toBe(false);
      await turns(5);
      expect(uncaught).toEqual([]);
    });
  }

  it('an invalid command from a policy, even while its event is handled, fails the run the same way', async () => {
    const bad = definePolicy(['epoch'], (e$) => e$.pipe(map(() => ({ type: 'setLr', lr: -1 }) as TrainCommand)));
    const { events, error } = await outcome(fit(mlp(2, 3, 1, 1), xor, { epochs: 5, batchSize: 4, policies: [bad] }));
    expect((error as GradstreamError).code).toBe('INVALID_COMMAND');
    // decided at epoch 1, applied at that boundary: nothing of epoch 2 ran
    expect(events.filter((e) => e.type === 'batch')).toHaveLength(1);
    await turns(5);
    expect(uncaught).toEqual([]);
  });

  it('an invalid command sent before the run starts fails it before any step', async () => {
    const { events, error } = await outcome(fit(mlp(2, 3, 1, 1), xor, { epochs: 5, batchSize: 4, control: of<TrainCommand>({ type: 'explode' } as never) }));
    expect((error as GradstreamError).code).toBe('INVALID_COMMAND');
    expect(events.filter((e) => e.type === 'batch')).toEqual([]);
  });
});

describe('valid commands', () => {
  it('step with a count trains exactly that many batches while paused', async () => {
    const control = new Subject<TrainCommand>();
    const run$ = fit(mlp(2, 3, 1, 1), xor, { epochs: 100, batchSize: 1, control: control.pipe(), sliceMs: 1 });
    const events: TrainEvent[] = [];
    const done = lastValueFrom(run$.pipe(toArray()));
    run$.subscribe((e) => events.push(e));
    control.next('pause');
    await turns(3);
    const steps = (): number => events.filter((e) => e.type === 'batch').length;
    expect(steps()).toBe(0);
    control.next({ type: 'step', count: 3 });
    await turns(5);
    expect(steps()).toBe(3);
    control.next('step');
    await turns(5);
    expect(steps()).toBe(4);
    control.next({ type: 'stop', reason: 'enough' });
    expect((await done).at(-1)).toMatchObject({ type: 'end', reason: 'stopped', message: 'enough', steps: 4 });
  });

  it('checkpoint emits the model, optimizer state, step and epoch as a checkpoint event, loadable as written', async () => {
    const control = new Subject<TrainCommand>();
    const model = mlp(2, 3, 1, 1);
    const run$ = fit(model, xor, { epochs: 3, batchSize: 4, optimizer: sgd({ lr: 0.2 }), control });
    const events = lastValueFrom(run$.pipe(toArray()));
    const sub = run$.subscribe((e) => e.type === 'epoch' && e.epoch === 2 && control.next({ type: 'checkpoint', tag: 'mid', meta: { why: 'test' } }));
    const all = await events;
    sub.unsubscribe();
    const i = all.findIndex((e) => e.type === 'checkpoint');
    const c = all[i];
    if (c?.type !== 'checkpoint') throw new Error('no checkpoint event');
    // asked at epoch 2's event, taken right there, before epoch 3 starts
    expect(all[i - 1]).toMatchObject({ type: 'epoch', epoch: 2 });
    expect(c).toMatchObject({ epoch: 2, step: 2, tag: 'mid' });
    expect(c.checkpoint).toMatchObject({ epoch: 2, step: 2, meta: { why: 'test' }, optimizer: { name: 'sgd' } });
    const path = join(mkdtempSync(join(tmpdir(), 'gradstream-cmd-')), 'mid.json');
    await writeCheckpointFile(c.checkpoint, path);
    const loaded = await loadCheckpoint(path);
    expect(loaded.model.parameters().map((p) => p.id)).toEqual(model.parameters().map((p) => p.id));
  });
});
