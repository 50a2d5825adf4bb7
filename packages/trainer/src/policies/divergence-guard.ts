import { tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { TrainEvent } from '../events.js';
import { controllerOf } from '../run/controller.js';

/**
 * Options of {@link divergenceGuard}.
 *
 * @example
 * ```ts
 * import type { DivergenceGuardOptions } from '@gradstream/trainer';
 * const o: DivergenceGuardOptions = { maxLoss: 1e3 };
 * ```
 */
export interface DivergenceGuardOptions {
  /** A batch loss above this counts as divergence (default: only non-finite values do). */
  readonly maxLoss?: number;
  /** A parameter gradient norm above this counts as divergence (default: only non-finite). */
  readonly maxGradNorm?: number;
}

/**
 * Ends a run with reason `diverged` as soon as a batch's loss or a gradient norm crosses a
 * threshold. It acts on the `batch` event, before that batch's update, so the parameters kept are
 * the last good ones; the `end` event's `divergence` names the step and what crossed. (Non-finite
 * losses and gradients end every run this way without a guard.)
 *
 * @example
 * ```ts
 * import { divergenceGuard, fit } from '@gradstream/trainer';
 * // fit(model, data, { epochs: 100 }).pipe(divergenceGuard({ maxLoss: 1e3 })).subscribe();
 * ```
 */
export function divergenceGuard(options: DivergenceGuardOptions = {}): MonoTypeOperatorFunction<TrainEvent> {
  const maxLoss = options.maxLoss ?? Number.POSITIVE_INFINITY;
  const maxNorm = options.maxGradNorm ?? Number.POSITIVE_INFINITY;
  return tap((e) => {
    if (e.type !== 'batch') return;
    let where: string | undefined;
    if (e.loss > maxLoss) where = `loss ${e.loss} above maxLoss ${maxLoss}`;
    else {
      for (const [id, norm] of Object.entries(e.gradNorms)) {
        if (norm > maxNorm) {
          where = `gradient norm of ${id} ${norm} above maxGradNorm ${maxNorm}`;
          break;
        }
      }
    }
    if (where !== undefined) controllerOf(e)?.stop('diverged', { divergence: { step: e.step, epoch: e.epoch, where } });
  });
}
