// Elementwise float32 kernels in WebAssembly SIMD128: add, mul, scale, fill, copy,
// addRowBroadcast, sumRows. (The elementwise functions of UNARY_OPS are generated into
// generated/unary.ts by scripts/gen-unary.mjs.)
//
// Conventions of every kernel in this package: pointers are byte offsets into the imported shared
// memory, multiples of 4 but not necessarily of 16 (v128.load/store do not require alignment; the
// alignment immediate is only a hint); sizes are element counts (≤ 0: nothing to do, except where a
// kernel says otherwise). Each loop takes 4 floats (or a multiple) per step, then finishes the
// ragged tail one float at a time with the same arithmetic,
// so an element's value never depends on where it falls. Only the output's own elements are
// written. No AssemblyScript runtime: nothing is allocated and no global is written (see matmul.ts).
//
// Rounding: f32 add/mul of two float32 inputs is correctly rounded, so add, mul, addRowBroadcast
// and sumRows equal the TypeScript reference (float64 arithmetic, rounded on store) bit for bit.
// scale rounds the exact product once, as the reference does (see there).

import { demote4, hi64, lo64 } from './unary-math';

/** `out[i] = a[i] + b[i]`, i < n. `out` may be `a` or `b`. */
export function add(a: usize, b: usize, out: usize, n: i32): void {
  if (n <= 0) return;
  const end4 = <usize>(n & ~3) << 2, end = <usize>n << 2;
  let i: usize = 0;
  for (; i < end4; i += 16) v128.store(out + i, f32x4.add(v128.load(a + i), v128.load(b + i)));
  for (; i < end; i += 4) store<f32>(out + i, load<f32>(a + i) + load<f32>(b + i));
}

/** `out[i] = a[i] · b[i]`, i < n. `out` may be `a` or `b`. */
export function mul(a: usize, b: usize, out: usize, n: i32): void {
  if (n <= 0) return;
  const end4 = <usize>(n & ~3) << 2, end = <usize>n << 2;
  let i: usize = 0;
  for (; i < end4; i += 16) v128.store(out + i, f32x4.mul(v128.load(a + i), v128.load(b + i)));
  for (; i < end; i += 4) store<f32>(out + i, load<f32>(a + i) * load<f32>(b + i));
}

/**
 * `out[i] = s · a[i]`, i < n, rounded once from the exact product, as the reference (float64
 * product, rounded on store): when s is a float32 value the float32 multiply is exactly that; any
 * other factor (1/3, 1e39) is applied in float64 and rounded once. `out` may be `a`.
 */
export function scale(a: usize, s: f64, out: usize, n: i32): void {
  if (n <= 0) return;
  const end4 = <usize>(n & ~3) << 2, end = <usize>n << 2;
  let i: usize = 0;
  const s32 = <f32>s;
  if (<f64>s32 == s) {
    const sv = f32x4.splat(s32);
    for (; i < end4; i += 16) v128.store(out + i, f32x4.mul(sv, v128.load(a + i)));
    for (; i < end; i += 4) store<f32>(out + i, s32 * load<f32>(a + i));
    return;
  }
  const sv = f64x2.splat(s);
  for (; i < end4; i += 16) {
    const v = v128.load(a + i);
    v128.store(out + i, demote4(f64x2.mul(sv, lo64(v)), f64x2.mul(sv, hi64(v))));
  }
  for (; i < end; i += 4) store<f32>(out + i, <f32>(s * <f64>load<f32>(a + i)));
}

/** `out[i] = value` (rounded to float32), i < n. */
export function fill(out: usize, value: f64, n: i32): void {
  if (n <= 0) return;
  const v32 = <f32>value;
  // +0 (zeroing gradients, the common case) is all-zero bytes: the engine's memset is fastest
  if (reinterpret<u32>(v32) == 0) {
    memory.fill(out, 0, <usize>n << 2);
    return;
  }
  const v = f32x4.splat(v32);
  const end16 = <usize>(n & ~15) << 2, end4 = <usize>(n & ~3) << 2, end = <usize>n << 2;
  let i: usize = 0;
  for (; i < end16; i += 64) {
    v128.store(out + i, v, 0);
    v128.store(out + i, v, 16);
    v128.store(out + i, v, 32);
    v128.store(out + i, v, 48);
  }
  for (; i < end4; i += 16) v128.store(out + i, v);
  for (; i < end; i += 4) store<f32>(out + i, v32);
}

