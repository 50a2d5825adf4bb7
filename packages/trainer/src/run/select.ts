import { filter, type Observable } from 'rxjs';
import type { TrainEvent, TrainEventType } from '../events.js';
import type { Reads } from './interest.js';

/** How to subscribe to a run of `fit` reading only some of its events. */
type Selector = (reads: Reads) => Observable<TrainEvent>;

const selectors = new WeakMap<Observable<TrainEvent>, Selector>();

/** Links the Observable `fit` returns to its selector. */
export function registerSelector(run$: Observable<TrainEvent>, selector: Selector): void {
  selectors.set(run$, selector);
}

/**
 * The events of the given types (plus `end` and `error`). On the Observable `fit` returns, the
 * run learns what is read, and skips building what nobody reads (per-step batch events, gradient
 * copies); on any other event stream (events from a worker, parsed JSON) it filters.
 */
export function selectEvents(events$: Observable<TrainEvent>, reads: Reads & { readonly types: readonly TrainEventType[] }): Observable<TrainEvent> {
  const selector = selectors.get(events$);
  if (selector !== undefined) return selector(reads);
  const set = new Set<TrainEventType>([...reads.types, 'end', 'error']);
  return events$.pipe(filter((e) => set.has(e.type)));
}
