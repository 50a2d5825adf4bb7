import type { TypedArray } from '../dtype.js';
import { gemmF32 } from './matmul/f32.js';
import { gemmF64 } from './matmul/f64.js';

/**
 * General matrix multiply into a preallocated buffer: `out = op(A)·op(B)` (or `out += …` when
 * `accumulate`), where `op(A)` is `m×k` and `op(B)` is `k×n`, all row-major.
 *
 * With `transA`, `a` is stored as `k×m` and read transposed; with `transB`, `b` is stored as
 * `n×k`. No transposed matrix is ever made: backward passes need `A·B`, `Aᵀ·B` and `A·Bᵀ`, and
 * all four combinations read their operands through strides.
 *
 * Cache-blocked over `k` and `n` (256×256 blocks of `op(B)`), with each block and each four rows
 * of `op(A)` packed into a fixed panel so that the register-tiled micro-kernel (4×4 output tiles
 * summed in local variables) reads both sequentially, as BLIS-style GEMMs do; products narrower
 * than 16 rows or columns use 3×4 tiles through strides instead. The two panels per dtype are
 * made on the first packed product; no call allocates after that. Sums are carried in float64
 * and rounded to `out`'s type once per block of 256 along `k`. Only the first `m·n` elements of `out` are
 * written, and without `accumulate` they are never read. `out` must not overlap `a` or `b`.
 * `a`, `b` and `out` should share one dtype: mixing float32 and float64 works but takes a slow,
 * untiled path.
 *
 * @param a - left operand, `m×k` (or `k×m` when `transA`)
 * @param b - right operand, `k×n` (or `n×k` when `transB`)
 * @param out - result buffer of at least `m·n` elements
 * @param accumulate - add into `out` instead of overwriting it
 * @example
 * ```ts
 * import { matmul } from '@gradstream/tensor';
 * const out = new Float32Array(1);
 * matmul(new Float32Array([1, 2]), new Float32Array([3, 4]), out, 1, 1, 2, false, false);
 * console.log(out[0]); // 11
 * ```
 */
export function matmul(
  a: TypedArray,
  b: TypedArray,
  out: TypedArray,
  m: number,
  n: number,
  k: number,
  transA = false,
  transB = false,
  accumulate = false,
): void {
  // Dispatch on dtype so each kernel copy only ever sees one typed-array type (see matmul/f32.ts).
  if (out instanceof Float32Array) {
    if (a instanceof Float32Array && b instanceof Float32Array) {
      gemmF32(a, b, out, m, n, k, transA, transB, accumulate);
      return;
    }
  } else if (a instanceof Float64Array && b instanceof Float64Array) {
    gemmF64(a, b, out, m, n, k, transA, transB, accumulate);
    return;
  }
  matmulMixed(a, b, out, m, n, k, transA, transB, accumulate);
}

/** Mixed-dtype fallback: one float64 dot product per output element, through the same strides. */
function matmulMixed(
  a: TypedArray,
  b: TypedArray,
  out: TypedArray,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  accumulate: boolean,
): void {
  const aRs = transA ? 1 : k;
  const aPs = transA ? m : 1;
  const bPs = transB ? 1 : n;
  const bCs = transB ? k : 1;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let ap = i * aRs;
      let bp = j * bCs;
      for (let p = 0; p < k; p++) {
        s += (a[ap] as number) * (b[bp] as number);
        ap += aPs;
        bp += bPs;
      }
      const o = i * n + j;
      out[o] = accumulate ? (out[o] as number) + s : s;
    }
  }
}
