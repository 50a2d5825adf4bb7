import { LR, createOptimizer, type UpdateRule } from './create-optimizer.js';
import type { Optimizer } from './optimizer.js';

/**
 * Options of {@link sgd}.
 *
 * @example
 * ```ts
 * import type { SgdOptions } from '@gradstream/trainer';
 * const o: SgdOptions = { lr: 0.1, clipNorm: 1 };
 * ```
 */
export interface SgdOptions {
  /** Learning rate α (default 0.01). */
  readonly lr?: number;
  /** Clip the gradients to this global norm before each step (see {@link clipGlobalNorm}); default: no clipping. */
  readonly clipNorm?: number;
}

const rule: UpdateRule<Record<string, never>> = {
  name: 'sgd',
  defaultLr: 0.01,
  slots: [],
  keys: [],
  settings: () => ({}),
  call: (w, g) => ({ kernel: 'sgdUpdate', args: [w, g, LR] }),
};

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
  return createOptimizer(rule, options);
}
