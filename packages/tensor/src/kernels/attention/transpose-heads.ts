import type { TypedArray } from '../../dtype.js';

/**
 * Swaps the two middle axes of `x`, `[outer, rows, cols, depth]`, into `out`, `[outer, cols,
 * rows, depth]`: `out[o, j, i, :] = x[o, i, j, :]`, runs of `depth` values copied whole. Attention
 * splits `[batch, time, heads, keyDim]` into `[batch, heads, time, keyDim]` with it, so each
 * (sample, head) block is contiguous, and merges them back with rows and cols swapped. `out` must
 * not overlap `x`.
 *
 * @example
 * ```ts
 * import { transposeHeads } from '@gradstream/tensor';
 * const out = new Float32Array(6);
 * // [1, 3, 2, 1] → [1, 2, 3, 1]: a 3×2 matrix transposed
 * transposeHeads(new Float32Array([1, 2, 3, 4, 5, 6]), out, 1, 3, 2, 1);
 * console.log(out); // [1, 3, 5, 2, 4, 6]
 * ```
 */
export function transposeHeads(x: TypedArray, out: TypedArray, outer: number, rows: number, cols: number, depth: number): void {
  const plane = rows * cols * depth;
  for (let o = 0; o < outer; o++) {
    const base = o * plane;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const from = base + (i * cols + j) * depth;
        const to = base + (j * rows + i) * depth;
        for (let d = 0; d < depth; d++) out[to + d] = x[from + d] as number;
      }
    }
  }
}
