// The losses beyond MSE and softmax cross-entropy, forward and backward: sigmoid cross-entropy on
// logits, absolute error, Huber. (Kernel conventions: see elementwise.ts.) Each loss is the sum of
// its per-element terms over all n elements, divided by `rows` (0 counts as 1), as mse's.
//
// What can be done in float64 is, as in the reference: differences of two float32 are formed in
// float64 from exact promotions, so Huber's terms, and the whole of both absolute-error and Huber
// backward, equal the reference bit for bit (only the order of a sum's additions differs). Sigmoid
// cross-entropy needs e^x and log1p, which exist here only as float32 polynomials
// (unary-math.ts): its σ(z) and log1p(e^(−|z|)) are float32 within a few units, the rest float64.

import { demote4, expS, expV, hi64, log1pS, log1pV, lo64 } from './unary-math';
import { sumAbsDiff } from './reduce';

// @ts-ignore: decorator
@inline
function perRow(rows: i32): f64 {
  return <f64>(rows != 0 ? rows : 1);
}

// ---------------------------------------------------------------- sigmoid cross-entropy

/** log1p(e^(−|z|)) on 4 lanes, in float32: at most ln 2, so its error is small next to the loss. */
// @ts-ignore: decorator
@inline
function softTermV(z: v128): v128 {
  return log1pV(expV(f32x4.neg(f32x4.abs(z))));
}

/** (max(z, 0) − z·y) + term on two lanes in float64: z·y of two float32 is exact there. */
// @ts-ignore: decorator
@inline
function bceTerms(z: v128, y: v128, soft: v128): v128 {
  // pmax(0, z) would keep the 0 for a NaN z: test z ≤ 0 instead, so a NaN z is its own max.
  const m = v128.bitselect(f64x2.splat(0), z, f64x2.le(z, f64x2.splat(0)));
  return f64x2.add(f64x2.sub(m, f64x2.mul(z, y)), soft);
}

/** loss[0] = Σ_{i<n} (max(z, 0) − z·y + log1p(e^(−|z|))) / rows. */
export function sigmoidCrossEntropy(logits: usize, target: usize, loss: usize, n: i32, rows: i32): void {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
  const m: i32 = n > 0 ? n : 0;
  const end4 = <usize>(m & ~3) << 2, end = <usize>m << 2;
  let i: usize = 0;
  for (; i < end4; i += 16) {
    const z = v128.load(logits + i), y = v128.load(target + i);
    const soft = softTermV(z);
    a0 = f64x2.add(a0, bceTerms(lo64(z), lo64(y), lo64(soft)));
    a1 = f64x2.add(a1, bceTerms(hi64(z), hi64(y), hi64(soft)));
  }
  const v = f64x2.add(a0, a1);
  let s = f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
  for (; i < end; i += 4) {
    const zf = load<f32>(logits + i);
    const z = <f64>zf;
    const m = z <= 0 ? 0.0 : z;
    s += (m - z * <f64>load<f32>(target + i)) + <f64>log1pS(expS(-abs<f32>(zf)));
  }
  store<f32>(loss, <f32>(s / perRow(rows)));
}

/** σ(z) on 4 lanes in float32, with no exponential overflowing: 1/(1+t) or t/(1+t), t = e^(−|z|). */
// @ts-ignore: decorator
@inline
function sigmoidV(z: v128): v128 {
  const t = expV(f32x4.neg(f32x4.abs(z)));
  return f32x4.div(v128.bitselect(f32x4.splat(1), t, f32x4.ge(z, f32x4.splat(0))), f32x4.add(f32x4.splat(1), t));
}

/** dLogits[i] = (dLoss[0] / rows) · (σ(z) − y), i < n: σ in float32, the rest in float64. */
export function sigmoidCrossEntropyBackward(logits: usize, target: usize, dLoss: usize, dLogits: usize, n: i32, rows: i32): void {
  if (n <= 0) return;
  const k = <f64>load<f32>(dLoss) / perRow(rows);
  const kv = f64x2.splat(k);
  const end4 = <usize>(n & ~3) << 2, end = <usize>n << 2;
  let i: usize = 0;
  for (; i < end4; i += 16) {
    const s = sigmoidV(v128.load(logits + i)), y = v128.load(target + i);
    v128.store(dLogits + i, demote4(f64x2.mul(kv, f64x2.sub(lo64(s), lo64(y))), f64x2.mul(kv, f64x2.sub(hi64(s), hi64(y)))));
  }
  for (; i < end; i += 4) {
    const z = load<f32>(logits + i);
    const t = expS(-abs<f32>(z));
    const s = select<f32>(<f32>1, t, z >= 0) / (<f32>1 + t);
    store<f32>(dLogits + i, <f32>(k * (<f64>s - <f64>load<f32>(target + i))));
  }
}

// ---------------------------------------------------------------- absolute error

