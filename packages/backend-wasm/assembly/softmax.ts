// Row-wise softmax and softmax cross-entropy, forward and backward. (Kernel conventions: see
// elementwise.ts.)
//
// Precision plan, following the reference (float64 arithmetic, float32 storage):
//  - the row maximum is exact; e^(x − m) is formed in float32 from x − m and the rounding error
//    of that subtraction (expDiffV), within ~1 ulp of the reference's float64 exponential;
//  - every row sum (Σ e, Σ dy·y, Σ target, the loss terms) is accumulated in float64 from exactly
//    promoted floats, so only the order of additions differs from the reference;
//  - wherever such a float64 sum meets the elements again (the 1/Σ normalisation, y·(dy − s),
//    scale·(p·mass − t)), the expression is evaluated in float64 and rounded once: no float32
//    rounding of the sum can cancel catastrophically against the elements.
// The float64 halves of 4 floats are lo64/hi64 (exact promotions) and demote4 (one rounding).

import { demote4, expS, expV, hi64, lo64, logF64 } from './unary-math';

/**
 * The row's maximum as the reference finds it: `if (v > m) m = v` from −∞, so NaN entries are
 * skipped (a row of NaN and −∞ gives −∞). pmax(m, v) = m < v ? v : m is exactly that step.
 */
// @ts-ignore: decorator
@inline
function rowMax(x: usize, rowBytes: usize, end4: usize): f32 {
  let m4 = f32x4.splat(-Infinity);
  let c: usize = 0;
  for (; c < end4; c += 16) m4 = f32x4.pmax(m4, v128.load(x + c));
  let m = f32x4.extract_lane(m4, 0);
  const l1 = f32x4.extract_lane(m4, 1), l2 = f32x4.extract_lane(m4, 2), l3 = f32x4.extract_lane(m4, 3);
  if (l1 > m) m = l1;
  if (l2 > m) m = l2;
  if (l3 > m) m = l3;
  for (; c < rowBytes; c += 4) {
    const v = load<f32>(x + c);
    if (v > m) m = v;
  }
  return m;
}

/**
 * e^(x − m) for 4 lanes, with the rounding error of the float32 subtraction put back: x − m is
 * rounded to d (TwoSum gives the exact remainder err, x − m = d + err), and e^(d + err) ≈
 * e^d + e^d·err. Without it an argument of −12 carries ±2^−21 of rounding into the exponential:
 * ~5 ulps of a probability; with it, the result is within ~1 ulp of e^(x − m) (as the reference
 * forms x − m exactly in float64). err is NaN only when d is ±∞ or NaN: it is zeroed, leaving e^d.
 */
// @ts-ignore: decorator
@inline
function expDiffV(x: v128, mv: v128): v128 {
  const d = f32x4.sub(x, mv);
  const bb = f32x4.sub(d, x);
  const err = f32x4.sub(f32x4.sub(x, f32x4.sub(d, bb)), f32x4.add(mv, bb));
  const e = expV(d);
  return f32x4.add(e, f32x4.mul(e, v128.and(err, f32x4.eq(err, err))));
}

/** The scalar twin of {@link expDiffV}. */
// @ts-ignore: decorator
@inline
function expDiffS(x: f32, m: f32): f32 {
  const d = x - m;
  const bb = d - x;
  const err = (x - (d - bb)) - (m + bb);
  const e = expS(d);
  return e + e * select<f32>(err, 0, err == err);
}

/**
 * Writes e^(x − m) of one row into out and returns their float64 sum (4 vectors per step: the
 * exponential is a long dependency chain, and independent vectors let the core overlap them).
 */
