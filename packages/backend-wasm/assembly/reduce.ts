// Reductions that return a value: sumSquares, firstNonFinite, and the metric sums sumSquaredDiff,
// sumAbsDiff, countArgmaxMatches. (Kernel conventions: see elementwise.ts.)
//
// The sums accumulate in float64 like the reference: each float32 is promoted exactly
// (f64x2.promote_low_f32x4), differences and squares of two float32 are formed in float64 (a
// square is exact there: 24 + 24 bits < 53), and eight lanes are summed as four independent f64x2
// chains (an add's latency is hidden behind the others), combined at the end. Only the order of
// the additions differs from the reference's single chain: results agree to ~1e-16 relative, and
// NaN/±∞ propagate the same way. Eight floats per step, then the tail one by one.

import { hi64, lo64 } from './unary-math';

// @ts-ignore: decorator
@inline
function combine(a0: v128, a1: v128, a2: v128, a3: v128): f64 {
  const s = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/** `Σ x[i]²`, i < n, accumulated in float64. */
export function sumSquares(x: usize, n: i32): f64 {
  if (n <= 0) return 0;
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
  const end8 = <usize>(n & ~7) << 2, end = <usize>n << 2;
  let i: usize = 0;
  for (; i < end8; i += 32) {
    const u = v128.load(x + i, 0), v = v128.load(x + i, 16);
    const u0 = lo64(u), u1 = hi64(u), v0 = lo64(v), v1 = hi64(v);
    a0 = f64x2.add(a0, f64x2.mul(u0, u0));
    a1 = f64x2.add(a1, f64x2.mul(u1, u1));
    a2 = f64x2.add(a2, f64x2.mul(v0, v0));
    a3 = f64x2.add(a3, f64x2.mul(v1, v1));
  }
  let s = combine(a0, a1, a2, a3);
  for (; i < end; i += 4) {
    const v = <f64>load<f32>(x + i);
    s += v * v;
  }
  return s;
}

/** `Σ (a[i] − b[i])²`, i < n, in float64. */
export function sumSquaredDiff(a: usize, b: usize, n: i32): f64 {
  if (n <= 0) return 0;
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
  const end8 = <usize>(n & ~7) << 2, end = <usize>n << 2;
  let i: usize = 0;
  for (; i < end8; i += 32) {
    const u = v128.load(a + i, 0), v = v128.load(a + i, 16);
    const p = v128.load(b + i, 0), q = v128.load(b + i, 16);
    const d0 = f64x2.sub(lo64(u), lo64(p)), d1 = f64x2.sub(hi64(u), hi64(p));
    const d2 = f64x2.sub(lo64(v), lo64(q)), d3 = f64x2.sub(hi64(v), hi64(q));
    a0 = f64x2.add(a0, f64x2.mul(d0, d0));
    a1 = f64x2.add(a1, f64x2.mul(d1, d1));
    a2 = f64x2.add(a2, f64x2.mul(d2, d2));
    a3 = f64x2.add(a3, f64x2.mul(d3, d3));
  }
  let s = combine(a0, a1, a2, a3);
  for (; i < end; i += 4) {
    const d = <f64>load<f32>(a + i) - <f64>load<f32>(b + i);
    s += d * d;
  }
  return s;
}

/** `Σ |a[i] − b[i]|`, i < n, in float64. */
export function sumAbsDiff(a: usize, b: usize, n: i32): f64 {
  if (n <= 0) return 0;
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
  const end8 = <usize>(n & ~7) << 2, end = <usize>n << 2;
  let i: usize = 0;
  for (; i < end8; i += 32) {
    const u = v128.load(a + i, 0), v = v128.load(a + i, 16);
    const p = v128.load(b + i, 0), q = v128.load(b + i, 16);
    a0 = f64x2.add(a0, f64x2.abs(f64x2.sub(lo64(u), lo64(p))));
    a1 = f64x2.add(a1, f64x2.abs(f64x2.sub(hi64(u), hi64(p))));
    a2 = f64x2.add(a2, f64x2.abs(f64x2.sub(lo64(v), lo64(q))));
    a3 = f64x2.add(a3, f64x2.abs(f64x2.sub(hi64(v), hi64(q))));
  }
  let s = combine(a0, a1, a2, a3);
  for (; i < end; i += 4) s += abs<f64>(<f64>load<f32>(a + i) - <f64>load<f32>(b + i));
  return s;
}

// An element is NaN or ±∞ exactly when its exponent bits are all ones.
// @ts-ignore: decorator
@inline const EXP_MASK: i32 = 0x7f800000;

/** Index of the first NaN or ±∞ among x[0 … n), or −1. */
export function firstNonFinite(x: usize, n: i32): i32 {
  if (n <= 0) return -1;
  const em = i32x4.splat(EXP_MASK);
  const end16 = <usize>(n & ~15) << 2, end = <usize>n << 2;
  let i: usize = 0;
  // 16 floats per test; a block that has one is rescanned one by one below (it is the answer).
  for (; i < end16; i += 64) {
    const p = x + i;
    const m0 = i32x4.eq(v128.and(v128.load(p, 0), em), em);
    const m1 = i32x4.eq(v128.and(v128.load(p, 16), em), em);
    const m2 = i32x4.eq(v128.and(v128.load(p, 32), em), em);
    const m3 = i32x4.eq(v128.and(v128.load(p, 48), em), em);
    if (v128.any_true(v128.or(v128.or(m0, m1), v128.or(m2, m3)))) break;
  }
  for (; i < end; i += 4) {
    if ((load<i32>(x + i) & EXP_MASK) == EXP_MASK) return <i32>(i >> 2);
  }
  return -1;
}

/** Index of the row's largest entry, the first one on ties (NaN never wins; a NaN first entry stays). */
// @ts-ignore: decorator
@inline
function argmax(row: usize, cols: i32): i32 {
  let best = 0;
  let bv = load<f32>(row);
  for (let j = 1; j < cols; j++) {
    const v = load<f32>(row + (<usize>j << 2));
    if (v > bv) {
      best = j;
      bv = v;
    }
  }
  return best;
}

/**
 * How many of `rows` predictions pick the target's class: the row's argmax (first on ties) in
 * both, or with one column the same side of 0.5 (`≥ 0.5` in both or in neither; NaN is "below").
 * Scalar: rows are a handful of classes wide, and comparisons give no rounding to vectorize away.
 */
export function countArgmaxMatches(pred: usize, target: usize, rows: i32, cols: i32): i32 {
  if (rows <= 0) return 0;
  if (cols <= 0) return rows; // both argmaxes are 0, as in the reference
  let hits = 0;
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * rowBytes;
    if (cols == 1) {
      if ((load<f32>(pred + o) >= <f32>0.5) == (load<f32>(target + o) >= <f32>0.5)) hits++;
    } else if (argmax(pred + o, cols) == argmax(target + o, cols)) {
      hits++;
    }
  }
  return hits;
}