/** `dst[i] = src[i]`, i < n (memmove semantics: the engine's memcpy). */
export function copy(src: usize, dst: usize, n: i32): void {
  if (n <= 0) return;
  memory.copy(dst, src, <usize>n << 2);
}

/** `out[r, c] = x[r, c] + bias[c]` over a rows×cols matrix. `out` may be `x`. */
export function addRowBroadcast(x: usize, bias: usize, out: usize, rows: i32, cols: i32): void {
  if (rows <= 0 || cols <= 0) return;
  const rowBytes = <usize>cols << 2, end4 = <usize>(cols & ~3) << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes, outr = out + <usize>r * rowBytes;
    let c: usize = 0;
    for (; c < end4; c += 16) v128.store(outr + c, f32x4.add(v128.load(xr + c), v128.load(bias + c)));
    for (; c < rowBytes; c += 4) store<f32>(outr + c, load<f32>(xr + c) + load<f32>(bias + c));
  }
}

/**
 * Column sums of a rows×cols matrix, `out[c] = Σ_r x[r, c]`, or `out[c] += …` when `accumulate`.
 * Without `accumulate` the first row is assigned (not added to a zero fill, so a −0 sum stays −0),
 * and rows = 0 writes zeros. Every column is one float32 chain over r = 0 … rows−1 in order, the
 * order the reference and the fused unaryBiasBackward_* kernels use, so all three agree bit for
 * bit. Columns go in blocks of 16 (four f32x4 accumulators held in registers down all the rows),
 * then of 4, then one at a time.
 */
export function sumRows(x: usize, out: usize, rows: i32, cols: i32, accumulate: i32): void {
  if (cols <= 0) return;
  if (rows <= 0) {
    if (!accumulate) fill(out, 0, cols);
    return;
  }
  const rowBytes = <usize>cols << 2;
  const end16 = <usize>(cols & ~15) << 2, end4 = <usize>(cols & ~3) << 2;
  // the chain starts from out (accumulating) or from row 0 (assigned), then adds rows r0 …
  const r0: i32 = accumulate ? 0 : 1;
  let c: usize = 0;
  for (; c < end16; c += 64) {
    const src = accumulate ? out + c : x + c;
    let s0 = v128.load(src, 0), s1 = v128.load(src, 16), s2 = v128.load(src, 32), s3 = v128.load(src, 48);
    let p = x + <usize>r0 * rowBytes + c;
    for (let r = r0; r < rows; r++) {
      s0 = f32x4.add(s0, v128.load(p, 0));
      s1 = f32x4.add(s1, v128.load(p, 16));
      s2 = f32x4.add(s2, v128.load(p, 32));
      s3 = f32x4.add(s3, v128.load(p, 48));
      p += rowBytes;
    }
    v128.store(out + c, s0, 0);
    v128.store(out + c, s1, 16);
    v128.store(out + c, s2, 32);
    v128.store(out + c, s3, 48);
  }
  for (; c < end4; c += 16) {
    let s = v128.load(accumulate ? out + c : x + c);
    let p = x + <usize>r0 * rowBytes + c;
    for (let r = r0; r < rows; r++) {
      s = f32x4.add(s, v128.load(p));
      p += rowBytes;
    }
    v128.store(out + c, s);
  }
  for (; c < rowBytes; c += 4) {
    let s = load<f32>(accumulate ? out + c : x + c);
    let p = x + <usize>r0 * rowBytes + c;
    for (let r = r0; r < rows; r++) {
      s += load<f32>(p);
      p += rowBytes;
    }
    store<f32>(out + c, s);
  }
}
