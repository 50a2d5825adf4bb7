import { describe, expect, it } from 'vitest';
import { asyncScheduler, map, take, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { divergenceGuard, earlyStopping, fit, sgd, type FitOptions, type TrainCommand, type TrainEvent } from '../src/index.js';
import { mlp, xor } from './fixtures.js';

/*
 * Virtual-time tests of the event protocol. With `sliceMs: 0` the run yields after every batch,
 * and `yieldDelay: 10` puts each slice 10 frames after the previous one, so slice k's events are
 * emitted together at frame 10·k. Events are drawn as letters:
 *   S start, E epochStart, b batch, e epoch, p params, X end.
 */
const letter: Record<TrainEvent['type'], string> = { start: 'S', epochStart: 'E', batch: 'b', epoch: 'e', params: 'p', end: 'X', error: '!', checkpoint: 'c' };

/** A marble diagram with the given groups of letters at the given frames (`|` completes). */
function at(groups: readonly (readonly [number, string])[]): string {
  let out = '';
  let frame = 0;
  for (const [target, g] of groups) {
    if (target > frame) out += ` ${target - frame}ms `;
    const token = g.length > 1 ? `(${g})` : g;
    out += token;
    frame = target + token.length;
  }
  return out;
}

/** One group per slice, slices 10 frames apart; completes with the last unless told otherwise. */
function slices(groups: readonly string[], complete = true): string {
  return at(groups.map((g, i) => [i * 10, complete && i === groups.length - 1 ? `${g}|` : g] as const));
}

const values = Object.fromEntries(Object.values(letter).map((l) => [l, l]));

function run(options: Partial<FitOptions>, pipe: (e$: Observable<TrainEvent>) => Observable<TrainEvent> = (e$) => e$) {
  return pipe(fit(mlp(2, 3, 1, 1), xor, { epochs: 2, batchSize: 2, optimizer: sgd({ lr: 0.1 }), sliceMs: 0, scheduler: asyncScheduler, yieldDelay: 10, ...options })).pipe(
    map((e) => letter[e.type]),
  );
}

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('event order (marbles, virtual time)', () => {
  it('start, then per epoch epochStart, batches and epoch, then end', () => {
    scheduler().run(({ expectObservable }) => {
      // 4 samples in batches of 2: two batches per epoch, each batch ends a slice
      expectObservable(run({})).toBe(slices(['SEb', 'b', 'eEb', 'b', 'eX']), values);
    });
  });

  it('puts params after the batch (every N steps) or after the epoch', () => {
    scheduler().run(({ expectObservable }) => {
      expectObservable(run({ params: 1 })).toBe(slices(['SEbp', 'bp', 'eEbp', 'bp', 'eX']), values);
    });
    scheduler().run(({ expectObservable }) => {
      expectObservable(run({ params: 'epoch' })).toBe(slices(['SEb', 'b', 'epEb', 'b', 'epX']), values);
    });
  });
});

describe('control (marbles, virtual time)', () => {
  it('pause stops at the next batch boundary; step runs one batch; resume continues', () => {
    scheduler().run(({ expectObservable, hot }) => {
      // paused at frame 5, after the 1st slice: the 2nd slice (frame 10) finds the run paused.
      // A step at 35 runs one batch a slice later (45); resume at 60 continues at 70.
      const control: Observable<TrainCommand> = hot('5ms p 29ms s 24ms r', { p: 'pause', s: 'step', r: 'resume' } as Record<string, TrainCommand>);
      expectObservable(run({ control })).toBe(at([[0, 'SEb'], [45, 'b'], [70, 'eEb'], [80, 'b'], [90, 'eX|']]), values);
    });
  });

  it('unsubscribing cancels: nothing more is emitted or computed', () => {
    scheduler().run(({ expectObservable }) => {
      expectObservable(run({}), '^ 12ms !').toBe(slices(['SEb', 'b'], false), values);
    });
  });

  it('stop through the control stream ends with reason stopped at the next boundary', () => {
    scheduler().run(({ expectObservable, hot }) => {
      // stopped at 15, after the 2nd batch: the epoch it completed is still reported, then the end
      const control = hot<TrainCommand>('15ms x', { x: 'stop' });
      expectObservable(run({ control })).toBe(slices(['SEb', 'b', 'eX']), values);
    });
  });
});

describe('policies (marbles, virtual time)', () => {
  it('early stopping ends the run with reason early-stop once the monitor stalls', () => {
    scheduler().run(({ expectObservable }) => {
      // with lr 0 the loss never improves: epoch 1 sets the best, epoch 2 is the first stall (patience 1)
      const out = run({ optimizer: sgd({ lr: 1e-300 }), epochs: 5, policies: [earlyStopping({ monitor: 'loss', patience: 1, minDelta: 1e-9 })] });
      expectObservable(out).toBe(slices(['SEb', 'b', 'eEb', 'b', 'eX']), values);
    });
  });

  it('a divergence guard ends the run at the offending batch, before its update', () => {
    scheduler().run(({ expectObservable }) => {
      const out = run({ epochs: 5, policies: [divergenceGuard({ maxLoss: -1 })] });
      expectObservable(out).toBe('(SEbX|)', values);
    });
  });

  it('take(n) after the policies cancels the run like any unsubscribe', () => {
    scheduler().run(({ expectObservable }) => {
      expectObservable(run({}).pipe(take(4))).toBe('(SEb) 5ms (b|)', values);
    });
  });
});

