// Lane-wise math helpers for the float32 kernels: exp, log, log1p and tanh as SIMD (f32x4) and
// scalar (f32) twins, a float64 log for per-row scalars, and f32x4 <-> f64x2 conversions.
//
// Why not Mathf.exp / Mathf.log: at -O3 AssemblyScript's std picks its lookup-table variants
// (exp2f_lut, logf_lut), which live in static data segments. This module may have none (a JS
// allocator owns the shared memory, and every thread instantiates the module over it), so these
// are table-free polynomial versions (Cephes / SLEEF style reductions, musl for the f64 log).
//
// Why twins: the kernels process 4 lanes with the vector form and the ragged tail with the scalar
// form. Each scalar function performs exactly the same IEEE operations in the same order as its
// vector twin — f32 add/sub/mul/div/sqrt are correctly rounded, comparisons, selects, integer ops
// and bit casts are exact, and SIMD128 has no fused multiply-add to contract anything — so an
// element gives the same bits whichever path it takes (check-kernels.mjs verifies this on sampled
// or all 2^32 inputs). Keep edits mirrored.
//
// Special values: NaN in gives NaN out (pmin/pmax keep a NaN first operand, and the NaN flows
// through the arithmetic or an explicit select); ±Infinity and ±0 give the limits of the function
// (exp(−∞) = 0, exp(∞) = ∞, tanh(±∞) = ±1, tanh(−0) = −0, log(0) = −∞, log1p(−0) = −0).
//
// Speed notes (V8, x64): every v128.const is rematerialised inside the loop that uses it (3
// instructions), and f32x4.min/max, nearest and trunc_sat expand to several instructions each;
// hence pmin/pmax and the magic-number rounding below, and few distinct constants.

// ---------------------------------------------------------------- exp

// Cody–Waite split of ln 2: LN2_HI has 16 significant bits, so n·LN2_HI is exact for |n| ≤ 255.
// @ts-ignore: decorator
@inline const LOG2E: f32 = 1.44269504088896341;
// @ts-ignore: decorator
@inline const LN2_HI: f32 = 0.693145751953125;
// @ts-ignore: decorator
@inline const LN2_LO: f32 = 1.428606765330187045e-6;
// Minimax coefficients of (e^r − 1 − r)/r² on |r| ≤ ln2/2 (SLEEF's expf).
// @ts-ignore: decorator
@inline const E5: f32 = 0.000198527617612853646278381;
// @ts-ignore: decorator
@inline const E4: f32 = 0.00139304355252534151077271;
// @ts-ignore: decorator
@inline const E3: f32 = 0.00833336077630519866943359;
// @ts-ignore: decorator
@inline const E2: f32 = 0.0416664853692054748535156;
// @ts-ignore: decorator
@inline const E1: f32 = 0.166666671633720397949219;
// Clamp so n stays within the two-step scaling below: e^−104 already rounds to 0 and e^89 to ∞.
// @ts-ignore: decorator
@inline const EXP_LO: f32 = -104.0;
// @ts-ignore: decorator
@inline const EXP_HI: f32 = 89.0;
// 1.5·2^23: adding it rounds to an integer, kept in the low mantissa bits.
// @ts-ignore: decorator
@inline const MAGIC: f32 = 12582912.0;

/** e^x on 4 lanes; ≤ 1 ulp on the normal range, gradual underflow, ∞ above ≈ 88.72. */
// @ts-ignore: decorator
@inline
export function expV(x: v128): v128 {
  // pmax/pmin (one instruction each; f32x4.max/min cost ~7 on x64) with x first: a NaN lane fails
  // the comparison and stays NaN.
  const c = f32x4.pmin(f32x4.pmax(x, f32x4.splat(EXP_LO)), f32x4.splat(EXP_HI));
  // n = round-to-nearest-even(c·log2 e) by the magic-number trick: adding 1.5·2^23 leaves n in the
  // low mantissa bits (|n| < 2^22), so the integer is the bit difference — no round or convert.
  const t = f32x4.add(f32x4.mul(c, f32x4.splat(LOG2E)), f32x4.splat(MAGIC));
  const nf = f32x4.sub(t, f32x4.splat(MAGIC));
  const n = i32x4.sub(t, f32x4.splat(MAGIC));
  let r = f32x4.sub(c, f32x4.mul(nf, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(nf, f32x4.splat(LN2_LO)));
  let u = f32x4.add(f32x4.mul(f32x4.splat(E5), r), f32x4.splat(E4));
  u = f32x4.add(f32x4.mul(u, r), f32x4.splat(E3));
  u = f32x4.add(f32x4.mul(u, r), f32x4.splat(E2));
  u = f32x4.add(f32x4.mul(u, r), f32x4.splat(E1));
  u = f32x4.add(f32x4.mul(u, r), f32x4.splat(0.5));
  // e^r = 1 + r + r²·u, small terms first
  u = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(r, r), u), r), f32x4.splat(1));
  // ·2^n in two exact power-of-two steps (n ∈ [−150, 129] does not fit one biased exponent), so
  // overflow and gradual underflow round once, at the last multiply.
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const s1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(u, s1), s2);
}

