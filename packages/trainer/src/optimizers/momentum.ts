import { GradstreamError } from '@gradstream/tensor';
import { createOptimizer, type UpdateRule } from './create-optimizer.js';
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
  update(w, g, slots, lr, _t, s) {
    const v = slots[0] as typeof w;
    const mu = s.momentum;
    if (s.nesterov) {
      for (let i = 0; i < w.length; i++) {
        const gi = g[i] as number;
        const vi = mu * (v[i] as number) + gi;
        v[i] = vi;
        w[i] = (w[i] as number) - lr * (gi + mu * vi);
      }
    } else {
      for (let i = 0; i < w.length; i++) {
        const vi = mu * (v[i] as number) + (g[i] as number);
        v[i] = vi;
        w[i] = (w[i] as number) - lr * vi;
      }
    }
  },
  // update as source, the branch on nesterov taken once here
  source: (w, g, [v], size, s) =>
    `const mu = ${s.momentum}; for (let i = 0; i < ${size}; i++) { const gi = ${g}[i]; const vi = mu * ${v}[i] + gi; ${v}[i] = vi; ` +
    (s.nesterov ? `${w}[i] = ${w}[i] - lr * (gi + mu * vi); }` : `${w}[i] = ${w}[i] - lr * vi; }`),
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
