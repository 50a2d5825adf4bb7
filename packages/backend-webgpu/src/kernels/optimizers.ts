import type { Kernels } from '@gradstream/tensor';
import type { GpuContext } from '../gpu-context.js';
import { elementwise } from './elementwise.js';

const SGD = elementwise('sgdUpdate', ['w', 'g'], [['lr', 'f32']], 'w[i] = w[i] + (-u.lr) * g[i];');
// sign(w) from two comparisons, as the TypeScript kernel: 0 for ±0 and NaN.
const PENALTY = elementwise('weightPenalty', ['w', 'g'], [['l1', 'f32'], ['l2', 'f32']], `let wi = w[i];
  let s = select(select(0.0, -1.0, wi < 0.0), 1.0, wi > 0.0);
  g[i] = g[i] + (u.l1 * s + u.l2 * wi);`);
const MOMENTUM = elementwise('momentumUpdate', ['w', 'g', 'v'], [['lr', 'f32'], ['momentum', 'f32'], ['nesterov', 'u32']], `let gi = g[i];
  let vi = u.momentum * v[i] + gi;
  v[i] = vi;
  if (u.nesterov != 0u) { w[i] = w[i] - u.lr * (gi + u.momentum * vi); } else { w[i] = w[i] - u.lr * vi; }`);
// The bias corrections are worked out once per step on the host, in float64, as the TypeScript
// kernel does; the GPU applies them per element.
const ADAM = elementwise(
  'adamUpdate',
  ['w', 'g', 'm', 'v'],
  [['keep', 'f32'], ['stepSize', 'f32'], ['correction2', 'f32'], ['beta1', 'f32'], ['oneMinusBeta1', 'f32'], ['beta2', 'f32'], ['oneMinusBeta2', 'f32'], ['epsilon', 'f32']],
  `var wi = w[i];
  if (u.keep != 1.0) { wi = wi * u.keep; }
  let gi = g[i];
  let mi = u.beta1 * m[i] + u.oneMinusBeta1 * gi;
  let vi = u.beta2 * v[i] + u.oneMinusBeta2 * gi * gi;
  m[i] = mi;
  v[i] = vi;
  w[i] = wi - (u.stepSize * mi) / (sqrt(vi) / u.correction2 + u.epsilon);`,
);

/**
 * The optimizers' updates and the weight penalty, one invocation per parameter, and the dropout
 * mask: drawn on the host from the run's generator (so a seeded run draws the same mask on every
 * backend), then written to the GPU.
 */
export function optimizerKernels(ctx: GpuContext): Pick<Kernels, 'sgdUpdate' | 'weightPenalty' | 'momentumUpdate' | 'adamUpdate' | 'dropoutMask'> {
  return {
    sgdUpdate: (w, g, lr) => ctx.run1d(SGD, [w, g], [w.length, lr], w.length),
    weightPenalty: (w, g, l1, l2) => ctx.run1d(PENALTY, [w, g], [g.length, l1, l2], g.length),
    momentumUpdate: (w, g, v, lr, momentum, nesterov) => ctx.run1d(MOMENTUM, [w, g, v], [w.length, lr, momentum, nesterov ? 1 : 0], w.length),
    adamUpdate: (w, g, m, v, lr, beta1, beta2, epsilon, weightDecay, t) => {
      const stepSize = lr / (1 - beta1 ** t);
      const correction2 = Math.sqrt(1 - beta2 ** t);
      ctx.run1d(ADAM, [w, g, m, v], [w.length, 1 - lr * weightDecay, stepSize, correction2, beta1, 1 - beta1, beta2, 1 - beta2, epsilon], w.length);
    },
    dropoutMask: (rng, rate, mask) => {
      const keep = 1 / (1 - rate);
      for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < rate ? 0 : keep;
      ctx.arrays.write(mask);
    },
  };
}
