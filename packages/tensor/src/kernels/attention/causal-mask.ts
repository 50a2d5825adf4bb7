import type { TypedArray } from '../../dtype.js';

/**
 * The causal mask of attention scores, in place: in each of the `blocks` `size×size` matrices
 * stored one after another, every entry above the diagonal (`x[b, i, j]` with `j > i`) becomes
 * −Infinity, so a softmax of each row gives position `i` no weight on the positions after it.
 * The diagonal and below are left as they are.
 *
 * @example
 * ```ts
 * import { causalMask } from '@gradstream/tensor';
 * const scores = new Float32Array([1, 2, 3, 4]);
 * causalMask(scores, 1, 2);
 * console.log(scores); // [1, -Infinity, 3, 4]
 * ```
 */
export function causalMask(x: TypedArray, blocks: number, size: number): void {
  for (let b = 0; b < blocks; b++) {
    for (let i = 0; i < size; i++) {
      const row = (b * size + i) * size;
      for (let j = i + 1; j < size; j++) x[row + j] = -Infinity;
    }
  }
}
