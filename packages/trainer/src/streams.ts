import { filter, map, type Observable } from 'rxjs';
import type { BatchEvent, EpochEvent, TensorSnapshot, TrainEvent } from './events.js';

/**
 * The batch losses of a run, one number per step.
 *
 * @example
 * ```ts
 * import { fit, loss$ } from '@gradstream/trainer';
 * // loss$(fit(model, data, { epochs: 10 })).subscribe((l) => chart.push(l));
 * ```
 */
export function loss$(events$: Observable<TrainEvent>): Observable<number> {
  return events$.pipe(
    filter((e): e is BatchEvent => e.type === 'batch'),
    map((e) => e.loss),
  );
}

/**
 * The `epoch` events of a run (mean loss and metrics per epoch).
 *
 * @example
 * ```ts
 * import { epochs$, fit } from '@gradstream/trainer';
 * // epochs$(fit(model, data, { epochs: 10 })).subscribe((e) => console.log(e.epoch, e.loss));
 * ```
 */
export function epochs$(events$: Observable<TrainEvent>): Observable<EpochEvent> {
  return events$.pipe(filter((e): e is EpochEvent => e.type === 'epoch'));
}

/**
 * Per-step gradients of every parameter, by parameter id (`linear_1.weight` → ∂L/∂W₁ as a
 * frozen snapshot of the same shape as W₁). The run must be started with `gradients: true`,
 * otherwise this stream is empty: copying gradients costs, so it is opt-in.
 *
 * @example
 * ```ts
 * import { fit, gradients$ } from '@gradstream/trainer';
 * // gradients$(fit(model, data, { epochs: 1, gradients: true }))
 * //   .subscribe(({ step, gradients }) => console.log(step, gradients['linear_1.weight']?.values));
 * ```
 */
export function gradients$(
  events$: Observable<TrainEvent>,
): Observable<{ readonly step: number; readonly epoch: number; readonly gradients: Readonly<Record<string, TensorSnapshot>> }> {
  return events$.pipe(
    filter((e): e is BatchEvent & { gradients: Readonly<Record<string, TensorSnapshot>> } => e.type === 'batch' && e.gradients !== undefined),
    map((e) => ({ step: e.step, epoch: e.epoch, gradients: e.gradients })),
  );
}
