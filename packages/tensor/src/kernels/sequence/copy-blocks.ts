import type { TypedArray } from '../../dtype.js';

/**
 * Copies `count` blocks of `block` values between strided places:
 * `dst[dstOffset + i·dstStride + j] = src[srcOffset + i·srcStride + j]` (`+=` with `accumulate`).
 * Concatenation writes each input's blocks between the other's with it, and a recurrent layer
 * reads one time step of a batch-major `[batch, steps, width]` sequence (`srcStride = steps·width`,
 * `srcOffset = step·width`) without a view. `dst` must not overlap `src`.
 *
 * @example
 * ```ts
 * import { copyBlocks } from '@gradstream/tensor';
 * const out = new Float32Array(6);
 * // [2, 1] and [2, 2] joined along the last axis into [2, 3]
 * copyBlocks(new Float32Array([1, 2]), out, 2, 1, 1, 3, 0, 0);
 * copyBlocks(new Float32Array([3, 4, 5, 6]), out, 2, 2, 2, 3, 0, 1);
 * console.log(out); // [1, 3, 4, 2, 5, 6]
 * ```
 */
export function copyBlocks(
  src: TypedArray,
  dst: TypedArray,
  count: number,
  block: number,
  srcStride: number,
  dstStride: number,
  srcOffset: number,
  dstOffset: number,
  accumulate = false,
): void {
  for (let i = 0; i < count; i++) {
    const from = srcOffset + i * srcStride;
    const to = dstOffset + i * dstStride;
    if (accumulate) for (let j = 0; j < block; j++) dst[to + j] = (dst[to + j] as number) + (src[from + j] as number);
    else for (let j = 0; j < block; j++) dst[to + j] = src[from + j] as number;
  }
}
