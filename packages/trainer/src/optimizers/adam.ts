import type { TypedArray } from '@gradstream/tensor';
import type { OptionReader } from '../check-option.js';
import { createOptimizer, type UpdateRule } from './create-optimizer.js';
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

/**
 * One bias-corrected Adam step on one parameter, in place, in PyTorch's order of operations:
 * `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `w ← w − (α/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + ε)`.
 */
export function adamUpdate(w: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, lr: number, t: number, s: AdamSettings): void {
  const { beta1, beta2, epsilon } = s;
  const stepSize = lr / (1 - beta1 ** t);
  const correction2 = Math.sqrt(1 - beta2 ** t);
  for (let i = 0; i < w.length; i++) {
    const gi = g[i] as number;
    const mi = beta1 * (m[i] as number) + (1 - beta1) * gi;
    const vi = beta2 * (v[i] as number) + (1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    w[i] = (w[i] as number) - (stepSize * mi) / (Math.sqrt(vi) / correction2 + epsilon);
  }
}

const rule: UpdateRule<AdamSettings> = {
  name: 'adam',
  defaultLr: 0.001,
  slots: ['m', 'v'],
  keys: ['beta1', 'beta2', 'epsilon'],
  settings: readAdamSettings,
  update(w, g, slots, lr, t, s) {
    adamUpdate(w, g, slots[0] as TypedArray, slots[1] as TypedArray, lr, t, s);
  },
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