/** e^x, the scalar twin of {@link expV}. */
// @ts-ignore: decorator
@inline
export function expS(x: f32): f32 {
  const p = select<f32>(EXP_LO, x, x < EXP_LO); // pmax(x, lo)
  const c = select<f32>(EXP_HI, p, EXP_HI < p); // pmin(p, hi)
  const t = c * LOG2E + MAGIC;
  const nf = t - MAGIC;
  const n = reinterpret<i32>(t) - reinterpret<i32>(MAGIC);
  let r = c - nf * LN2_HI;
  r = r - nf * LN2_LO;
  let u = E5 * r + E4;
  u = u * r + E3;
  u = u * r + E2;
  u = u * r + E1;
  u = u * r + <f32>0.5;
  u = ((r * r) * u + r) + <f32>1;
  const n1 = n >> 1;
  const n2 = n - n1;
  const s1 = reinterpret<f32>((n1 + 127) << 23);
  const s2 = reinterpret<f32>((n2 + 127) << 23);
  return (u * s1) * s2;
}

// ---------------------------------------------------------------- tanh

// Below this |x| an odd polynomial (Cephes tanhf); above it 1 − 2/(e^{2|x|} + 1).
// @ts-ignore: decorator
@inline const TANH_SMALL: f32 = 0.625;
// @ts-ignore: decorator
@inline const T4: f32 = -5.70498872745e-3;
// @ts-ignore: decorator
@inline const T3: f32 = 2.06390887954e-2;
// @ts-ignore: decorator
@inline const T2: f32 = -5.37397155531e-2;
// @ts-ignore: decorator
@inline const T1: f32 = 1.33314422036e-1;
// @ts-ignore: decorator
@inline const T0: f32 = -3.33332819422e-1;

/**
 * tanh x on 4 lanes. Both branches are computed on |x| and the sign copied back last, so −0 stays
 * −0 and ±∞ gives ±1 (e^{2|x|} overflows to ∞ and 2/∞ = 0); NaN fails `<` and comes out of the
 * exp branch as NaN.
 */
// @ts-ignore: decorator
@inline
export function tanhV(x: v128): v128 {
  const a = f32x4.abs(x);
  const z = f32x4.mul(a, a);
  let p = f32x4.add(f32x4.mul(f32x4.splat(T4), z), f32x4.splat(T3));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(T2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(T1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(T0));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), a), a);
  const e = expV(f32x4.add(a, a));
  const large = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
  const t = v128.bitselect(small, large, f32x4.lt(a, f32x4.splat(TANH_SMALL)));
  // copysign(t, x): t ≥ 0 (or NaN), so OR-ing in x's sign bit is enough
  return v128.or(t, v128.and(x, i32x4.splat(0x80000000)));
}

/** tanh x, the scalar twin of {@link tanhV}. */
// @ts-ignore: decorator
@inline
export function tanhS(x: f32): f32 {
  const a = abs<f32>(x);
  const z = a * a;
  let p = T4 * z + T3;
  p = p * z + T2;
  p = p * z + T1;
  p = p * z + T0;
  const small = (p * z) * a + a;
  const e = expS(a + a);
  const large = <f32>1 - <f32>2 / (e + <f32>1);
  const t = select<f32>(small, large, a < TANH_SMALL);
  return reinterpret<f32>(reinterpret<i32>(t) | (reinterpret<i32>(x) & 0x80000000));
}

// ---------------------------------------------------------------- log, log1p

// Cephes logf: x = m·2^e with m ∈ [√½, √2), f = m − 1 (exact), log(1+f) = f − f²/2 + f³·P(f).
// @ts-ignore: decorator
@inline const SQRTHF: f32 = 0.707106781186547524;
// @ts-ignore: decorator
@inline const L8: f32 = 7.0376836292e-2;
// @ts-ignore: decorator
@inline const L7: f32 = -1.1514610310e-1;
// @ts-ignore: decorator
@inline const L6: f32 = 1.1676998740e-1;
// @ts-ignore: decorator
@inline const L5: f32 = -1.2420140846e-1;
// @ts-ignore: decorator
@inline const L4: f32 = 1.4249322787e-1;
// @ts-ignore: decorator
@inline const L3: f32 = -1.6668057665e-1;
// @ts-ignore: decorator
@inline const L2: f32 = 2.0000714765e-1;
// @ts-ignore: decorator
@inline const L1: f32 = -2.4999993993e-1;
// @ts-ignore: decorator
@inline const L0: f32 = 3.3333331174e-1;
// ln 2 split for the exponent term: LOG_HI has 9 significant bits, so e·LOG_HI is exact.
// @ts-ignore: decorator
@inline const LOG_HI: f32 = 0.693359375;
// @ts-ignore: decorator
@inline const LOG_LO: f32 = -2.12194440e-4;
// @ts-ignore: decorator
@inline const TWO23: f32 = 8388608.0;
// @ts-ignore: decorator
@inline const MIN_NORMAL: f32 = 1.17549435e-38;

