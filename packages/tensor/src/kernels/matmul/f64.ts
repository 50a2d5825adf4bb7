/*
 * The float64 GEMM behind `matmul` (../matmul.ts), used when `a`, `b` and `out` are all
 * `Float64Array`s: a copy of f32.ts with `Float32Array`/`F32` renamed `Float64Array`/`F64`.
 * Do not edit below the marker line here; edit f32.ts and copy (see its header for why the code
 * is duplicated). test/matmul.test.ts checks the two stay in sync.
 */

import { matmulSmall } from '../generated.js';

// ---- shared kernel source: f32.ts and f64.ts agree from here on, up to the dtype ----

/*
 * Layout: `op(A)` is `m×k` and `op(B)` is `k×n`, both read through strides, so the four
 * transA/transB combinations share one code path and nothing is ever transposed in place.
 *
 * The product is split into KC×NC blocks of `op(B)` (256 KB in float32, 512 KB in float64: sized
 * to stay in L2 while all of `op(A)` streams past). Each block is first copied, four columns at a
 * time, into a panel where a column group's four values for one step of `k` sit side by side;
 * each four rows of `op(A)` are copied the same way. The 4×4 micro-kernel then reads both panels
 * sequentially with one index, whatever the transposes: its sixteen sums stay in local variables
 * over a KC-long run of `k`, loading 4 + 4 values for 16 multiply-adds. The copies cost
 * O(k·n + m·k·n/NC) against the product's O(m·n·k) and take the strided reads (a whole row of B
 * per step of `k`) out of the inner loop: 15–20 % faster at 512³ than 3×4 tiles reading through
 * strides (Node 20, x64). Ragged edges use 4×1, 1×4 and 1×1 tiles.
 *
 * A product with fewer than PACK_MIN rows or columns is computed in place instead, through
 * strides, in 3×4 tiles (each packed line would be reused too few times to repay its copy). 3×4
 * there, not 4×4: TurboFan has 15 registers for doubles and schedules all of a step's products
 * before its additions, so a strided 4×4 tile spills and measured 0–10 % slower.
 *
 * Sums are carried in float64 and rounded to the output's type once per block; the copies are
 * exact, so every element is the same sum in the same order as a plain loop over `k` ≤ KC.
 * The two panels are made once per process, on the first packed product; no call allocates.
 */

/** Block length along `k`: the run each tile's register accumulators cover. */
const KC = 256;
/** Up to this many multiply-adds, {@link matmulSmall} beats the tiled path. */
const SMALL = 64;

/** Products with at least this many rows and columns are packed (see the layout comment). */
const PACK_MIN = 16;

/** Block width along `n` (a multiple of 4, so full tiles never straddle two blocks). */
const NC = 256;

/** The packed block of `op(B)` (KC×NC) and four packed rows of `op(A)` (4×KC), made once. */
let panelB: Float64Array | undefined;
let panelA: Float64Array | undefined;

/**
 * `out = op(A)·op(B)` (or `out += …`); see `matmul` for the contract. Never allocates after the
 * first packed product (see the layout comment above).
 */
export function gemmF64(
  a: Float64Array,
  b: Float64Array,
  out: Float64Array,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  accumulate: boolean,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) out.fill(0, 0, m * n);
    return;
  }
  const aRs = transA ? 1 : k; // op(A): step to the next row
  const aPs = transA ? m : 1; // op(A): step along k
  const bPs = transB ? 1 : n; // op(B): step along k
  const bCs = transB ? k : 1; // op(B): step to the next column
  // Tiny products (a 1-1-1 network's) cost more in tiling set-up than in arithmetic: one plain
  // pass. This entry stays small so V8 can inline it (and the plain pass) into its callers.
  if (m * n * k <= SMALL) matmulSmall(a, b, out, m, n, k, aRs, aPs, bPs, bCs, accumulate);
  else if (m < PACK_MIN || n < PACK_MIN) stridedF64(a, b, out, m, n, k, aRs, aPs, bPs, bCs, accumulate);
  else packedF64(a, b, out, m, n, k, aRs, aPs, bPs, bCs, accumulate);
}

