import { filter, map, type Observable } from 'rxjs';
import type { BatchEvent, TrainEvent } from '../events.js';
import type { CommandObject } from '../run/commands.js';
import { GradstreamError } from '@gradstream/tensor';
import { describeValue } from '../check-option.js';
import { definePolicy, type Policy } from './policy.js';

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

/** A threshold option: a number (Infinity, the default, is no threshold), checked before any batch is compared with it. */
function threshold(option: string, value: unknown): number {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new GradstreamError('INVALID_OPTION', `divergenceGuard: ${option} must be a number, got ${describeValue(value)}`, { option });
  }
  return value;
}

/** What crossed a threshold on a batch, as a `diverge` command, or undefined. */
function crossed(e: BatchEvent, maxLoss: number, maxNorm: number): CommandObject | undefined {
  if (e.loss > maxLoss) return { type: 'diverge', where: `loss ${e.loss} above maxLoss ${maxLoss}` };
  for (const [id, norm] of Object.entries(e.gradNorms)) {
    if (norm > maxNorm) {
      return { type: 'diverge', where: `gradient norm of ${id} ${norm} above maxGradNorm ${maxNorm}`, node: id.slice(0, id.lastIndexOf('.')) };
    }
  }
  return undefined;
}

/**
 * A policy that ends a run with reason `diverged` as soon as a batch's loss or a gradient norm
 * crosses a threshold. It acts on the `batch` event, before that batch's update, so the
 * parameters kept are the last good ones; the `end` event's `divergence` names the step, what
 * crossed, and for a gradient norm the node. (Non-finite losses and gradients end every run this
 * way without a guard.)
 *
 * @example
 * ```ts
 * import { divergenceGuard, fit } from '@gradstream/trainer';
 * // fit(model, data, { epochs: 100, policies: [divergenceGuard({ maxLoss: 1e3 })] }).subscribe();
 * ```
 */
export function divergenceGuard(options: DivergenceGuardOptions = {}): Policy {
  const maxLoss = threshold('maxLoss', options.maxLoss);
  const maxNorm = threshold('maxGradNorm', options.maxGradNorm);
  return definePolicy(['batch'], (events$: Observable<TrainEvent>) =>
    events$.pipe(
      map((e) => (e.type === 'batch' ? crossed(e, maxLoss, maxNorm) : undefined)),
      filter((c): c is CommandObject => c !== undefined),
    ),
  );
}
