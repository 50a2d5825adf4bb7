import { filter, map, scan, type Observable } from 'rxjs';
import { GradstreamError } from '@gradstream/tensor';
import type { BatchEvent, EndEvent, EpochEvent, StartEvent, TensorSnapshot, TrainEvent } from './events.js';
import { selectEvents } from './run/select.js';
import { StateKeeper, type TrainerState } from './state.js';

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
  return selectEvents(events$, { types: ['batch'] }).pipe(
    filter(isBatch),
    map((e) => e.loss),
  );
}

/**
 * The `epoch` events of a run (mean loss, metrics and validation per epoch). On a run of `fit`
 * that nothing else reads per step, the run then builds no per-step events at all.
 *
 * @example
 * ```ts
 * import { epochs$, fit } from '@gradstream/trainer';
 * // epochs$(fit(model, data, { epochs: 10 })).subscribe((e) => console.log(e.epoch, e.loss));
 * ```
 */
export function epochs$(events$: Observable<TrainEvent>): Observable<EpochEvent> {
  return selectEvents(events$, { types: ['epoch'] }).pipe(filter((e): e is EpochEvent => e.type === 'epoch'));
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
 * flattenMetrics({ type: 'epoch', epoch: 1, step: 4, loss: 0.5, lr: 0.1, metrics: { mse: 1 } }); // { epoch: 1, loss: 0.5, mse: 1 }
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

function missing(helper: string, option: string): GradstreamError {
  return new GradstreamError(
    'INVALID_OPTION',
    `${helper}: the batch events carry no ${option === 'gradients' ? 'gradients' : 'trace'}; pass the Observable fit returns, or start the run with fit(model, data, { ${option}: true })`,
    { option },
  );
}

/**
 * Per-step gradients of every parameter, by parameter id (`linear_1.weight` → ∂L/∂W₁, frozen,
 * shaped like W₁), read from the batch events. On the Observable `fit` returns, subscribing asks
 * the run to copy them into its batch events while this stream is subscribed; any other event
 * stream must come from a run started with `gradients: true` (else an `INVALID_OPTION` error).
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
  return selectEvents(events$, { types: ['batch'], gradients: true }).pipe(
    filter(isBatch),
    map((e) => {
      if (e.gradients === undefined) throw missing('gradients$', 'gradients');
      return { step: e.step, epoch: e.epoch, gradients: e.gradients };
    }),
  );
}

/**
 * Per-step gradient signal ∂L/∂output arriving at each node (by node name, the loss node left
 * out), read from the batch events' `trace` — e.g. to watch gradients vanish layer by layer. On
 * the Observable `fit` returns, subscribing asks the run for the trace while subscribed; any other
 * event stream must come from a run started with `trace: true`. {@link signalNorms$} gives just
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
  return selectEvents(events$, { types: ['batch'], trace: true }).pipe(
    filter(isBatch),
    map((e) => {
      if (e.trace === undefined) throw missing('signals$', 'trace');
      const signals: Record<string, TensorSnapshot> = Object.fromEntries(e.trace.filter((t) => !t.loss).map((t) => [t.node, t.signal]));
      return { step: e.step, epoch: e.epoch, signals: Object.freeze(signals) };
    }),
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
      // Built from entries (own keys defined, not assigned): a node may be named "__proto__".
      const norms = Object.fromEntries(Object.entries(signals).map(([k, s]) => [k, Math.sqrt(s.values.reduce((a, v) => a + v * v, 0))]));
      return { step, norms };
    }),
  );
}

/**
 * The trainer state after each epoch, built from the `start` and `epoch` events: immutable,
 * sharing structure with the previous one. It needs the run's `start` event, so subscribe it in
 * the same turn as the run starts (or before).
 *
 * @example
 * ```ts
 * import { fit, state$ } from '@gradstream/trainer';
 * // state$(fit(model, data, { epochs: 10 })).subscribe((s) => console.log(s.history.length, s.best));
 * ```
 */
export function state$(events$: Observable<TrainEvent>): Observable<TrainerState> {
  return selectEvents(events$, { types: ['start', 'epoch'] }).pipe(
    filter((e): e is StartEvent | EpochEvent => e.type === 'start' || e.type === 'epoch'),
    scan<StartEvent | EpochEvent, { keeper: StateKeeper | undefined; state: TrainerState | undefined }>(
      (acc, e) => {
        if (e.type === 'start') return { keeper: new StateKeeper(e.config), state: undefined };
        if (acc.keeper === undefined) return acc;
        const { type: _type, lr: _lr, ...summary } = e;
        acc.keeper.add(summary);
        return { keeper: acc.keeper, state: acc.keeper.state() };
      },
      { keeper: undefined, state: undefined },
    ),
    map((acc) => acc.state),
    filter((s): s is TrainerState => s !== undefined),
  );
}

/**
 * The `end` event of a run. On a run of `fit` that nothing else reads per step, the run then
 * builds no per-step events at all.
 *
 * @example
 * ```ts
 * import { end$, fit } from '@gradstream/trainer';
 * // end$(fit(model, data, { epochs: 10 })).subscribe((e) => console.log(e.reason));
 * ```
 */
export function end$(events$: Observable<TrainEvent>): Observable<EndEvent> {
  return selectEvents(events$, { types: ['end'] }).pipe(filter((e): e is EndEvent => e.type === 'end'));
}