/** The packed, register-tiled, cache-blocked product (the layout comment above). */
function packedF64(
  a: Float64Array,
  b: Float64Array,
  out: Float64Array,
  m: number,
  n: number,
  k: number,
  aRs: number,
  aPs: number,
  bPs: number,
  bCs: number,
  accumulate: boolean,
): void {
  const pa = (panelA ??= new Float64Array(4 * KC));
  const pb = (panelB ??= new Float64Array(KC * NC));
  const m4 = m - (m & 3);
  const n4 = n - (n & 3);
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = Math.min(KC, k - p0);
    const strip = 4 * kc; // one packed group of four columns (or rows)
    // The first k-block overwrites (unless accumulating), so `out` never needs a zero fill.
    const add = accumulate || p0 > 0;
    const aK = p0 * aPs;
    const bK = p0 * bPs;
    for (let j0 = 0; j0 < n; j0 += NC) {
      const jEnd = Math.min(j0 + NC, n);
      const jEnd4 = Math.min(jEnd, n4);
      packF64(b, pb, bK + j0 * bCs, bPs, bCs, kc, (jEnd4 - j0) >> 2);
      for (let i = 0; i < m4; i += 4) {
        packF64(a, pa, aK + i * aRs, aPs, aRs, kc, 1);
        const oi = i * n;
        let j = j0;
        for (let s = 0; j < jEnd4; j += 4, s += strip) tile4x4F64(pa, pb, out, s, oi + j, n, kc, add);
        for (; j < jEnd; j++) tile4x1F64(pa, b, out, bK + j * bCs, bPs, oi + j, n, kc, add);
      }
      for (let i = m4; i < m; i++) {
        const ai = aK + i * aRs;
        const oi = i * n;
        let j = j0;
        for (let s = 0; j < jEnd4; j += 4, s += strip) tile1x4F64(a, pb, out, ai, aPs, s, 4, 1, oi + j, kc, add);
        for (; j < jEnd; j++) tile1x1F64(a, b, out, ai, aPs, bK + j * bCs, bPs, oi + j, kc, add);
      }
    }
  }
}

/**
 * Copies `groups` groups of four lines (each `kc` long, `step` apart along `k`, `next` apart from
 * one line to the next) from `src` at `at` into `dst`, interleaved: group `g`, step `p`, line `c`
 * lands at `4kc·g + 4p + c`.
 */
function packF64(src: Float64Array, dst: Float64Array, at: number, step: number, next: number, kc: number, groups: number): void {
  let q = 0;
  const n2 = 2 * next;
  const n3 = 3 * next;
  for (let g = 0; g < groups; g++) {
    let sp = at + 4 * g * next;
    for (let p = 0; p < kc; p++) {
      dst[q] = src[sp] as number;
      dst[q + 1] = src[sp + next] as number;
      dst[q + 2] = src[sp + n2] as number;
      dst[q + 3] = src[sp + n3] as number;
      q += 4;
      sp += step;
    }
  }
}

/**
 * The micro-kernel: the 4×4 tile of `out` at `o` (row stride `n`) from four packed rows of `op(A)`
 * (`pa`, from 0) and a packed group of four columns of `op(B)` (`pb`, from `bp`), over `kc` steps.
 */
function tile4x4F64(pa: Float64Array, pb: Float64Array, out: Float64Array, bp: number, o: number, n: number, kc: number, add: boolean): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  const end = 4 * kc;
  for (let q = 0; q < end; q += 4) {
    const b0 = pb[bp + q] as number;
    const b1 = pb[bp + q + 1] as number;
    const b2 = pb[bp + q + 2] as number;
    const b3 = pb[bp + q + 3] as number;
    const a0 = pa[q] as number;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    const a1 = pa[q + 1] as number;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    const a2 = pa[q + 2] as number;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    const a3 = pa[q + 3] as number;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  const o1 = o + n;
  const o2 = o1 + n;
  const o3 = o2 + n;
  if (add) {
    c00 += out[o] as number; c01 += out[o + 1] as number; c02 += out[o + 2] as number; c03 += out[o + 3] as number;
    c10 += out[o1] as number; c11 += out[o1 + 1] as number; c12 += out[o1 + 2] as number; c13 += out[o1 + 3] as number;
    c20 += out[o2] as number; c21 += out[o2 + 1] as number; c22 += out[o2 + 2] as number; c23 += out[o2 + 3] as number;
    c30 += out[o3] as number; c31 += out[o3 + 1] as number; c32 += out[o3 + 2] as number; c33 += out[o3 + 3] as number;
  }
  out[o] = c00; out[o + 1] = c01; out[o + 2] = c02; out[o + 3] = c03;
  out[o1] = c10; out[o1 + 1] = c11; out[o1 + 2] = c12; out[o1 + 3] = c13;
  out[o2] = c20; out[o2 + 1] = c21; out[o2 + 2] = c22; out[o2 + 3] = c23;
  out[o3] = c30; out[o3 + 1] = c31; out[o3 + 2] = c32; out[o3 + 3] = c33;
}

