import { GradstreamError } from '@gradstream/tensor';
import { optionReader } from '../check-option.js';
import { checkTime, type LrSchedule } from './lr-schedule.js';

/**
 * Options of {@link cosineDecay}.
 *
 * @example
 * ```ts
 * import type { CosineDecayOptions } from '@gradstream/trainer';
 * const o: CosineDecayOptions = { initial: 0.01, minimum: 0.0001, period: 1000 };
 * ```
 */
export interface CosineDecayOptions {
  /** The rate at `t = 0` (positive). */
  readonly initial: number;
  /** The rate at and after `t = period`, in [0, initial] (default 0). */
  readonly minimum?: number;
  /** Length of the decay, in the unit of `t` (steps or epochs; positive). */
  readonly period: number;
}

/**
 * Cosine annealing without restarts (Loshchilov & Hutter's SGDR curve, TensorFlow's `CosineDecay`):
 * `minimum + (initial − minimum) · (1 + cos(π·t/period)) / 2` for `t < period`, then `minimum`.
 * `period` is counted in the unit of `t`: feed it the step count for a per-step decay (the usual
 * choice, `period` = total steps) or the epoch count for a per-epoch one.
 *
 * @example
 * ```ts
 * import { cosineDecay } from '@gradstream/trainer';
 * const lr = cosineDecay({ initial: 0.1, period: 100 });
 * lr(0);   // 0.1
 * lr(50);  // 0.05
 * lr(100); // 0
 * ```
 * @returns the schedule
 */
export function cosineDecay(options: CosineDecayOptions): LrSchedule {
  const read = optionReader('cosineDecay', options);
  const initial = read.number('initial', { above: 0 });
  const minimum = read.number('minimum', { atLeast: 0 }, 0);
  const period = read.number('period', { above: 0 });
  if (minimum > initial) {
    throw new GradstreamError('INVALID_OPTION', `cosineDecay: minimum must be at most initial (${initial}), got ${minimum}`, {
      option: 'minimum',
      value: minimum,
      initial,
    });
  }
  return (t) => {
    checkTime('cosineDecay', t);
    if (t >= period) return minimum;
    return minimum + ((initial - minimum) * (1 + Math.cos((Math.PI * t) / period))) / 2;
  };
}
