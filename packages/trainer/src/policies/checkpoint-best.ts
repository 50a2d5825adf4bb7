import { concat, defer, ignoreElements, mergeMap, of, EMPTY, type Observable } from 'rxjs';
import type { Checkpoint } from '@gradstream/graph';
import type { TrainEvent } from '../events.js';
import type { TrainCommand } from '../run/commands.js';
import { improves, monitored, monitorOption, type MonitorMode } from './monitor.js';
import { definePolicy, type Policy } from './policy.js';
import { GradstreamError } from '@gradstream/tensor';
import { describeValue } from '../check-option.js';

/**
 * Options of {@link checkpointBest}.
 *
 * @example
 * ```ts
 * import { writeCheckpointFile } from '@gradstream/graph/node';
 * import type { CheckpointBestOptions } from '@gradstream/trainer';
 * const o: CheckpointBestOptions = { monitor: 'val_loss', save: (c) => writeCheckpointFile(c, 'best.ckpt.json') };
 * ```
 */
export interface CheckpointBestOptions {
  /** The epoch value to watch (default `val_loss`). */
  readonly monitor?: string;
  readonly mode?: MonitorMode;
  /** Smallest change that counts as an improvement (default 0). */
  readonly minDelta?: number;
  /** Writes a checkpoint somewhere: a file (`writeCheckpointFile` from `@gradstream/graph/node`), IndexedDB, a server. */
  readonly save: (checkpoint: Checkpoint) => Promise<void> | void;
}

let policies = 0;

/**
 * A policy that saves a checkpoint (parameters, optimizer state, step and epoch) whenever the
 * monitored epoch value improves: it asks the run for a `checkpoint` event at that epoch and
 * hands the checkpoint to `save` in the background. Writes never overlap — an improvement that
 * arrives while a write is running waits, and only the newest waiting one is written. The run
 * ends (its `end` event and completion) only after the last write has finished; a failed write
 * ends the run with an error.
 *
 * @example
 * ```ts
 * import { writeCheckpointFile } from '@gradstream/graph/node';
 * import { checkpointBest, fit } from '@gradstream/trainer';
 * // fit(model, data, { epochs: 50, validation: { split: 0.2 },
 * //   policies: [checkpointBest({ save: (c) => writeCheckpointFile(c, 'best.ckpt.json') })] }).subscribe();
 * ```
 */
export function checkpointBest(options: CheckpointBestOptions): Policy {
  const monitor = monitorOption('checkpointBest', options.monitor ?? 'val_loss');
  const better = improves('checkpointBest', monitor, options.mode, options.minDelta);
  // Checked here: called only at the first improvement, a save that is not a function would fail the run with a TypeError.
  if (typeof options.save !== 'function') {
    throw new GradstreamError('INVALID_OPTION', `checkpointBest: save must be a function (checkpoint) => void or a promise, got ${describeValue(options.save)}`, { option: 'save' });
  }
  // Its own tag, so checkpoints asked for by others (a control command, another policy) are not saved.
  const tag = `checkpointBest#${++policies}`;
  return definePolicy(['epoch', 'checkpoint'], (events$: Observable<TrainEvent>, context) =>
    defer(() => {
      // A resumed run saves only what beats the best its checkpoint kept.
      const restored = (context.restored as { best?: unknown } | undefined)?.best;
      let best: number | undefined = typeof restored === 'number' ? restored : undefined;
      let writing: Promise<void> | undefined;
      let waiting: Checkpoint | undefined;
      let failure: { readonly error: unknown } | undefined;

      const write = (c: Checkpoint): void => {
        writing = Promise.resolve()
          .then(() => options.save(c))
          .catch((e: unknown) => {
            failure ??= { error: e };
          })
          .then(() => {
            writing = undefined;
            const next = waiting;
            waiting = undefined;
            if (next !== undefined && failure === undefined) write(next);
          });
      };
      const flush = async (): Promise<void> => {
        while (writing !== undefined) await writing;
        if (failure !== undefined) throw failure.error;
      };

      const decisions = events$.pipe(
        mergeMap((e): Observable<TrainCommand> => {
          if (failure !== undefined) throw failure.error;
          if (e.type === 'checkpoint' && e.tag === tag) {
            if (writing === undefined) write(e.checkpoint);
            else waiting = e.checkpoint;
            return EMPTY;
          }
          if (e.type !== 'epoch') return EMPTY;
          const value = monitored('checkpointBest', monitor, e);
          if (!better(value, best)) return EMPTY;
          best = value;
          return of<TrainCommand[]>({ type: 'saveState', state: { best } }, { type: 'checkpoint', tag, meta: { monitor, value } });
        }),
      );
      return concat(decisions, defer(flush).pipe(ignoreElements()));
    }),
  );
}