/** ln x on 4 lanes: NaN for x < 0 or NaN, −∞ for ±0, ∞ for ∞; subnormals are scaled up first. */
// @ts-ignore: decorator
@inline
export function logV(x: v128): v128 {
  const tiny = f32x4.lt(x, f32x4.splat(MIN_NORMAL));
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(TWO23)), x, tiny);
  const bits = xs;
  // m ∈ [0.5, 1) and e with xs = m·2^e (garbage for x ≤ 0, ∞, NaN: those are fixed below)
  let e = i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(126));
  e = i32x4.sub(e, v128.and(tiny, i32x4.splat(23)));
  const m = v128.or(v128.and(bits, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000));
  const lt = f32x4.lt(m, f32x4.splat(SQRTHF));
  e = i32x4.add(e, lt); // a true lane is −1
  const f = f32x4.sub(v128.bitselect(f32x4.add(m, m), m, lt), f32x4.splat(1));
  const ef = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(f, f);
  let y = f32x4.add(f32x4.mul(f32x4.splat(L8), f), f32x4.splat(L7));
  y = f32x4.add(f32x4.mul(y, f), f32x4.splat(L6));
  y = f32x4.add(f32x4.mul(y, f), f32x4.splat(L5));
  y = f32x4.add(f32x4.mul(y, f), f32x4.splat(L4));
  y = f32x4.add(f32x4.mul(y, f), f32x4.splat(L3));
  y = f32x4.add(f32x4.mul(y, f), f32x4.splat(L2));
  y = f32x4.add(f32x4.mul(y, f), f32x4.splat(L1));
  y = f32x4.add(f32x4.mul(y, f), f32x4.splat(L0));
  y = f32x4.mul(f32x4.mul(y, f), z);
  y = f32x4.add(y, f32x4.mul(ef, f32x4.splat(LOG_LO)));
  y = f32x4.add(y, f32x4.mul(f32x4.splat(-0.5), z));
  let r = f32x4.add(f, y);
  r = f32x4.add(r, f32x4.mul(ef, f32x4.splat(LOG_HI)));
  // edges: x < 0 or NaN → NaN (the comparison is false); ±0 → −∞; ∞ → ∞
  r = v128.bitselect(r, f32x4.splat(NaN), f32x4.ge(x, f32x4.splat(0)));
  r = v128.bitselect(f32x4.splat(-Infinity), r, f32x4.eq(x, f32x4.splat(0)));
  return v128.bitselect(x, r, f32x4.eq(x, f32x4.splat(Infinity)));
}

/** ln x, the scalar twin of {@link logV}. */
// @ts-ignore: decorator
@inline
export function logS(x: f32): f32 {
  const tiny = x < MIN_NORMAL;
  const xs = select<f32>(x * TWO23, x, tiny);
  const bits = reinterpret<i32>(xs);
  let e = (<i32>(<u32>bits >> 23)) - 126;
  e = e - (tiny ? 23 : 0);
  const m = reinterpret<f32>((bits & 0x007fffff) | 0x3f000000);
  const lt = m < SQRTHF;
  e = e - (lt ? 1 : 0);
  const f = select<f32>(m + m, m, lt) - <f32>1;
  const ef = <f32>e;
  const z = f * f;
  let y = L8 * f + L7;
  y = y * f + L6;
  y = y * f + L5;
  y = y * f + L4;
  y = y * f + L3;
  y = y * f + L2;
  y = y * f + L1;
  y = y * f + L0;
  y = (y * f) * z;
  y = y + ef * LOG_LO;
  y = y + <f32>-0.5 * z;
  let r = f + y;
  r = r + ef * LOG_HI;
  r = select<f32>(r, NaN, x >= 0);
  r = select<f32>(-Infinity, r, x == 0);
  return select<f32>(x, r, x == Infinity);
}

