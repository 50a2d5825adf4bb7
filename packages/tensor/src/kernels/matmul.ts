import type { TypedArray } from '../dtype.js';

/**
 * General matrix multiply into a preallocated buffer: `out = op(A)·op(B)` (or `out += …` when
 * `accumulate`), where `op(A)` is `m×k` and `op(B)` is `k×n`, all row-major.
 *
 * With `transA`, `a` is stored as `k×m` and read transposed; with `transB`, `b` is stored as
 * `n×k`. No transposed copy is ever made: backward passes need `A·B`, `Aᵀ·B` and `A·Bᵀ`.
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
  if (!accumulate) out.fill(0, 0, m * n);
  // Strides chosen so the innermost loop walks `b` and `out` contiguously when B is not transposed.
  const aRow = transA ? 1 : k;
  const aCol = transA ? m : 1;
  if (!transB) {
    for (let i = 0; i < m; i++) {
      const oi = i * n;
      for (let p = 0; p < k; p++) {
        const av = a[i * aRow + p * aCol] as number;
        if (av === 0) continue;
        const bp = p * n;
        for (let j = 0; j < n; j++) out[oi + j] = (out[oi + j] as number) + av * (b[bp + j] as number);
      }
    }
    return;
  }
  for (let i = 0; i < m; i++) {
    const oi = i * n;
    for (let j = 0; j < n; j++) {
      const bj = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += (a[i * aRow + p * aCol] as number) * (b[bj + p] as number);
      out[oi + j] = (out[oi + j] as number) + s;
    }
  }
}