// @ts-ignore: decorator
@inline
function expShiftedRow(x: usize, out: usize, rowBytes: usize, end4: usize, m: f32): f64 {
  const mv = f32x4.splat(m);
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  const end16 = end4 & ~(<usize>63);
  let c: usize = 0;
  for (; c < end16; c += 64) {
    const e0 = expDiffV(v128.load(x + c, 0), mv), e1 = expDiffV(v128.load(x + c, 16), mv);
    const e2 = expDiffV(v128.load(x + c, 32), mv), e3 = expDiffV(v128.load(x + c, 48), mv);
    v128.store(out + c, e0, 0);
    v128.store(out + c, e1, 16);
    v128.store(out + c, e2, 32);
    v128.store(out + c, e3, 48);
    s0 = f64x2.add(s0, f64x2.add(f64x2.add(lo64(e0), hi64(e0)), f64x2.add(lo64(e1), hi64(e1))));
    s1 = f64x2.add(s1, f64x2.add(f64x2.add(lo64(e2), hi64(e2)), f64x2.add(lo64(e3), hi64(e3))));
  }
  for (; c < end4; c += 16) {
    const e = expDiffV(v128.load(x + c), mv);
    v128.store(out + c, e);
    s0 = f64x2.add(s0, lo64(e));
    s1 = f64x2.add(s1, hi64(e));
  }
  const s2 = f64x2.add(s0, s1);
  let s = f64x2.extract_lane(s2, 0) + f64x2.extract_lane(s2, 1);
  for (; c < rowBytes; c += 4) {
    const e = expDiffS(load<f32>(x + c), m);
    store<f32>(out + c, e);
    s += <f64>e;
  }
  return s;
}

/** out[c] = out[c] · inv over one row, in float64, rounded once. */
// @ts-ignore: decorator
@inline
function scaleRow(out: usize, rowBytes: usize, end4: usize, inv: f64): void {
  const iv = f64x2.splat(inv);
  let c: usize = 0;
  for (; c < end4; c += 16) {
    const v = v128.load(out + c);
    v128.store(out + c, demote4(f64x2.mul(lo64(v), iv), f64x2.mul(hi64(v), iv)));
  }
  for (; c < rowBytes; c += 4) store<f32>(out + c, <f32>(<f64>load<f32>(out + c) * inv));
}

/**
 * Softmax of each row of a rows×cols matrix: out[r, j] = e^(x[r, j] − m) / Σ_k e^(x[r, k] − m),
 * m the row maximum, so no exponential overflows. `out` may be `x`. A NaN entry, or a +∞ (∞ − ∞),
 * makes the row NaN, as in the reference.
 */
export function softmaxRows(x: usize, out: usize, rows: i32, cols: i32): void {
  if (rows <= 0 || cols <= 0) return;
  const rowBytes = <usize>cols << 2, end4 = <usize>(cols & ~3) << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes, outr = out + <usize>r * rowBytes;
    const s = expShiftedRow(xr, outr, rowBytes, end4, rowMax(xr, rowBytes, end4));
    scaleRow(outr, rowBytes, end4, 1 / s);
  }
}

/**
 * Softmax backward per row from its output y: dx[r, j] = y[r, j] · (dy[r, j] − Σ_k dy[r, k]·y[r, k]),
 * the sum and the expression in float64. `dx` may be `dy`.
 */
export function softmaxRowsBackward(y: usize, dy: usize, dx: usize, rows: i32, cols: i32): void {
  if (rows <= 0 || cols <= 0) return;
  const rowBytes = <usize>cols << 2, end4 = <usize>(cols & ~3) << 2;
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * rowBytes;
    const yr = y + o, gr = dy + o, dr = dx + o;
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
    let c: usize = 0;
    for (; c < end4; c += 16) {
      const yv = v128.load(yr + c), gv = v128.load(gr + c);
      a0 = f64x2.add(a0, f64x2.mul(lo64(gv), lo64(yv)));
      a1 = f64x2.add(a1, f64x2.mul(hi64(gv), hi64(yv)));
    }
    const a = f64x2.add(a0, a1);
    let s = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
    for (; c < rowBytes; c += 4) s += <f64>load<f32>(gr + c) * <f64>load<f32>(yr + c);
    const sv = f64x2.splat(s);
    c = 0;
    for (; c < end4; c += 16) {
      const yv = v128.load(yr + c), gv = v128.load(gr + c);
      v128.store(dr + c, demote4(
        f64x2.mul(lo64(yv), f64x2.sub(lo64(gv), sv)),
        f64x2.mul(hi64(yv), f64x2.sub(hi64(gv), sv)),
      ));
    }
    for (; c < rowBytes; c += 4) store<f32>(dr + c, <f32>(<f64>load<f32>(yr + c) * (<f64>load<f32>(gr + c) - s)));
  }
}

