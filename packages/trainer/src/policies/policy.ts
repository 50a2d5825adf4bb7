import type { Observable } from 'rxjs';
import type { JsonValue } from '@gradstream/graph';
import type { TrainEvent, TrainEventType } from '../events.js';
import type { TrainCommand } from '../run/commands.js';

/**
 * A policy decides, from a run's events, what to tell the run: an RxJS operator from events to
 * commands, handed to the run with `fit`'s `policies` option. The run feeds it each event before
 * any subscriber sees it, and applies the commands it emits at that event's boundary (a `stop`
 * made on a batch event prevents that batch's update), so its decisions land at the step and
 * epoch they were made for, whatever scheduler sits between `fit` and its subscribers. State kept
 * inside `defer` is per run.
 *
 * `reads` lists the event types the policy looks at (default: all); a run builds its per-step
 * `batch` events only when a subscriber or a policy reads them.
 *
 * @example
 * ```ts
 * import { filter, map } from 'rxjs';
 * import { definePolicy, type TrainCommand } from '@gradstream/trainer';
 * // Stops once an epoch's loss is below 0.01.
 * const stopBelow = definePolicy(['epoch'], (events$) =>
 *   events$.pipe(
 *     filter((e) => e.type === 'epoch' && e.loss < 0.01),
 *     map((): TrainCommand => ({ type: 'stop', reason: 'loss below 0.01' })),
 *   ),
 * );
 * ```
 */
export interface Policy {
  (events$: Observable<TrainEvent>, context?: PolicyContext): Observable<TrainCommand>;
  /** The event types the policy reads (default: all). */
  readonly reads?: readonly TrainEventType[];
}

/**
 * What a run tells a policy when it plugs it in. A policy that keeps state across epochs (a best
 * value, a patience count) reports it with `{ type: 'saveState', state }` commands; a checkpoint
 * keeps the latest, and when a run resumes from that checkpoint (`fit`'s `resume` option) the
 * policy in the same position of `policies` gets it back as `restored`, so it goes on exactly
 * where it was.
 *
 * @example
 * ```ts
 * import type { PolicyContext } from '@gradstream/trainer';
 * const bestSoFar = (context?: PolicyContext) => (context?.restored as { best?: number } | undefined)?.best;
 * ```
 */
export interface PolicyContext {
  /** The state this policy last saved, when the run resumes from a checkpoint; otherwise undefined. */
  readonly restored?: JsonValue;
}

/**
 * Makes a {@link Policy} that reads only some event types: the run then skips building the
 * events nobody reads (a policy that reads only `epoch` events costs nothing per step).
 *
 * @example
 * ```ts
 * import { map, filter } from 'rxjs';
 * import { definePolicy } from '@gradstream/trainer';
 * const halveLrEachEpoch = definePolicy(['epoch'], (events$) =>
 *   events$.pipe(
 *     filter((e) => e.type === 'epoch'),
 *     map((e) => ({ type: 'setLr' as const, lr: e.lr / 2 })),
 *   ),
 * );
 * ```
 */
export function definePolicy(
  reads: readonly TrainEventType[],
  policy: (events$: Observable<TrainEvent>, context: PolicyContext) => Observable<TrainCommand>,
): Policy {
  return Object.assign((events$: Observable<TrainEvent>, context: PolicyContext = {}) => policy(events$, context), { reads: Object.freeze([...reads]) });
}
