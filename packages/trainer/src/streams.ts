import { filter, map, type Observable } from 'rxjs';
import type { BatchEvent, EndEvent, EpochEvent, TensorSnapshot, TrainEvent } from './events.js';
import { controllerOf } from './run/controller.js';
import type { TrainerState } from './state.js';

const isBatch = (e: TrainEvent): e is BatchEvent => e.type === 'batch';

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
    filter(isBatch),
    map((e) => e.loss),
  );
}

/**
 * The `epoch` events of a run (mean loss, metrics and validation per epoch).
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
 * Per-epoch metrics, flattened: `{ epoch, loss, mse, accuracy, val_loss, val_accuracy, … }`.
 *
 * @example
 * ```ts
 * import { fit, metrics$ } from '@gradstream/trainer';
 * // metrics$(fit(model, data, { epochs: 10, metrics: ['accuracy'], validation: { split: 0.2 } }))
 * //   .subscribe((m) => console.log(m.epoch, m.val_accuracy));
 * ```
 */
export function metrics$(events$: Observable<TrainEvent>): Observable<Readonly<Record<string, number>>> {
  return epochs$(events$).pipe(map(flattenMetrics));
}

/**
 * An epoch event's numbers as one flat record, validation values prefixed with `val_`.
 *
 * @example
 * ```ts
 * import { flattenMetrics } from '@gradstream/trainer';
 * flattenMetrics({ type: 'epoch', epoch: 1, step: 4, loss: 0.5, metrics: { mse: 1 } }); // { epoch: 1, loss: 0.5, mse: 1 }
 * ```
 */
export function flattenMetrics(e: EpochEvent): Readonly<Record<string, number>> {
  const out: Record<string, number> = { epoch: e.epoch, loss: e.loss, ...e.metrics };
  if (e.validation) {
    out.val_loss = e.validation.loss;
    for (const [k, v] of Object.entries(e.validation.metrics)) out[`val_${k}`] = v;
  }
  return out;
}

/**
 * Per-step gradients of every parameter, by parameter id (`linear_1.weight` → ∂L/∂W₁, frozen,
 * shaped like W₁). They are copied from the run only while this stream has a subscriber; with the
 * `gradients: true` option the copies already in the batch events are used.
 *
 * @example
 * ```ts
 * import { fit, gradients$ } from '@gradstream/trainer';
 * // gradients$(fit(model, data, { epochs: 1 }))
 * //   .subscribe(({ step, gradients }) => console.log(step, gradients['linear_1.weight']?.values));
 * ```
 */
export function gradients$(
  events$: Observable<TrainEvent>,
): Observable<{ readonly step: number; readonly epoch: number; readonly gradients: Readonly<Record<string, TensorSnapshot>> }> {
  return events$.pipe(
    filter(isBatch),
    map((e) => ({ step: e.step, epoch: e.epoch, gradients: e.gradients ?? controllerOf(e)?.gradients() ?? {} })),
  );
}

/**
 * Per-step gradient signal ∂L/∂output arriving at each node (by node name), copied only while
 * subscribed — e.g. to watch gradients vanish layer by layer. {@link signalNorms$} gives just
 * their L2 norms.
 *
 * @example
 * ```ts
 * import { fit, signals$ } from '@gradstream/trainer';
 * // signals$(fit(model, data, { epochs: 1 })).subscribe(({ signals }) => console.log(signals['sigmoid_1']));
 * ```
 */
export function signals$(
  events$: Observable<TrainEvent>,
): Observable<{ readonly step: number; readonly epoch: number; readonly signals: Readonly<Record<string, TensorSnapshot>> }> {
  return events$.pipe(
    filter(isBatch),
    map((e) => ({ step: e.step, epoch: e.epoch, signals: controllerOf(e)?.signals() ?? {} })),
  );
}

/**
 * Per-step L2 norm of the gradient signal at each node, by node name.
 *
 * @example
 * ```ts
 * import { fit, signalNorms$ } from '@gradstream/trainer';
 * // signalNorms$(fit(model, data, { epochs: 5 })).subscribe(({ norms }) => plot(norms));
 * ```
 */
export function signalNorms$(
  events$: Observable<TrainEvent>,
): Observable<{ readonly step: number; readonly norms: Readonly<Record<string, number>> }> {
  return signals$(events$).pipe(
    map(({ step, signals }) => {
      const norms: Record<string, number> = {};
      for (const [k, s] of Object.entries(signals)) norms[k] = Math.sqrt(s.values.reduce((a, v) => a + v * v, 0));
      return { step, norms };
    }),
  );
}

/**
 * The trainer state after each epoch: immutable, sharing structure with the previous one.
 *
 * @example
 * ```ts
 * import { fit, state$ } from '@gradstream/trainer';
 * // state$(fit(model, data, { epochs: 10 })).subscribe((s) => console.log(s.history.length, s.best));
 * ```
 */
export function state$(events$: Observable<TrainEvent>): Observable<TrainerState> {
  return epochs$(events$).pipe(
    map((e) => controllerOf(e)?.state),
    filter((s): s is TrainerState => s !== undefined),
  );
}

/**
 * The `end` event of a run.
 *
 * @example
 * ```ts
 * import { end$, fit } from '@gradstream/trainer';
 * // end$(fit(model, data, { epochs: 10 })).subscribe((e) => console.log(e.reason));
 * ```
 */
export function end$(events$: Observable<TrainEvent>): Observable<EndEvent> {
  return events$.pipe(filter((e): e is EndEvent => e.type === 'end'));
}
