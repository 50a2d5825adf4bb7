import { readAdamSettings, type AdamOptions, type AdamSettings } from './adam.js';
import { LR, STEP, createOptimizer, type UpdateRule } from './create-optimizer.js';
import type { Optimizer } from './optimizer.js';

/**
 * Options of {@link adamw}: those of {@link adam} and the weight decay.
 *
 * @example
 * ```ts
 * import type { AdamWOptions } from '@gradstream/trainer';
 * const o: AdamWOptions = { lr: 0.01, weightDecay: 0.05 };
 * ```
 */
export interface AdamWOptions extends AdamOptions {
  /** Decoupled weight decay λ ≥ 0 (default 0.01): each step first shrinks `w` by the factor `1 − α·λ`. */
  readonly weightDecay?: number;
}

interface AdamWSettings extends AdamSettings {
  readonly weightDecay: number;
}

const rule: UpdateRule<AdamWSettings> = {
  name: 'adamw',
  defaultLr: 0.001,
  slots: ['m', 'v'],
  keys: ['beta1', 'beta2', 'epsilon', 'weightDecay'],
  settings: (read) => ({ ...readAdamSettings(read), weightDecay: read.number('weightDecay', { atLeast: 0 }, 0.01) }),
  // Decoupled decay: the kernel shrinks w by 1 − lr·λ before the Adam step, never through the gradient.
  call: (w, g, [m, v], s) => ({ kernel: 'adamUpdate', args: [w, g, m, v, LR, s.beta1, s.beta2, s.epsilon, s.weightDecay, STEP] }),
};

/**
 * AdamW (Loshchilov & Hutter, 2019), as PyTorch's `AdamW`: each step first decays every weight,
 * `w ← w − α·λ·w`, then takes the bias-corrected {@link adam} step. Unlike an L2 penalty added to
 * the loss, the decay does not pass through Adam's moment estimates.
 *
 * @example
 * ```ts
 * import { adamw } from '@gradstream/trainer';
 * const optimizer = adamw({ lr: 0.01, weightDecay: 0.01 });
 * ```
 */
export function adamw(options: AdamWOptions = {}): Optimizer {
  return createOptimizer(rule, options);
}
