import { defer, tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { TensorSnapshot, TrainEvent } from '../events.js';
import { controllerOf } from '../run/controller.js';
import { improves, monitored, type MonitorMode } from './monitor.js';

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
 * Stops a run when the monitored value has not improved for `patience` epochs: the run then ends
 * with reason `early-stop` and `bestEpoch`. With `restoreBest`, the parameters of the best epoch
 * are snapshotted when it happens and written back when stopping. State lives in the
 * subscription, so each run is judged on its own.
 *
 * @example
 * ```ts
 * import { earlyStopping, fit } from '@gradstream/trainer';
 * // fit(model, data, { epochs: 500, validation: { split: 0.2 } })
 * //   .pipe(earlyStopping({ monitor: 'val_loss', patience: 10, restoreBest: true }))
 * //   .subscribe((e) => e.type === 'end' && console.log(e.reason, e.bestEpoch));
 * ```
 */
export function earlyStopping(options: EarlyStoppingOptions = {}): MonoTypeOperatorFunction<TrainEvent> {
  const monitor = options.monitor ?? 'val_loss';
  const patience = options.patience ?? 5;
  const better = improves(monitor, options.mode ?? 'auto', options.minDelta ?? 0);
  return (source) =>
    defer(() => {
      let best: number | undefined;
      let bestEpoch = 0;
      let bestParams: Readonly<Record<string, TensorSnapshot>> | undefined;
      let wait = 0;
      return source.pipe(
        tap((e) => {
          if (e.type !== 'epoch') return;
          const ctl = controllerOf(e);
          const value = monitored('earlyStopping', monitor, e);
          if (better(value, best)) {
            best = value;
            bestEpoch = e.epoch;
            wait = 0;
            if (options.restoreBest) bestParams = ctl?.params();
            return;
          }
          if (++wait < patience || ctl === undefined) return;
          if (bestParams !== undefined) ctl.restoreParams(bestParams);
          ctl.stop('early-stop', { bestEpoch });
        }),
      );
    });
}
