import { defer, filter, map, mergeMap, type Observable } from 'rxjs';
import { GradstreamError } from '@gradstream/tensor';
import type { EpochEvent, TrainEvent } from '../events.js';
import type { CommandObject } from '../run/commands.js';
import type { LrSchedule } from '../schedules/lr-schedule.js';
import { reduceOnPlateau, type PlateauState, type ReduceOnPlateauOptions } from '../schedules/reduce-on-plateau.js';
import { monitored, monitorOption } from './monitor.js';
import { definePolicy, type Policy } from './policy.js';

/**
 * When a learning-rate schedule is consulted: before every step, or before every epoch.
 *
 * @example
 * ```ts
 * import type { SchedulePer } from '@gradstream/trainer';
 * const per: SchedulePer = 'epoch';
 * ```
 */
export type SchedulePer = 'step' | 'epoch';

/**
 * A policy that drives the learning rate from a schedule (`stepDecay`, `exponentialDecay`,
 * `cosineDecay`, or any `(t) => lr`): the rate of each epoch (`t` = epochs done) or of each step
 * (`t` = steps done) is set before it starts, so the `epochStart` and `batch` events report the
 * rate actually used.
 *
 * @example
 * ```ts
 * import { cosineDecay, fit, lrSchedule } from '@gradstream/trainer';
 * // fit(model, data, { epochs: 100, policies: [lrSchedule(cosineDecay({ initial: 0.1, period: 100 }))] }).subscribe();
 * ```
 */
export function lrSchedule(schedule: LrSchedule, options: { readonly per?: SchedulePer } = {}): Policy {
  // Checked here: called on a run's first event, a value that is not a function would fail the run with a TypeError.
  if (typeof schedule !== 'function') {
    throw new GradstreamError('INVALID_OPTION', `lrSchedule: schedule must be a function (t) => lr, such as stepDecay(…), got ${schedule === null ? 'null' : typeof schedule}`, {
      option: 'schedule',
    });
  }
  const per = options?.per ?? 'epoch';
  // Any other word would pass for 'step' below: a schedule meant per epoch ('epochs') would run per step.
  if (per !== 'epoch' && per !== 'step') {
    throw new GradstreamError('INVALID_OPTION', `lrSchedule: per must be 'epoch' or 'step', got ${JSON.stringify(per)}`, { option: 'per', value: per });
  }
  const after = per === 'epoch' ? 'epoch' : 'batch';
  return definePolicy(['start', after], (events$: Observable<TrainEvent>) =>
    events$.pipe(
      // After `start` comes the rate for t = 0 (for a resumed run, t = the epochs or steps done before
      // it); after epoch (or step) number n, n are done: the rate for t = n.
      map((e): number | undefined =>
        e.type === 'start' ? (per === 'epoch' ? e.resumed?.epoch : e.resumed?.step) ?? 0 : e.type === 'epoch' ? e.epoch : e.type === 'batch' ? e.step : undefined,
      ),
      filter((t): t is number => t !== undefined),
      map((t): CommandObject => ({ type: 'setLr', lr: schedule(t) })),
    ),
  );
}

/**
 * A policy that lowers the learning rate when the monitored epoch value stops improving (see
 * `reduceOnPlateau`); the new rate holds from the next epoch.
 *
 * @example
 * ```ts
 * import { fit, reduceLrOnPlateau } from '@gradstream/trainer';
 * // fit(model, data, { epochs: 200, validation: { split: 0.1 },
 * //   policies: [reduceLrOnPlateau({ monitor: 'val_loss', factor: 0.5, patience: 5 })] }).subscribe();
 * ```
 */
export function reduceLrOnPlateau(options: ReduceOnPlateauOptions & { readonly monitor?: string } = {}): Policy {
  const { monitor: given = 'val_loss', ...plateauOptions } = options;
  const monitor = monitorOption('reduceLrOnPlateau', given);
  return definePolicy(['epoch'], (events$: Observable<TrainEvent>, context) =>
    defer(() => {
      const plateau = reduceOnPlateau(plateauOptions);
      // A resumed run goes on with the best value and wait count its checkpoint kept.
      if (context.restored !== undefined) plateau.setState(context.restored as unknown as PlateauState);
      return events$.pipe(
        filter((e): e is EpochEvent => e.type === 'epoch'),
        mergeMap((e): CommandObject[] => {
          const lr = plateau.update(monitored('reduceLrOnPlateau', monitor, e), e.lr);
          return [
            { type: 'setLr', lr },
            { type: 'saveState', state: { ...plateau.state() } },
          ];
        }),
      );
    }),
  );
}
