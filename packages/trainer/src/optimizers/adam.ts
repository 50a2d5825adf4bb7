import type { OptionReader } from '../check-option.js';
import { LR, STEP, createOptimizer, type UpdateRule } from './create-optimizer.js';
import type { Optimizer } from './optimizer.js';

/**
 * Options of {@link adam}.
 *
 * @example
 * ```ts
 * import type { AdamOptions } from '@gradstream/trainer';
 * const o: AdamOptions = { lr: 0.01, beta2: 0.99 };
 * ```
 */
export interface AdamOptions {
  /** Learning rate α (default 0.001). */
  readonly lr?: number;
  /** Decay rate of the first moment (mean of the gradients), in [0, 1) (default 0.9). */
  readonly beta1?: number;
  /** Decay rate of the second moment (mean of the squared gradients), in [0, 1) (default 0.999). */
  readonly beta2?: number;
  /** Added to the root of the second moment so the step stays finite (default 1e-8, positive). */
  readonly epsilon?: number;
  /** Clip the gradients to this global norm before each step (see {@link clipGlobalNorm}); default: no clipping. */
  readonly clipNorm?: number;
}

/** Adam's hyperparameters besides the learning rate. */
export interface AdamSettings extends Record<string, number | boolean> {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

/** Reads and validates β₁, β₂ and ε (shared by Adam and AdamW). */
export function readAdamSettings(read: OptionReader): AdamSettings {
  return {
    beta1: read.number('beta1', { atLeast: 0, below: 1 }, 0.9),
    beta2: read.number('beta2', { atLeast: 0, below: 1 }, 0.999),
    epsilon: read.number('epsilon', { above: 0 }, 1e-8),
  };
}

const rule: UpdateRule<AdamSettings> = {
  name: 'adam',
  defaultLr: 0.001,
  slots: ['m', 'v'],
  keys: ['beta1', 'beta2', 'epsilon'],
  settings: readAdamSettings,
  call: (w, g, [m, v], s) => ({ kernel: 'adamUpdate', args: [w, g, m, v, LR, s.beta1, s.beta2, s.epsilon, 0, STEP] }),
};

/**
 * Adam (Kingma & Ba, 2015) with bias correction, as PyTorch's `Adam`: per parameter, running means
 * of the gradient (`m`) and of its square (`v`) scale each weight's step, so every weight moves by
 * about `α` at most per step whatever the size of its gradient (the first step moves each weight by
 * `α·sign(g)`). The moment buffers are made on the first step, typed and sized like the parameters.
 *
 * @example
 * ```ts
 * import { adam } from '@gradstream/trainer';
 * // fit(model, data, { epochs: 200, optimizer: adam({ lr: 0.01 }) });
 * const optimizer = adam({ lr: 0.01 });
 * ```
 */
export function adam(options: AdamOptions = {}): Optimizer {
  return createOptimizer(rule, options);
}