/** Right-edge tile: four packed rows (`pa`) × one column of `op(B)` read through strides. */
function tile4x1F64(pa: Float64Array, b: Float64Array, out: Float64Array, bp: number, bPs: number, o: number, n: number, kc: number, add: boolean): void {
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  let ap = 0;
  for (let p = 0; p < kc; p++) {
    const bv = b[bp] as number;
    c0 += (pa[ap] as number) * bv;
    c1 += (pa[ap + 1] as number) * bv;
    c2 += (pa[ap + 2] as number) * bv;
    c3 += (pa[ap + 3] as number) * bv;
    ap += 4;
    bp += bPs;
  }
  const o1 = o + n;
  const o2 = o1 + n;
  const o3 = o2 + n;
  if (add) {
    c0 += out[o] as number;
    c1 += out[o1] as number;
    c2 += out[o2] as number;
    c3 += out[o3] as number;
  }
  out[o] = c0;
  out[o1] = c1;
  out[o2] = c2;
  out[o3] = c3;
}

/** The product through strides, for narrow operands: 3×4 tiles over blocks of `op(B)` read in place. */
function stridedF64(
  a: Float64Array,
  b: Float64Array,
  out: Float64Array,
  m: number,
  n: number,
  k: number,
  aRs: number,
  aPs: number,
  bPs: number,
  bCs: number,
  accumulate: boolean,
): void {
  const m3 = m - (m % 3);
  const n4 = n - (n & 3);
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = Math.min(KC, k - p0);
    // The first k-block overwrites (unless accumulating), so `out` never needs a zero fill.
    const add = accumulate || p0 > 0;
    const aK = p0 * aPs;
    const bK = p0 * bPs;
    for (let j0 = 0; j0 < n; j0 += NC) {
      const jEnd = Math.min(j0 + NC, n);
      const jEnd4 = Math.min(jEnd, n4);
      for (let i = 0; i < m3; i += 3) {
        const ai = aK + i * aRs;
        const oi = i * n;
        let j = j0;
        for (; j < jEnd4; j += 4) tile3x4F64(a, b, out, ai, aRs, aPs, bK + j * bCs, bPs, bCs, oi + j, n, kc, add);
        for (; j < jEnd; j++) tile3x1F64(a, b, out, ai, aRs, aPs, bK + j * bCs, bPs, oi + j, n, kc, add);
      }
      for (let i = m3; i < m; i++) {
        const ai = aK + i * aRs;
        const oi = i * n;
        let j = j0;
        for (; j < jEnd4; j += 4) tile1x4F64(a, b, out, ai, aPs, bK + j * bCs, bPs, bCs, oi + j, kc, add);
        for (; j < jEnd; j++) tile1x1F64(a, b, out, ai, aPs, bK + j * bCs, bPs, oi + j, kc, add);
      }
    }
  }
}

/**
 * The strided micro-kernel: the 3×4 tile of `out` at `o` (row stride `n`) from the 3 rows of `op(A)`
 * starting at `ap` and the 4 columns of `op(B)` starting at `bp`, over `kc` steps of `k`.
 */
