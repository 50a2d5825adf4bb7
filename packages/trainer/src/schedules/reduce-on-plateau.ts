import { GradstreamError } from '@gradstream/tensor';
import { numberOption, optionReader } from '../check-option.js';

const NON_NEGATIVE = { atLeast: 0 } as const;

/**
 * Options of {@link reduceOnPlateau}.
 *
 * @example
 * ```ts
 * import type { ReduceOnPlateauOptions } from '@gradstream/trainer';
 * const o: ReduceOnPlateauOptions = { factor: 0.5, patience: 5 };
 * ```
 */
export interface ReduceOnPlateauOptions {
  /** Multiplier applied to the rate on a plateau, in (0, 1) (default 0.1). */
  readonly factor?: number;
  /** Updates without improvement before the rate drops, an integer ≥ 0 (default 10). */
  readonly patience?: number;
  /** A metric counts as better only when it is below the best by more than this (default 1e-4, ≥ 0). */
  readonly minDelta?: number;
  /** The rate never drops below this (default 0). */
  readonly minLr?: number;
}

/**
 * What {@link ReduceOnPlateau} remembers, as JSON.
 *
 * @example
 * ```ts
 * import type { PlateauState } from '@gradstream/trainer';
 * const fresh: PlateauState = { best: null, wait: 0 };
 * ```
 */
export interface PlateauState {
  /** The lowest metric seen so far, `null` before the first update. */
  readonly best: number | null;
  /** Updates since the last improvement or the last drop. */
  readonly wait: number;
}

/**
 * The stateful schedule made by {@link reduceOnPlateau}.
 *
 * @example
 * ```ts
 * import { reduceOnPlateau, type ReduceOnPlateau } from '@gradstream/trainer';
 * const plateau: ReduceOnPlateau = reduceOnPlateau({ patience: 3 });
 * ```
 */
export interface ReduceOnPlateau {
  /** Records one metric value (lower is better) and returns the rate to use from now on. */
  update(metric: number, lr: number): number;
  /** A JSON copy of the best metric and the wait count. */
  state(): PlateauState;
  /** Continues from a {@link PlateauState}; a malformed one is an `INVALID_OPTION` error. */
  setState(state: PlateauState): void;
}

/**
 * Lowers the learning rate when a metric stops improving, as Keras's `ReduceLROnPlateau` (mode
 * `min`, no cooldown): a metric improves when it is below the best so far by more than
 * `minDelta`; after `patience` updates in a row without improvement the rate becomes
 * `max(lr · factor, minLr)` and the count starts again. A NaN metric counts as no improvement.
 * Call `update` once per epoch with the validation loss, say, and the optimizer's current rate.
 *
 * @example
 * ```ts
 * import { reduceOnPlateau } from '@gradstream/trainer';
 * const plateau = reduceOnPlateau({ factor: 0.5, patience: 2 });
 * let lr = 0.1;
 * for (const loss of [1.0, 0.9, 0.9, 0.9]) lr = plateau.update(loss, lr);
 * lr; // 0.05: two updates without improvement after 0.9
 * ```
 * @returns a fresh plateau detector
 */
export function reduceOnPlateau(options: ReduceOnPlateauOptions = {}): ReduceOnPlateau {
  const read = optionReader('reduceOnPlateau', options);
  const factor = read.number('factor', { above: 0, below: 1 }, 0.1);
  const patience = read.number('patience', { atLeast: 0, integer: true }, 10);
  const minDelta = read.number('minDelta', { atLeast: 0 }, 1e-4);
  const minLr = read.number('minLr', { atLeast: 0 }, 0);
  let best = Infinity;
  let wait = 0;
  return {
    update(metric, lr) {
      numberOption('reduceOnPlateau.update', 'lr', lr, NON_NEGATIVE);
      if (metric < best - minDelta) {
        best = metric;
        wait = 0;
        return lr;
      }
      wait++;
      if (wait >= patience && lr > minLr) {
        wait = 0;
        return Math.max(lr * factor, minLr);
      }
      return lr;
    },
    state() {
      return { best: best === Infinity ? null : best, wait };
    },
    setState(state) {
      const owner = 'reduceOnPlateau.setState';
      if (typeof state !== 'object' || state === null) {
        throw new GradstreamError('INVALID_OPTION', `${owner}: expected { best, wait }, got ${JSON.stringify(state)}`, { got: state });
      }
      const r = optionReader(owner, state);
      const restoredBest = state.best === null ? Infinity : r.number('best', {});
      const restoredWait = r.number('wait', { atLeast: 0, integer: true });
      best = restoredBest;
      wait = restoredWait;
    },
  };
}
