import { concat, defer, ignoreElements, tap, type MonoTypeOperatorFunction } from 'rxjs';
import { toCheckpoint, type Checkpoint } from '@gradstream/graph';
import type { TrainEvent } from '../events.js';
import { controllerOf } from '../run/controller.js';
import { improves, monitored, type MonitorMode } from './monitor.js';

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

/**
 * Saves a checkpoint (parameters, optimizer state, step and epoch) whenever the monitored epoch
 * value improves. The checkpoint is captured at that epoch, synchronously, and written in the
 * background; writes never overlap — an improvement that arrives while a write is running waits,
 * and only the newest waiting one is written. The stream completes only after the last write has
 * finished; a failed write errors the stream.
 *
 * @example
 * ```ts
 * import { writeCheckpointFile } from '@gradstream/graph/node';
 * import { checkpointBest, fit } from '@gradstream/trainer';
 * // fit(model, data, { epochs: 50, validation: { split: 0.2 } })
 * //   .pipe(checkpointBest({ save: (c) => writeCheckpointFile(c, 'best.ckpt.json') }))
 * //   .subscribe();
 * ```
 */
export function checkpointBest(options: CheckpointBestOptions): MonoTypeOperatorFunction<TrainEvent> {
  const monitor = options.monitor ?? 'val_loss';
  const better = improves(monitor, options.mode ?? 'auto', options.minDelta ?? 0);
  return (source) =>
    defer(() => {
      let best: number | undefined;
      let writing: Promise<void> | undefined;
      let waiting: Checkpoint | undefined;
      let failure: unknown;
      let failed = false;

      const write = (c: Checkpoint): void => {
        writing = Promise.resolve()
          .then(() => options.save(c))
          .catch((e: unknown) => {
            failed = true;
            failure = e;
          })
          .then(() => {
            writing = undefined;
            const next = waiting;
            waiting = undefined;
            if (next !== undefined && !failed) write(next);
          });
      };
      const flush = async (): Promise<void> => {
        while (writing !== undefined) await writing;
        if (failed) throw failure;
      };

      const watched = source.pipe(
        tap((e) => {
          if (failed) throw failure;
          if (e.type !== 'epoch') return;
          const value = monitored('checkpointBest', monitor, e);
          if (!better(value, best)) return;
          best = value;
          const ctl = controllerOf(e);
          if (ctl === undefined) return;
          const checkpoint = toCheckpoint(ctl.model, {
            optimizer: ctl.optimizer.state(),
            step: e.step,
            epoch: e.epoch,
            meta: { monitor, value },
          });
          if (writing === undefined) write(checkpoint);
          else waiting = checkpoint;
        }),
      );
      return concat(watched, defer(flush).pipe(ignoreElements()));
    });
}