function tile3x4F64(
  a: Float64Array,
  b: Float64Array,
  out: Float64Array,
  ap: number,
  aRs: number,
  aPs: number,
  bp: number,
  bPs: number,
  bCs: number,
  o: number,
  n: number,
  kc: number,
  add: boolean,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  const aR2 = 2 * aRs;
  const bC2 = 2 * bCs;
  const bC3 = 3 * bCs;
  for (let p = 0; p < kc; p++) {
    const a0 = a[ap] as number;
    const a1 = a[ap + aRs] as number;
    const a2 = a[ap + aR2] as number;
    const b0 = b[bp] as number;
    const b1 = b[bp + bCs] as number;
    const b2 = b[bp + bC2] as number;
    const b3 = b[bp + bC3] as number;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    ap += aPs;
    bp += bPs;
  }
  const o1 = o + n;
  const o2 = o1 + n;
  if (add) {
    c00 += out[o] as number; c01 += out[o + 1] as number; c02 += out[o + 2] as number; c03 += out[o + 3] as number;
    c10 += out[o1] as number; c11 += out[o1 + 1] as number; c12 += out[o1 + 2] as number; c13 += out[o1 + 3] as number;
    c20 += out[o2] as number; c21 += out[o2 + 1] as number; c22 += out[o2 + 2] as number; c23 += out[o2 + 3] as number;
  }
  out[o] = c00; out[o + 1] = c01; out[o + 2] = c02; out[o + 3] = c03;
  out[o1] = c10; out[o1 + 1] = c11; out[o1 + 2] = c12; out[o1 + 3] = c13;
  out[o2] = c20; out[o2 + 1] = c21; out[o2 + 2] = c22; out[o2 + 3] = c23;
}

/** Right-edge tile: 3 rows × 1 column. */
function tile3x1F64(
  a: Float64Array,
  b: Float64Array,
  out: Float64Array,
  ap: number,
  aRs: number,
  aPs: number,
  bp: number,
  bPs: number,
  o: number,
  n: number,
  kc: number,
  add: boolean,
): void {
  let c0 = 0, c1 = 0, c2 = 0;
  const aR2 = 2 * aRs;
  for (let p = 0; p < kc; p++) {
    const bv = b[bp] as number;
    c0 += (a[ap] as number) * bv;
    c1 += (a[ap + aRs] as number) * bv;
    c2 += (a[ap + aR2] as number) * bv;
    ap += aPs;
    bp += bPs;
  }
  const o1 = o + n;
  const o2 = o1 + n;
  if (add) {
    c0 += out[o] as number;
    c1 += out[o1] as number;
    c2 += out[o2] as number;
  }
  out[o] = c0;
  out[o1] = c1;
  out[o2] = c2;
}
/** Bottom-edge tile: 1 row × 4 columns, both read through strides (a packed group: `bPs` 4, `bCs` 1). */
function tile1x4F64(
  a: Float64Array,
  b: Float64Array,
  out: Float64Array,
  ap: number,
  aPs: number,
  bp: number,
  bPs: number,
  bCs: number,
  o: number,
  kc: number,
  add: boolean,
): void {
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  const bC2 = 2 * bCs;
  const bC3 = 3 * bCs;
  for (let p = 0; p < kc; p++) {
    const av = a[ap] as number;
    c0 += av * (b[bp] as number);
    c1 += av * (b[bp + bCs] as number);
    c2 += av * (b[bp + bC2] as number);
    c3 += av * (b[bp + bC3] as number);
    ap += aPs;
    bp += bPs;
  }
  if (add) {
    c0 += out[o] as number;
    c1 += out[o + 1] as number;
    c2 += out[o + 2] as number;
    c3 += out[o + 3] as number;
  }
  out[o] = c0;
  out[o + 1] = c1;
  out[o + 2] = c2;
  out[o + 3] = c3;
}

/** Corner tile: a single dot product. */
function tile1x1F64(
  a: Float64Array,
  b: Float64Array,
  out: Float64Array,
  ap: number,
  aPs: number,
  bp: number,
  bPs: number,
  o: number,
  kc: number,
  add: boolean,
): void {
  let c = 0;
  for (let p = 0; p < kc; p++) {
    c += (a[ap] as number) * (b[bp] as number);
    ap += aPs;
    bp += bPs;
  }
  out[o] = add ? (out[o] as number) + c : c;
}

