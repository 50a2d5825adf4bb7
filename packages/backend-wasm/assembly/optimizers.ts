// Optimizer steps, in place on one parameter of n floats. (Kernel conventions: see elementwise.ts.)
//
// sgdUpdate, weightPenalty and momentumUpdate are evaluated in float64 exactly as the reference
// writes them (the rates and momentum are float64, and momentum's w update uses the unrounded
// velocity), so they equal it bit for bit. The float64 halves (promote, shuffle, demote) make them ~3× slower
// than a float32 loop would be, still faster than the reference, on a kernel that runs once per
// parameter per step.
// adamUpdate has two divisions and a square root per element: in float64 lanes it measured 3.5×
// slower (2.6 vs 0.73 ns per element), so it runs in float32, its per-call scalars (bias
// corrections, decay factor) formed in float64 once and rounded to float32. Results are within a
// few ulps of the terms (w, the step, β·m, (1−β)·g); w − step can cancel, so relative to a tiny
// result the difference can be larger.

import { demote4, hi64, lo64 } from './unary-math';

/** `w[i] ← w[i] − lr·g[i]`, i < n (as the reference: w + (−lr)·g in float64, rounded once). */
export function sgdUpdate(w: usize, g: usize, n: i32, lr: f64): void {
  if (n <= 0) return;
  const a = -lr;
  const av = f64x2.splat(a);
  const end4 = <usize>(n & ~3) << 2, end = <usize>n << 2;
  let i: usize = 0;
  for (; i < end4; i += 16) {
    const wv = v128.load(w + i), gv = v128.load(g + i);
    v128.store(w + i, demote4(f64x2.add(lo64(wv), f64x2.mul(av, lo64(gv))), f64x2.add(hi64(wv), f64x2.mul(av, hi64(gv)))));
  }
  for (; i < end; i += 4) store<f32>(w + i, <f32>(<f64>load<f32>(w + i) + a * <f64>load<f32>(g + i)));
}

/**
 * `g[i] ← g[i] + l1·sign(w[i]) + l2·w[i]`, i < n, sign(±0) = sign(NaN) = 0: the gradient of the
 * weight penalty, added before an optimizer step. Float64 in the reference's order (the penalty
 * term first, then the sum), rounded once, so it equals the reference bit for bit.
 */
export function weightPenalty(w: usize, g: usize, n: i32, l1: f64, l2: f64): void {
  if (n <= 0) return;
  const l1v = f64x2.splat(l1), l2v = f64x2.splat(l2), one = f64x2.splat(1), zero = f64x2.splat(0);
  const end4 = <usize>(n & ~3) << 2, end = <usize>n << 2;
  let i: usize = 0;
  for (; i < end4; i += 16) {
    const wv = v128.load(w + i), gv = v128.load(g + i);
    const w0 = lo64(wv), w1 = hi64(wv);
    // sign from two comparisons (false on NaN): 1 − 0, 0 − 1 or 0 − 0
    const s0 = f64x2.sub(v128.and(f64x2.gt(w0, zero), one), v128.and(f64x2.lt(w0, zero), one));
    const s1 = f64x2.sub(v128.and(f64x2.gt(w1, zero), one), v128.and(f64x2.lt(w1, zero), one));
    v128.store(g + i, demote4(
      f64x2.add(lo64(gv), f64x2.add(f64x2.mul(l1v, s0), f64x2.mul(l2v, w0))),
      f64x2.add(hi64(gv), f64x2.add(f64x2.mul(l1v, s1), f64x2.mul(l2v, w1))),
    ));
  }
  for (; i < end; i += 4) {
    const wi = <f64>load<f32>(w + i);
    const s: f64 = wi > 0 ? 1 : wi < 0 ? -1 : 0;
    store<f32>(g + i, <f32>(<f64>load<f32>(g + i) + (l1 * s + l2 * wi)));
  }
}

/**
 * Momentum step as PyTorch's SGD(momentum=μ): v ← μ·v + g, then w ← w − lr·v, or with Nesterov's
 * look-ahead (nesterov ≠ 0) w ← w − lr·(g + μ·v). Float64, the new v rounded for storage only.
 */
