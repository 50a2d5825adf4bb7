import { GradstreamError, axpy, type Tensor } from '@gradstream/tensor';
import type { Optimizer } from './optimizer.js';

/**
 * Options of {@link sgd}.
 *
 * @example
 * ```ts
 * import type { SgdOptions } from '@gradstream/trainer';
 * const o: SgdOptions = { lr: 0.1 };
 * ```
 */
export interface SgdOptions {
  /** Learning rate α (default 0.01). */
  readonly lr?: number;
}

/**
 * Plain gradient descent: `w ← w − α·∂L/∂w` for every parameter, in place.
 *
 * @example
 * ```ts
 * import { sgd } from '@gradstream/trainer';
 * const optimizer = sgd({ lr: 0.1 });
 * ```
 */
export function sgd(options: SgdOptions = {}): Optimizer {
  const lr = options.lr ?? 0.01;
  if (!(lr > 0) || !Number.isFinite(lr)) {
    throw new GradstreamError('INVALID_OPTION', `sgd: lr must be a positive finite number, got ${lr}`, { lr });
  }
  return {
    name: 'sgd',
    lr,
    step(params: readonly Tensor[], grads: readonly Tensor[]): void {
      for (let i = 0; i < params.length; i++) axpy(-this.lr, (grads[i] as Tensor).data, (params[i] as Tensor).data);
    },
    config() {
      return { name: 'sgd', lr: this.lr };
    },
    state() {
      return { name: 'sgd', config: { lr: this.lr }, steps: 0, slots: {} };
    },
    setState(state) {
      if (state.name !== 'sgd') {
        throw new GradstreamError('INVALID_OPTION', `sgd: cannot load the state of a "${state.name}" optimizer`, { name: state.name });
      }
      this.lr = Number(state.config.lr ?? this.lr);
    },
  };
}
