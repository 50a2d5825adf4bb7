import { optionReader } from '../check-option.js';
import { checkTime, type LrSchedule } from './lr-schedule.js';

/**
 * Options of {@link exponentialDecay}.
 *
 * @example
 * ```ts
 * import type { ExponentialDecayOptions } from '@gradstream/trainer';
 * const o: ExponentialDecayOptions = { initial: 0.1, rate: 0.96, every: 100 };
 * ```
 */
export interface ExponentialDecayOptions {
  /** The rate at `t = 0` (positive). */
  readonly initial: number;
  /** Factor by which the rate shrinks over `every` units of `t`, in (0, 1]. */
  readonly rate: number;
  /** Units of `t` (steps or epochs) over which the rate shrinks by `rate` (default 1). */
  readonly every?: number;
}

/**
 * A smooth exponential schedule: `initial · rate^(t / every)` (TensorFlow's `ExponentialDecay`
 * without the staircase; use {@link stepDecay} for that). `t` counts steps or epochs —
 * whichever the caller feeds it — and `every` is in the same unit.
 *
 * @example
 * ```ts
 * import { exponentialDecay } from '@gradstream/trainer';
 * const lr = exponentialDecay({ initial: 0.1, rate: 0.5, every: 100 });
 * lr(0);   // 0.1
 * lr(50);  // ≈ 0.0707
 * lr(100); // 0.05
 * ```
 * @returns the schedule
 */
export function exponentialDecay(options: ExponentialDecayOptions): LrSchedule {
  const read = optionReader('exponentialDecay', options);
  const initial = read.number('initial', { above: 0 });
  const rate = read.number('rate', { above: 0, atMost: 1 });
  const every = read.number('every', { above: 0 }, 1);
  return (t) => {
    checkTime('exponentialDecay', t);
    return initial * rate ** (t / every);
  };
}
