import { defer, tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { TrainEvent } from '../events.js';
import { controllerOf, type SchedulePer } from '../run/controller.js';
import type { LrSchedule } from '../schedules/lr-schedule.js';
import { reduceOnPlateau, type ReduceOnPlateauOptions } from '../schedules/reduce-on-plateau.js';
import { monitored } from './monitor.js';

/**
 * Drives the learning rate of a run from a schedule (`stepDecay`, `exponentialDecay`,
 * `cosineDecay`, or any `(t) => lr`), consulted before every epoch (`t` = epochs done) or every
 * step (`t` = steps done), so the `epochStart` and `batch` events report the rate actually used.
 *
 * @example
 * ```ts
 * import { cosineDecay, fit, lrSchedule } from '@gradstream/trainer';
 * // fit(model, data, { epochs: 100 }).pipe(lrSchedule(cosineDecay({ initial: 0.1, period: 100 }))).subscribe();
 * ```
 */
export function lrSchedule(schedule: LrSchedule, options: { readonly per?: SchedulePer } = {}): MonoTypeOperatorFunction<TrainEvent> {
  const per = options.per ?? 'epoch';
  return tap((e) => {
    if (e.type === 'start') controllerOf(e)?.setLrSchedule(schedule, per);
  });
}

/**
 * Lowers the learning rate when the monitored epoch value stops improving (see `reduceOnPlateau`).
 *
 * @example
 * ```ts
 * import { fit, reduceLrOnPlateau } from '@gradstream/trainer';
 * // fit(model, data, { epochs: 200, validation: { split: 0.1 } })
 * //   .pipe(reduceLrOnPlateau({ monitor: 'val_loss', factor: 0.5, patience: 5 })).subscribe();
 * ```
 */
export function reduceLrOnPlateau(options: ReduceOnPlateauOptions & { readonly monitor?: string } = {}): MonoTypeOperatorFunction<TrainEvent> {
  const { monitor = 'val_loss', ...plateauOptions } = options;
  return (source) =>
    defer(() => {
      const plateau = reduceOnPlateau(plateauOptions);
      return source.pipe(
        tap((e) => {
          if (e.type !== 'epoch') return;
          const ctl = controllerOf(e);
          if (ctl !== undefined) ctl.setLr(plateau.update(monitored('reduceLrOnPlateau', monitor, e), ctl.lr));
        }),
      );
    });
}
