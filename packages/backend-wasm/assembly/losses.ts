// Halved mean squared error, forward and backward. (Kernel conventions: see elementwise.ts.)
// Both work in float64 like the reference: the forward's sum from exactly promoted floats (only
// the order of additions differs), the backward's k·(pred − target) rounded once, which makes it
// equal to the reference bit for bit.

import { demote4, hi64, lo64 } from './unary-math';
import { sumSquaredDiff } from './reduce';

/**
 * loss[0] = ½ · Σ_{i<n} (pred[i] − target[i])² / rows (rows = 0 counts as 1): the sum runs over all
 * n elements of the batch, `rows` samples of any width.
 */
export function mse(pred: usize, target: usize, loss: usize, n: i32, rows: i32): void {
  const s = sumSquaredDiff(pred, target, n);
  store<f32>(loss, <f32>((0.5 * s) / <f64>(rows != 0 ? rows : 1)));
}

/** dPred[i] = (dLoss[0] / rows) · (pred[i] − target[i]), i < n (rows = 0 counts as 1). */
export function mseBackward(pred: usize, target: usize, dLoss: usize, dPred: usize, n: i32, rows: i32): void {
  if (n <= 0) return;
  const k = <f64>load<f32>(dLoss) / <f64>(rows != 0 ? rows : 1);
  const kv = f64x2.splat(k);
  const end4 = <usize>(n & ~3) << 2, end = <usize>n << 2;
  let i: usize = 0;
  for (; i < end4; i += 16) {
    const p = v128.load(pred + i), t = v128.load(target + i);
    v128.store(dPred + i, demote4(f64x2.mul(kv, f64x2.sub(lo64(p), lo64(t))), f64x2.mul(kv, f64x2.sub(hi64(p), hi64(t)))));
  }
  for (; i < end; i += 4) store<f32>(dPred + i, <f32>(k * (<f64>load<f32>(pred + i) - <f64>load<f32>(target + i))));
}
