import { GradstreamError } from '@gradstream/tensor';
import type { EpochEvent } from '../events.js';
import { flattenMetrics } from '../streams.js';
import { describeValue, numberOption } from '../check-option.js';

/**
 * Which way a monitored value improves. `auto`: up for accuracy, down for everything else.
 *
 * @example
 * ```ts
 * import type { MonitorMode } from '@gradstream/trainer';
 * const mode: MonitorMode = 'max';
 * ```
 */
export type MonitorMode = 'min' | 'max' | 'auto';

/**
 * A policy's `monitor` option, checked when the policy is made: a name of what epoch events report
 * (`loss`, `val_loss`, `accuracy`, …). Anything else would fail the run later with a TypeError.
 *
 * @example
 * ```ts
 * monitorOption('earlyStopping', 'val_loss'); // 'val_loss'
 * ```
 */
export function monitorOption(owner: string, monitor: unknown): string {
  if (typeof monitor !== 'string') {
    throw new GradstreamError('INVALID_OPTION', `${owner}: monitor must be the name of a reported value such as 'val_loss', got ${describeValue(monitor)}`, {
      option: 'monitor',
    });
  }
  return monitor;
}

/** Reads a monitored value (`loss`, `val_loss`, `accuracy`, `val_accuracy`, …) off an epoch event. */
export function monitored(owner: string, monitor: string, e: EpochEvent): number {
  const values = flattenMetrics(e);
  const v = values[monitor];
  if (v === undefined) {
    throw new GradstreamError(
      'INVALID_OPTION',
      `${owner}: monitor "${monitor}" is not reported; epoch ${e.epoch} has ${Object.keys(values).filter((k) => k !== 'epoch').join(', ')}` +
        (monitor.startsWith('val_') ? ' (pass validation data to fit)' : ''),
      { monitor },
    );
  }
  return v;
}

/**
 * A comparison that says whether `value` beats `best` by more than `minDelta`. `mode` and
 * `minDelta` are the policy's options (`owner` names it in errors), checked here: compared with
 * numbers on every epoch, anything but a number would fail the run or never improve.
 */
export function improves(owner: string, monitor: string, modeOption: unknown = 'auto', minDeltaOption: unknown = 0): (value: number, best: number | undefined) => boolean {
  if (modeOption !== 'min' && modeOption !== 'max' && modeOption !== 'auto') {
    throw new GradstreamError('INVALID_OPTION', `${owner}: mode must be 'min', 'max' or 'auto', got ${describeValue(modeOption)}`, { option: 'mode' });
  }
  const mode: MonitorMode = modeOption;
  const minDelta = numberOption(owner, 'minDelta', minDeltaOption, {});
  const up = mode === 'max' || (mode === 'auto' && monitor.endsWith('accuracy'));
  return (value, best) => best === undefined || (up ? value > best + minDelta : value < best - minDelta);
}
