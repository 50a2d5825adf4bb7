import type { TypedArray } from '../../dtype.js';

/**
 * Many small matrix products in one call: `out_i = op(A_i)·op(B_i)` (or `out_i += …` when
 * `accumulate`) for `i < batches`, each block read and written as `matmul` would (`op(A_i)` is
 * `m×k`, stored `k×m` when `transA`; `op(B_i)` is `k×n`, stored `n×k` when `transB`), the blocks
 * stored one after another: `A_i` at `i·m·k`, `B_i` at `i·k·n`, `out_i` at `i·m·n`. Attention's
 * per-(sample, head) products `Q·Kᵀ` and `P·V` are one call each.
 *
 * Each element is one float64 sum over `k`, rounded to `out`'s type once. Only the first
 * `batches·m·n` elements of `out` are written, and without `accumulate` never read. `out` must
 * not overlap `a` or `b`.
 *
 * @param a - the left blocks, `batches·m·k` elements
 * @param b - the right blocks, `batches·k·n` elements
 * @param out - the result blocks, at least `batches·m·n` elements
 * @param accumulate - add into `out` instead of overwriting it
 * @example
 * ```ts
 * import { batchMatmul } from '@gradstream/tensor';
 * const out = new Float32Array(2);
 * // [1 2]·[3 4]ᵀ and [5 6]·[7 8]ᵀ
 * batchMatmul(new Float32Array([1, 2, 5, 6]), new Float32Array([3, 4, 7, 8]), out, 2, 1, 1, 2, false, false);
 * console.log(out); // [11, 83]
 * ```
 */
export function batchMatmul(
  a: TypedArray,
  b: TypedArray,
  out: TypedArray,
  batches: number,
  m: number,
  n: number,
  k: number,
  transA = false,
  transB = false,
  accumulate = false,
): void {
  // Strides of row i / step p of op(A), and of step p / column j of op(B), inside a block.
  const aRs = transA ? 1 : k;
  const aPs = transA ? m : 1;
  const bPs = transB ? 1 : n;
  const bCs = transB ? k : 1;
  const n4 = n - (n % 4);
  for (let block = 0; block < batches; block++) {
    const a0 = block * m * k;
    const b0 = block * k * n;
    const o0 = block * m * n;
    for (let i = 0; i < m; i++) {
      const ai = a0 + i * aRs;
      const oi = o0 + i * n;
      let j = 0;
      // Four columns at a time: each value of op(A) read once for four sums.
      for (; j < n4; j += 4) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let ap = ai;
        let bp = b0 + j * bCs;
        for (let p = 0; p < k; p++) {
          const av = a[ap] as number;
          s0 += av * (b[bp] as number);
          s1 += av * (b[bp + bCs] as number);
          s2 += av * (b[bp + 2 * bCs] as number);
          s3 += av * (b[bp + 3 * bCs] as number);
          ap += aPs;
          bp += bPs;
        }
        if (accumulate) {
          s0 += out[oi + j] as number;
          s1 += out[oi + j + 1] as number;
          s2 += out[oi + j + 2] as number;
          s3 += out[oi + j + 3] as number;
        }
        out[oi + j] = s0;
        out[oi + j + 1] = s1;
        out[oi + j + 2] = s2;
        out[oi + j + 3] = s3;
      }
      for (; j < n; j++) {
        let s = 0;
        let ap = ai;
        let bp = b0 + j * bCs;
        for (let p = 0; p < k; p++) {
          s += (a[ap] as number) * (b[bp] as number);
          ap += aPs;
          bp += bPs;
        }
        out[oi + j] = accumulate ? (out[oi + j] as number) + s : s;
      }
    }
  }
}
