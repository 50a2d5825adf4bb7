import { GradstreamError } from '@gradstream/tensor';
import type { EpochEvent } from '../events.js';
import { flattenMetrics } from '../streams.js';

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

/** A comparison that says whether `value` beats `best` by more than `minDelta`. */
export function improves(monitor: string, mode: MonitorMode, minDelta: number): (value: number, best: number | undefined) => boolean {
  const up = mode === 'max' || (mode === 'auto' && monitor.endsWith('accuracy'));
  return (value, best) => best === undefined || (up ? value > best + minDelta : value < best - minDelta);
}
