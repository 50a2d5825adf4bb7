import { defer, mergeMap, of, EMPTY, type Observable } from 'rxjs';
import type { JsonValue } from '@gradstream/graph';
import { GradstreamError } from '@gradstream/tensor';
import type { TrainEvent } from '../events.js';
import type { TrainCommand } from '../run/commands.js';
import { improves, monitored, monitorOption, type MonitorMode } from './monitor.js';
import { booleanOption, numberOption } from '../check-option.js';
import { definePolicy, type Policy } from './policy.js';

/**
 * Options of {@link earlyStopping}.
 *
 * @example
 * ```ts
 * import type { EarlyStoppingOptions } from '@gradstream/trainer';
 * const o: EarlyStoppingOptions = { monitor: 'val_loss', patience: 10, restoreBest: true };
 * ```
 */
export interface EarlyStoppingOptions {
  /** The epoch value to watch: `loss`, `val_loss`, `accuracy`, `val_accuracy`, … (default `val_loss`). */
  readonly monitor?: string;
  /** Epochs without improvement before stopping (default 5). */
  readonly patience?: number;
  /** Smallest change that counts as an improvement (default 0). */
  readonly minDelta?: number;
  readonly mode?: MonitorMode;
  /** Put back the parameters of the best epoch when stopping (default false). */
  readonly restoreBest?: boolean;
}

/**
 * A policy that stops a run when the monitored epoch value has not improved for `patience`
 * epochs: the run then ends with reason `early-stop`, the monitor, `bestEpoch` and `best`. With
 * `restoreBest`, the run keeps a copy of the parameters at each new best epoch (`keepParams`)
 * and writes it back when stopping. State lives in the run, so each run is judged on its own; a
 * checkpoint keeps it, and a run resumed from that checkpoint goes on counting where it was.
 *
 * @example
 * ```ts
 * import { earlyStopping, fit } from '@gradstream/trainer';
 * // fit(model, data, { epochs: 500, validation: { split: 0.2 },
 * //   policies: [earlyStopping({ monitor: 'val_loss', patience: 10, restoreBest: true })] })
 * //   .subscribe((e) => e.type === 'end' && e.reason === 'early-stop' && console.log(e.bestEpoch));
 * ```
 */
export function earlyStopping(options: EarlyStoppingOptions = {}): Policy {
  const monitor = monitorOption('earlyStopping', options.monitor ?? 'val_loss');
  const patience = numberOption('earlyStopping', 'patience', options.patience, { atLeast: 0, integer: true }, 5);
  const restore = booleanOption('earlyStopping', 'restoreBest', options.restoreBest, false);
  const better = improves('earlyStopping', monitor, options.mode, options.minDelta);
  return definePolicy(['epoch'], (events$: Observable<TrainEvent>, context) =>
    defer(() => {
      // A resumed run goes on with the best value and the patience count its checkpoint kept.
      const saved = readState(context.restored);
      let best = saved.best;
      let bestEpoch = saved.bestEpoch;
      let wait = saved.wait;
      const state = (): TrainCommand => ({ type: 'saveState', state: { best: best ?? null, bestEpoch, wait } });
      return events$.pipe(
        mergeMap((e): Observable<TrainCommand> => {
          if (e.type !== 'epoch') return EMPTY;
          const value = monitored('earlyStopping', monitor, e);
          if (better(value, best)) {
            best = value;
            bestEpoch = e.epoch;
            wait = 0;
            return restore ? of<TrainCommand[]>('keepParams', state()) : of(state());
          }
          if (++wait < patience) return of(state());
          return of({ type: 'earlyStop', monitor, bestEpoch, best: best as number, restore });
        }),
      );
    }),
  );
}

interface EarlyStoppingState {
  readonly best: number | undefined;
  readonly bestEpoch: number;
  readonly wait: number;
}

/** The state a checkpoint kept ({ best, bestEpoch, wait }), or a fresh one; a malformed one is an `INVALID_OPTION` error. */
function readState(restored: JsonValue | undefined): EarlyStoppingState {
  if (restored === undefined) return { best: undefined, bestEpoch: 0, wait: 0 };
  const r = restored as { best?: unknown; bestEpoch?: unknown; wait?: unknown };
  const count = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (typeof r !== 'object' || r === null || !(r.best === null || typeof r.best === 'number') || !count(r.bestEpoch) || !count(r.wait)) {
    throw new GradstreamError('INVALID_OPTION', `earlyStopping: the state to resume from must be { best, bestEpoch, wait }, got ${JSON.stringify(restored)}`, {
      option: 'resume',
    });
  }
  return { best: r.best ?? undefined, bestEpoch: r.bestEpoch, wait: r.wait };
}
