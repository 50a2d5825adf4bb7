import { GradstreamError } from '@gradstream/tensor';
import { LR, createOptimizer, type UpdateRule } from './create-optimizer.js';
import type { Optimizer } from './optimizer.js';

/**
 * Options of {@link momentum}.
 *
 * @example
 * ```ts
 * import type { MomentumOptions } from '@gradstream/trainer';
 * const o: MomentumOptions = { lr: 0.05, momentum: 0.9, nesterov: true };
 * ```
 */
export interface MomentumOptions {
  /** Learning rate α (required, positive). */
  readonly lr: number;
  /** Momentum μ in [0, 1) (default 0.9). */
  readonly momentum?: number;
  /** Use Nesterov's look-ahead form (default false; needs μ > 0). */
  readonly nesterov?: boolean;
  /** Clip the gradients to this global norm before each step (see {@link clipGlobalNorm}); default: no clipping. */
  readonly clipNorm?: number;
}

interface MomentumSettings extends Record<string, number | boolean> {
  readonly momentum: number;
  readonly nesterov: boolean;
}

const rule: UpdateRule<MomentumSettings> = {
  name: 'momentum',
  defaultLr: undefined,
  slots: ['velocity'],
  keys: ['momentum', 'nesterov'],
  settings(read) {
    const mu = read.number('momentum', { atLeast: 0, below: 1 }, 0.9);
    const nesterov = read.boolean('nesterov', false);
    // With μ = 0 the look-ahead term vanishes; PyTorch rejects the combination as a likely mistake, and so do we.
    if (nesterov && mu === 0) {
      throw new GradstreamError('INVALID_OPTION', 'momentum: nesterov needs a momentum in (0, 1), got 0', { option: 'momentum', value: 0 });
    }
    return { momentum: mu, nesterov };
  },
  call: (w, g, [v], s) => ({ kernel: 'momentumUpdate', args: [w, g, v, LR, s.momentum, s.nesterov] }),
};

/**
 * Gradient descent with momentum, as PyTorch's `SGD(momentum=μ)`: a velocity per parameter
 * accumulates the gradients, `v ← μ·v + g`, and the step follows it, `w ← w − α·v`. With
 * `nesterov: true` the step looks ahead along the new velocity: `w ← w − α·(g + μ·v)`.
 * The velocities start at zero, so the first step is plain gradient descent.
 *
 * @example
 * ```ts
 * import { fit, momentum } from '@gradstream/trainer';
 * // fit(model, data, { epochs: 100, optimizer: momentum({ lr: 0.05, momentum: 0.9 }) });
 * const optimizer = momentum({ lr: 0.05 });
 * ```
 */
export function momentum(options: MomentumOptions): Optimizer {
  return createOptimizer(rule, options);
}
