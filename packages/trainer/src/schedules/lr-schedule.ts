import { numberOption, type OptionRange } from '../check-option.js';

/**
 * A learning-rate schedule: a pure function from a time `t ≥ 0` (a step or epoch count, counted
 * from 0) to the learning rate at that time. The same `t` always gives the same rate, so a
 * resumed run needs only its step or epoch count to pick the schedule up again.
 *
 * @example
 * ```ts
 * import type { LrSchedule } from '@gradstream/trainer';
 * const warmup: LrSchedule = (t) => 0.01 * Math.min(1, (t + 1) / 100);
 * ```
 */
export type LrSchedule = (t: number) => number;

const TIME: OptionRange = { atLeast: 0 };

/** Checks the time a schedule is called with (a NaN or negative step is a caller's bug worth naming). */
export function checkTime(owner: string, t: number): void {
  if (!(t >= 0) || t === Infinity) numberOption(owner, 't', t, TIME);
}
