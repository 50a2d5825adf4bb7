import { Observable, filter, share } from 'rxjs';
import type { Model } from '@gradstream/graph';
import type { TrainEvent, TrainEventType } from './events.js';
import type { FitOptions, TrainData } from './fit-options.js';
import { Interest, READS_ALL, type Reads } from './run/interest.js';
import { Run } from './run/run.js';
import { registerSelector } from './run/select.js';

/**
 * Trains a model and reports it as an Observable of {@link TrainEvent}s.
 *
 * - **One run, shared.** Nothing runs until the first subscription. Every subscriber then shares
 *   that one run; a subscriber that comes while it runs joins where it is; when every subscriber
 *   has left, the run stops at the next batch boundary and drops its buffers. A subscription made
 *   after the run ended starts a new run from the model's current parameters.
 * - **Starts after `subscribe` returns**, on a later turn of the event loop, so every subscriber
 *   of the same turn receives every event from `start`.
 * - **One run per model.** A run started while another trains the same model ends at once with a
 *   `MODEL_BUSY` error.
 * - **Time-sliced.** The run computes for up to `sliceMs`, then yields to the event loop, whatever
 *   the data (arrays, iterables, async iterables, Observables), so timers and UIs stay live.
 *
 * Each step runs a compiled plan: forward, backward, a `batch` event (built only when a subscriber
 * or a policy reads batch events: `loss$` does, `epochs$` and `end$` do not), then the optimizer
 * updates every parameter in place. A step whose loss or gradients are not finite is not applied:
 * the run ends with reason `diverged`, naming the step and the node where the first non-finite
 * value appeared (an update that overflows is caught by the next step, or, after the last one,
 * before the `end` event). Commands (`control`) and policies (`policies`) steer the run; see
 * {@link CommandObject} and {@link Policy}.
 *
 * @example
 * ```ts
 * import { sequential } from '@gradstream/graph';
 * import { linear, sigmoid, mse } from '@gradstream/ops';
 * import { epochs$, fit, loss$, sgd } from '@gradstream/trainer';
 * const model = sequential([linear({ inFeatures: 2, outFeatures: 8 }), sigmoid(), linear({ inFeatures: 8, outFeatures: 1 })], {
 *   inputShape: [2], loss: mse(), seed: 1,
 * });
 * const run$ = fit(model, { x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [0, 1, 1, 0] }, { epochs: 2000, batchSize: 4, optimizer: sgd({ lr: 0.5 }) });
 * loss$(run$).subscribe((loss) => console.log(loss)); // both subscribers share one run
 * epochs$(run$).subscribe((e) => console.log(e.epoch));
 * ```
 * @returns an Observable of one shared training run
 */
export function fit(model: Model, data: TrainData, options: FitOptions): Observable<TrainEvent> {
  const interest = new Interest();
  const shared$ = new Observable<TrainEvent>((subscriber) => {
    const run = new Run(model, data, options, subscriber, interest);
    run.begin();
    return () => run.cancel();
  }).pipe(share());
  const reading = (reads: Reads): Observable<TrainEvent> =>
    new Observable<TrainEvent>((subscriber) => {
      interest.add(reads);
      const subscription = (reads.types === 'all' ? shared$ : shared$.pipe(filter(ofTypes(reads.types)))).subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        interest.remove(reads);
      };
    });
  const run$ = reading(READS_ALL);
  registerSelector(run$, reading);
  return run$;
}

function ofTypes(types: readonly TrainEventType[]): (e: TrainEvent) => boolean {
  const set = new Set<TrainEventType>(types);
  // The end of a run always passes: a reader of some types still learns that the run ended.
  set.add('end');
  set.add('error');
  return (e) => set.has(e.type);
}