/**
 * ln(1 + x) on 4 lanes: u = 1 + x rounded, then ln u corrected by (x − (u − 1))/u for the part of
 * x the rounding lost (1 − (u − x) once u ≥ 2, where u − 1 may round but u − x does not). Where
 * u = 1, x itself (correctly rounded, and keeps −0); −1 → −∞; ∞ → ∞; below −1 or NaN → NaN.
 */
// @ts-ignore: decorator
@inline
export function log1pV(x: v128): v128 {
  const one = f32x4.splat(1);
  const u = f32x4.add(one, x);
  const cLo = f32x4.sub(x, f32x4.sub(u, one));
  const cHi = f32x4.sub(one, f32x4.sub(u, x));
  const c = f32x4.div(v128.bitselect(cHi, cLo, f32x4.ge(u, f32x4.splat(2))), u);
  let r = f32x4.add(logV(u), c);
  r = v128.bitselect(x, r, f32x4.eq(u, one));
  r = v128.bitselect(f32x4.splat(-Infinity), r, f32x4.eq(u, f32x4.splat(0)));
  return v128.bitselect(x, r, f32x4.eq(x, f32x4.splat(Infinity)));
}

/** ln(1 + x), the scalar twin of {@link log1pV}. */
// @ts-ignore: decorator
@inline
export function log1pS(x: f32): f32 {
  const u = <f32>1 + x;
  const cLo = x - (u - <f32>1);
  const cHi = <f32>1 - (u - x);
  const c = select<f32>(cHi, cLo, u >= <f32>2) / u;
  let r = logS(u) + c;
  r = select<f32>(x, r, u == <f32>1);
  r = select<f32>(-Infinity, r, u == 0);
  return select<f32>(x, r, x == Infinity);
}

// ---------------------------------------------------------------- float64

/**
 * ln x in float64 (musl's log without its lookup table), for per-row scalars such as the
 * log-sum-exp of softmax cross-entropy: called once per row, so speed does not matter.
 */
export function logF64(x: f64): f64 {
  const ln2_hi = reinterpret<f64>(0x3FE62E42FEE00000);
  const ln2_lo = reinterpret<f64>(0x3DEA39EF35793C76);
  const Lg1 = reinterpret<f64>(0x3FE5555555555593);
  const Lg2 = reinterpret<f64>(0x3FD999999997FA04);
  const Lg3 = reinterpret<f64>(0x3FD2492494229359);
  const Lg4 = reinterpret<f64>(0x3FCC71C51D8E78AF);
  const Lg5 = reinterpret<f64>(0x3FC7466496CB03DE);
  const Lg6 = reinterpret<f64>(0x3FC39A09D078C69F);
  const Lg7 = reinterpret<f64>(0x3FC2F112DF3E5244);
  const Ox1p54 = reinterpret<f64>(0x4350000000000000);
  let u = reinterpret<u64>(x);
  let hx = <u32>(u >> 32);
  let k = 0;
  if ((hx >> 31) != 0 || hx < 0x00100000) {
    if (u << 1 == 0) return -1 / (x * x); // ±0 → −∞
    if ((hx >> 31) != 0) return (x - x) / 0.0; // < 0 → NaN
    k -= 54; // subnormal: scale up
    x *= Ox1p54;
    u = reinterpret<u64>(x);
    hx = <u32>(u >> 32);
  } else if (hx >= 0x7FF00000) {
    return x; // ∞, NaN
  } else if (hx == 0x3FF00000 && u << 32 == 0) {
    return 0;
  }
  hx += 0x3FF00000 - 0x3FE6A09E;
  k += (<i32>hx >> 20) - 0x3FF;
  hx = (hx & 0x000FFFFF) + 0x3FE6A09E;
  u = (<u64>hx << 32) | (u & 0xFFFFFFFF);
  x = reinterpret<f64>(u);
  const f = x - 1.0;
  const hfsq = 0.5 * f * f;
  const s = f / (2.0 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
  const t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  const r = t2 + t1;
  const dk = <f64>k;
  return s * (hfsq + r) + dk * ln2_lo - hfsq + f + dk * ln2_hi;
}

/** Lanes 0, 1 of 4 floats as two doubles (exact). */
// @ts-ignore: decorator
@inline
export function lo64(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

/** Lanes 2, 3 of 4 floats as two doubles (exact). */
// @ts-ignore: decorator
@inline
export function hi64(v: v128): v128 {
  return f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3));
}

/** Two f64x2 back to 4 floats, each rounded once (lanes lo0, lo1, hi0, hi1). */
// @ts-ignore: decorator
@inline
export function demote4(lo: v128, hi: v128): v128 {
  return i64x2.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 2);
}

/** The sum of the two lanes of an f64x2 (lane 0 + lane 1). */
// @ts-ignore: decorator
@inline
export function hsum64(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}