export function momentumUpdate(w: usize, g: usize, v: usize, n: i32, lr: f64, momentum: f64, nesterov: i32): void {
  if (n <= 0) return;
  const mu = f64x2.splat(momentum), lrv = f64x2.splat(lr);
  const end4 = <usize>(n & ~3) << 2, end = <usize>n << 2;
  let i: usize = 0;
  if (nesterov) {
    for (; i < end4; i += 16) {
      const gv = v128.load(g + i), vv = v128.load(v + i), wv = v128.load(w + i);
      const g0 = lo64(gv), g1 = hi64(gv);
      const v0 = f64x2.add(f64x2.mul(mu, lo64(vv)), g0), v1 = f64x2.add(f64x2.mul(mu, hi64(vv)), g1);
      v128.store(v + i, demote4(v0, v1));
      v128.store(w + i, demote4(
        f64x2.sub(lo64(wv), f64x2.mul(lrv, f64x2.add(g0, f64x2.mul(mu, v0)))),
        f64x2.sub(hi64(wv), f64x2.mul(lrv, f64x2.add(g1, f64x2.mul(mu, v1)))),
      ));
    }
    for (; i < end; i += 4) {
      const gi = <f64>load<f32>(g + i);
      const vi = momentum * <f64>load<f32>(v + i) + gi;
      store<f32>(v + i, <f32>vi);
      store<f32>(w + i, <f32>(<f64>load<f32>(w + i) - lr * (gi + momentum * vi)));
    }
  } else {
    for (; i < end4; i += 16) {
      const gv = v128.load(g + i), vv = v128.load(v + i), wv = v128.load(w + i);
      const v0 = f64x2.add(f64x2.mul(mu, lo64(vv)), lo64(gv)), v1 = f64x2.add(f64x2.mul(mu, hi64(vv)), hi64(gv));
      v128.store(v + i, demote4(v0, v1));
      v128.store(w + i, demote4(f64x2.sub(lo64(wv), f64x2.mul(lrv, v0)), f64x2.sub(hi64(wv), f64x2.mul(lrv, v1))));
    }
    for (; i < end; i += 4) {
      const vi = momentum * <f64>load<f32>(v + i) + <f64>load<f32>(g + i);
      store<f32>(v + i, <f32>vi);
      store<f32>(w + i, <f32>(<f64>load<f32>(w + i) - lr * vi));
    }
  }
}

/**
 * b^t for the bias corrections, by binary powering when t is a whole number (the step count: a
 * handful of multiplications, within ~log2(t) ulps of the correctly rounded power, invisible once
 * the step is rounded to float32). Any other t is taken as its floor.
 */
function powSteps(b: f64, t: f64): f64 {
  if (!(t >= 1)) return 1; // t ≤ 0 (or NaN): b^0
  let e = floor<f64>(t);
  if (e > 9007199254740992) e = 9007199254740992; // 2^53: b^t has long reached 0, 1 or ∞
  let r: f64 = 1, p = b;
  while (e >= 1) {
    const half = floor<f64>(e * 0.5);
    if (e - half * 2 != 0) r *= p;
    e = half;
    if (e >= 1) p *= p;
  }
  return r;
}

/**
 * One bias-corrected Adam step (AdamW when weightDecay λ > 0), in PyTorch's order:
 * w ← w·(1 − lr·λ) (skipped when that factor is exactly 1), m ← β₁m + (1−β₁)g,
 * v ← β₂v + (1−β₂)g², w ← w − (lr/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + ε), t counting steps from 1.
 */
export function adamUpdate(w: usize, g: usize, m: usize, v: usize, n: i32,
                           lr: f64, beta1: f64, beta2: f64, epsilon: f64, weightDecay: f64, t: f64): void {
  if (n <= 0) return;
  // per-call scalars in float64, once
  const keep = 1 - lr * weightDecay;
  const decay = keep != 1;
  const stepSize = lr / (1 - powSteps(beta1, t));
  const correction2 = sqrt<f64>(1 - powSteps(beta2, t));
  const k32 = <f32>keep, b1 = <f32>beta1, c1 = <f32>(1 - beta1), b2 = <f32>beta2, c2 = <f32>(1 - beta2);
  const st = <f32>stepSize, co = <f32>correction2, ep = <f32>epsilon;
  const kV = f32x4.splat(k32), b1V = f32x4.splat(b1), c1V = f32x4.splat(c1), b2V = f32x4.splat(b2), c2V = f32x4.splat(c2);
  const stV = f32x4.splat(st), coV = f32x4.splat(co), epV = f32x4.splat(ep);
  const end4 = <usize>(n & ~3) << 2, end = <usize>n << 2;
  let i: usize = 0;
  for (; i < end4; i += 16) {
    let wv = v128.load(w + i);
    if (decay) wv = f32x4.mul(wv, kV);
    const gv = v128.load(g + i);
    const mi = f32x4.add(f32x4.mul(b1V, v128.load(m + i)), f32x4.mul(c1V, gv));
    const vi = f32x4.add(f32x4.mul(b2V, v128.load(v + i)), f32x4.mul(f32x4.mul(c2V, gv), gv));
    v128.store(m + i, mi);
    v128.store(v + i, vi);
    const den = f32x4.add(f32x4.div(f32x4.sqrt(vi), coV), epV);
    v128.store(w + i, f32x4.sub(wv, f32x4.div(f32x4.mul(stV, mi), den)));
  }
  for (; i < end; i += 4) {
    let wi = load<f32>(w + i);
    if (decay) wi = wi * k32;
    const gi = load<f32>(g + i);
    const mi = b1 * load<f32>(m + i) + c1 * gi;
    const vi = b2 * load<f32>(v + i) + (c2 * gi) * gi;
    store<f32>(m + i, mi);
    store<f32>(v + i, vi);
    store<f32>(w + i, wi - (st * mi) / (sqrt<f32>(vi) / co + ep));
  }
}
