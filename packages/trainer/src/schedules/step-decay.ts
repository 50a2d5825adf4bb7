import { optionReader } from '../check-option.js';
import { checkTime, type LrSchedule } from './lr-schedule.js';

/**
 * Options of {@link stepDecay}.
 *
 * @example
 * ```ts
 * import type { StepDecayOptions } from '@gradstream/trainer';
 * const o: StepDecayOptions = { initial: 0.1, factor: 0.5, every: 10 };
 * ```
 */
export interface StepDecayOptions {
  /** The rate at `t = 0` (positive). */
  readonly initial: number;
  /** Multiplier applied at each drop, in (0, 1]. */
  readonly factor: number;
  /** Length of each stage, in the unit of `t` (steps or epochs; positive). */
  readonly every: number;
}

/**
 * A staircase schedule: `initial · factor^⌊t / every⌋`. The rate holds for `every` units of `t`,
 * then drops by `factor`. `t` counts steps or epochs — whichever the caller feeds it — and
 * `every` is in the same unit.
 *
 * @example
 * ```ts
 * import { stepDecay } from '@gradstream/trainer';
 * const lr = stepDecay({ initial: 0.1, factor: 0.5, every: 10 });
 * lr(0); lr(9); // 0.1 0.1
 * lr(10);       // 0.05
 * ```
 * @returns the schedule
 */
export function stepDecay(options: StepDecayOptions): LrSchedule {
  const read = optionReader('stepDecay', options);
  const initial = read.number('initial', { above: 0 });
  const factor = read.number('factor', { above: 0, atMost: 1 });
  const every = read.number('every', { above: 0 });
  return (t) => {
    checkTime('stepDecay', t);
    return initial * factor ** Math.floor(t / every);
  };
}