/**
 * Mean softmax cross-entropy of rows×cols logits against target rows:
 * loss[0] = (1/rows) · Σ_r Σ_j target[r, j] · (m + log Σ_k e^(z_k − m) − z_j), and the softmax
 * probabilities into `probs` (a buffer of its own, not `logits`). Log-sum-exp with the row maximum
 * subtracted: logits of ±1000 give a finite loss. A zero target weight contributes nothing, even
 * where its probability underflowed or its logit is infinite. rows = 0 gives loss 0.
 */
export function softmaxCrossEntropy(logits: usize, target: usize, probs: usize, loss: usize, rows: i32, cols: i32): void {
  let total: f64 = 0;
  if (cols > 0) {
    const rowBytes = <usize>cols << 2, end4 = <usize>(cols & ~3) << 2;
    const zero = f64x2.splat(0);
    for (let r = 0; r < rows; r++) {
      const o = <usize>r * rowBytes;
      const zr = logits + o, tr = target + o, pr = probs + o;
      const m = rowMax(zr, rowBytes, end4);
      const s = expShiftedRow(zr, pr, rowBytes, end4, m);
      // −log p_j = m + log s − z_j: no exponential of a large logit is ever formed
      const shift = <f64>m + logF64(s);
      const sh = f64x2.splat(shift);
      let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
      let c: usize = 0;
      for (; c < end4; c += 16) {
        const tv = v128.load(tr + c), zv = v128.load(zr + c);
        const t0 = lo64(tv), t1 = hi64(tv);
        const w0 = f64x2.mul(t0, f64x2.sub(sh, lo64(zv)));
        const w1 = f64x2.mul(t1, f64x2.sub(sh, hi64(zv)));
        // t = 0 lanes add +0 (the sum starts at +0, so adding +0 changes nothing), never 0·∞ = NaN
        a0 = f64x2.add(a0, v128.bitselect(w0, zero, f64x2.ne(t0, zero)));
        a1 = f64x2.add(a1, v128.bitselect(w1, zero, f64x2.ne(t1, zero)));
      }
      const a = f64x2.add(a0, a1);
      let row = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
      for (; c < rowBytes; c += 4) {
        const t = <f64>load<f32>(tr + c);
        if (t != 0) row += t * (shift - <f64>load<f32>(zr + c));
      }
      total += row;
      scaleRow(pr, rowBytes, end4, 1 / s);
    }
  }
  store<f32>(loss, <f32>(total / <f64>(rows > 0 ? rows : 1)));
}

/**
 * Gradient of softmaxCrossEntropy w.r.t. the logits from the saved probabilities:
 * dx[r, j] = (dLoss[0] / rows) · (probs[r, j] · Σ_k target[r, k] − target[r, j]), in float64.
 */
export function softmaxCrossEntropyBackward(probs: usize, target: usize, dLoss: usize, dx: usize, rows: i32, cols: i32): void {
  if (rows <= 0 || cols <= 0) return;
  const k = <f64>load<f32>(dLoss) / <f64>rows;
  const kv = f64x2.splat(k);
  const rowBytes = <usize>cols << 2, end4 = <usize>(cols & ~3) << 2;
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * rowBytes;
    const pr = probs + o, tr = target + o, dr = dx + o;
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
    let c: usize = 0;
    for (; c < end4; c += 16) {
      const tv = v128.load(tr + c);
      a0 = f64x2.add(a0, lo64(tv));
      a1 = f64x2.add(a1, hi64(tv));
    }
    const a = f64x2.add(a0, a1);
    let mass = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
    for (; c < rowBytes; c += 4) mass += <f64>load<f32>(tr + c);
    const mv = f64x2.splat(mass);
    c = 0;
    for (; c < end4; c += 16) {
      const pv = v128.load(pr + c), tv = v128.load(tr + c);
      v128.store(dr + c, demote4(
        f64x2.mul(kv, f64x2.sub(f64x2.mul(lo64(pv), mv), lo64(tv))),
        f64x2.mul(kv, f64x2.sub(f64x2.mul(hi64(pv), mv), hi64(tv))),
      ));
    }
    for (; c < rowBytes; c += 4) store<f32>(dr + c, <f32>(k * (<f64>load<f32>(pr + c) * mass - <f64>load<f32>(tr + c))));
  }
}
