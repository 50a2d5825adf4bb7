import type { Tensor } from '@gradstream/tensor';

/**
 * The one interface every optimizer follows. `step` updates each parameter in place from its
 * gradient (the two arrays are aligned) and allocates nothing.
 *
 * @example
 * ```ts
 * import type { Optimizer } from '@gradstream/trainer';
 * import { axpy } from '@gradstream/tensor';
 * const plain: Optimizer = {
 *   name: 'plain', lr: 0.1,
 *   step(params, grads) { params.forEach((p, i) => axpy(-this.lr, grads[i]!.data, p.data)); },
 *   config() { return { name: 'plain', lr: this.lr }; },
 * };
 * ```
 */
export interface Optimizer {
  /** Short name, e.g. `'sgd'`. */
  readonly name: string;
  /** The learning rate; schedules may change it between steps. */
  lr: number;
  /** Updates `params[i]` in place from `grads[i]`. */
  step(params: readonly Tensor[], grads: readonly Tensor[]): void;
  /** The optimizer's settings as a plain object (for the `start` event and checkpoints). */
  config(): Readonly<Record<string, unknown>>;
}
