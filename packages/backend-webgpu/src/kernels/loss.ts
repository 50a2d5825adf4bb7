import type { Kernels } from '@gradstream/tensor';
import type { KernelSpec, UniformType } from '../dispatcher.js';
import { runWholeReduction, wholeReduction, type WholeReduction } from './whole-reduction.js';
import type { GpuContext } from '../gpu-context.js';
import { elementwise } from './elementwise.js';

/**
 * A loss over all `u.n` elements: `gs_term(p, t)` summed in a fixed order (by one invocation, or
 * a workgroup's tree for large arrays), then `loss[0] = scale · Σ / max(rows, 1)`. `term` defines
 * `fn gs_term(p: f32, t: f32) -> f32`.
 */
function lossReduction(name: string, extra: readonly (readonly [string, UniformType])[], term: string, scale = '1.0'): WholeReduction {
  return wholeReduction({
    name,
    arrays: ['pred', 'tgt', 'loss'],
    uniforms: [['rows', 'u32'], ...extra],
    prelude: term,
    term: 'gs_term(pred[j], tgt[j])',
    combine: 'A + B',
    zero: '0.0',
    finish: `loss[0] = (${scale} * r) / f32(max(u.rows, 1u));`,
  });
}

/**
 * A loss's backward, one invocation per element: `dPred[i] = (dLoss[0] / max(rows, 1)) · g`, with
 * `g` the derivative at `p = pred[i]`, `t = tgt[i]` (`grad` may end by assigning `g` itself, for
 * the cases where the product is not what the reference writes).
 */
function lossBackward(name: string, extra: readonly (readonly [string, UniformType])[], grad: string): KernelSpec {
  return elementwise(
    name,
    ['pred', 'tgt', 'dLoss', 'dPred'],
    [['rows', 'u32'], ...extra],
    `let k = dLoss[0] / f32(max(u.rows, 1u));
  let p = pred[i];
  let t = tgt[i];
  ${grad}`,
  );
}

const MSE = lossReduction('mse', [], 'fn gs_term(p: f32, t: f32) -> f32 { let d = p - t; return d * d; }', '0.5');
const MSE_BACKWARD = lossBackward('mseBackward', [], 'dPred[i] = k * (p - t);');

// max(z, 0) − z·y + log1p(e^(−|z|)): binary cross-entropy on logits, no exponential overflows.
const SIGMOID_CE = lossReduction('sigmoidCrossEntropy', [], 'fn gs_term(z: f32, y: f32) -> f32 { return max(z, 0.0) - z * y + gs_log1p(exp(-abs(z))); }');
const SIGMOID_CE_BACKWARD = lossBackward(
  'sigmoidCrossEntropyBackward',
  [],
  `let e = exp(-abs(p));
  let sigma = select(e / (1.0 + e), 1.0 / (1.0 + e), p >= 0.0);
  dPred[i] = k * (sigma - t);`,
);

const MAE = lossReduction('mae', [], 'fn gs_term(p: f32, t: f32) -> f32 { return abs(p - t); }');
// Compared, not subtracted (equal infinities are equal); equal values give +0 whatever k is.
const MAE_BACKWARD = lossBackward(
  'maeBackward',
  [],
  `var g = gs_nan();
  if (p > t) { g = k; } else if (p < t) { g = -k; } else if (p == t) { g = 0.0; }
  dPred[i] = g;`,
);

const HUBER = lossReduction(
  'huber',
  [['delta', 'f32']],
  `fn gs_term(p: f32, t: f32) -> f32 {
  let d = p - t;
  let a = abs(d);
  return select(u.delta * (a - 0.5 * u.delta), 0.5 * d * d, a <= u.delta);
}`,
);
const HUBER_BACKWARD = lossBackward(
  'huberBackward',
  [['delta', 'f32']],
  `let d = p - t;
  dPred[i] = k * select(select(d, -u.delta, d < -u.delta), u.delta, d > u.delta);`,
);

/**
 * The loss kernels of the contract: `mse`, `sigmoidCrossEntropy`, `mae` and `huber` (each a
 * single-workgroup, fixed-order reduction over every element into `loss[0]`, divided by `rows`)
 * and their backwards (one invocation per element, reading `dLoss[0]` on the GPU).
 */
export function lossKernels(ctx: GpuContext): Pick<Kernels, 'mse' | 'mseBackward' | 'sigmoidCrossEntropy' | 'sigmoidCrossEntropyBackward' | 'mae' | 'maeBackward' | 'huber' | 'huberBackward'> {
  return {
    mse: (pred, target, loss, rows) => runWholeReduction(ctx, MSE, [pred, target, loss], [pred.length, rows], pred.length),
    mseBackward: (pred, target, dLoss, dPred, rows) => ctx.run1d(MSE_BACKWARD, [pred, target, dLoss, dPred], [dPred.length, rows], dPred.length),
    sigmoidCrossEntropy: (logits, target, loss, rows) => runWholeReduction(ctx, SIGMOID_CE, [logits, target, loss], [logits.length, rows], logits.length),
    sigmoidCrossEntropyBackward: (logits, target, dLoss, dLogits, rows) =>
      ctx.run1d(SIGMOID_CE_BACKWARD, [logits, target, dLoss, dLogits], [dLogits.length, rows], dLogits.length),
    mae: (pred, target, loss, rows) => runWholeReduction(ctx, MAE, [pred, target, loss], [pred.length, rows], pred.length),
    maeBackward: (pred, target, dLoss, dPred, rows) => ctx.run1d(MAE_BACKWARD, [pred, target, dLoss, dPred], [dPred.length, rows], dPred.length),
    huber: (pred, target, loss, rows, delta) => runWholeReduction(ctx, HUBER, [pred, target, loss], [pred.length, rows, delta], pred.length),
    huberBackward: (pred, target, dLoss, dPred, rows, delta) => ctx.run1d(HUBER_BACKWARD, [pred, target, dLoss, dPred], [dPred.length, rows, delta], dPred.length),
  };
}