/** loss[0] = Σ_{i<n} |pred − target| / rows. */
export function mae(pred: usize, target: usize, loss: usize, n: i32, rows: i32): void {
  store<f32>(loss, <f32>(sumAbsDiff(pred, target, n) / perRow(rows)));
}

/**
 * dPred[i] = ±k by the sign of pred − target, +0 where equal, NaN where NaN (k = dLoss[0] / rows,
 * rounded to float32 once). The sign of a float32 difference needs no rounding, so this is exact.
 */
export function maeBackward(pred: usize, target: usize, dLoss: usize, dPred: usize, n: i32, rows: i32): void {
  if (n <= 0) return;
  const kf = <f32>(<f64>load<f32>(dLoss) / perRow(rows));
  const kv = f32x4.splat(kf), nkv = f32x4.splat(-kf), zero = f32x4.splat(0), nan = f32x4.splat(NaN);
  const end4 = <usize>(n & ~3) << 2, end = <usize>n << 2;
  let i: usize = 0;
  for (; i < end4; i += 16) {
    const p = v128.load(pred + i), t = v128.load(target + i);
    // Compared directly, not through p − t: the same order, and no overflow to decide it.
    let r = v128.bitselect(zero, nan, f32x4.eq(p, t));
    r = v128.bitselect(nkv, r, f32x4.lt(p, t));
    v128.store(dPred + i, v128.bitselect(kv, r, f32x4.gt(p, t)));
  }
  for (; i < end; i += 4) {
    const p = load<f32>(pred + i), t = load<f32>(target + i);
    store<f32>(dPred + i, p > t ? kf : p < t ? -kf : p == t ? <f32>0 : <f32>NaN);
  }
}

// ---------------------------------------------------------------- Huber

/** h(d) on two float64 lanes: ½d² where |d| ≤ δ, δ·(|d| − ½δ) beyond (NaN fails ≤ and stays NaN). */
// @ts-ignore: decorator
@inline
function huberTerms(d: v128, delta: v128, halfDelta: v128): v128 {
  const a = f64x2.abs(d);
  const quad = f64x2.mul(f64x2.mul(f64x2.splat(0.5), d), d);
  const lin = f64x2.mul(delta, f64x2.sub(a, halfDelta));
  return v128.bitselect(quad, lin, f64x2.le(a, delta));
}

/** loss[0] = Σ_{i<n} h(pred − target) / rows. */
export function huber(pred: usize, target: usize, loss: usize, n: i32, rows: i32, delta: f64): void {
  const dv = f64x2.splat(delta), hv = f64x2.splat(0.5 * delta);
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
  const m: i32 = n > 0 ? n : 0;
  const end4 = <usize>(m & ~3) << 2, end = <usize>m << 2;
  let i: usize = 0;
  for (; i < end4; i += 16) {
    const p = v128.load(pred + i), t = v128.load(target + i);
    a0 = f64x2.add(a0, huberTerms(f64x2.sub(lo64(p), lo64(t)), dv, hv));
    a1 = f64x2.add(a1, huberTerms(f64x2.sub(hi64(p), hi64(t)), dv, hv));
  }
  const v = f64x2.add(a0, a1);
  let s = f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
  for (; i < end; i += 4) {
    const d = <f64>load<f32>(pred + i) - <f64>load<f32>(target + i);
    const a = abs<f64>(d);
    s += a <= delta ? (0.5 * d) * d : delta * (a - 0.5 * delta);
  }
  store<f32>(loss, <f32>(s / perRow(rows)));
}

/** dPred[i] = (dLoss[0] / rows) · clamp(pred − target, −δ, δ), in float64 and rounded once. */
export function huberBackward(pred: usize, target: usize, dLoss: usize, dPred: usize, n: i32, rows: i32, delta: f64): void {
  if (n <= 0) return;
  const k = <f64>load<f32>(dLoss) / perRow(rows);
  const kv = f64x2.splat(k), dv = f64x2.splat(delta), ndv = f64x2.splat(-delta);
  const end4 = <usize>(n & ~3) << 2, end = <usize>n << 2;
  let i: usize = 0;
  for (; i < end4; i += 16) {
    const p = v128.load(pred + i), t = v128.load(target + i);
    const d0 = f64x2.sub(lo64(p), lo64(t)), d1 = f64x2.sub(hi64(p), hi64(t));
    // Selects rather than min/max: a NaN difference falls through both tests and stays NaN.
    const c0 = v128.bitselect(dv, v128.bitselect(ndv, d0, f64x2.lt(d0, ndv)), f64x2.gt(d0, dv));
    const c1 = v128.bitselect(dv, v128.bitselect(ndv, d1, f64x2.lt(d1, ndv)), f64x2.gt(d1, dv));
    v128.store(dPred + i, demote4(f64x2.mul(kv, c0), f64x2.mul(kv, c1)));
  }
  for (; i < end; i += 4) {
    const d = <f64>load<f32>(pred + i) - <f64>load<f32>(target + i);
    store<f32>(dPred + i, <f32>(k * (d > delta ? delta : d < -delta ? -delta : d)));
  }
}
