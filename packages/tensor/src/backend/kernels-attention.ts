import type { TypedArray } from '../dtype.js';

/**
 * The kernels of attention (batched products, head layout, masks): part of the {@link Kernels} contract every backend implements.
 *
 * @example
 * ```ts
 * import { tsBackend, type AttentionKernels } from '@gradstream/tensor';
 * const k: AttentionKernels = tsBackend;
 * ```
 */
export interface AttentionKernels {
  /**
   * `batches` independent products `out_i = op(A_i)·op(B_i)` (or `+=`), each as `matmul` with
   * `op(A_i)` m×k and `op(B_i)` k×n, the blocks stored one after another (`A_i` at `i·m·k`,
   * `B_i` at `i·k·n`, `out_i` at `i·m·n`); see the `batchMatmul` function.
   */
  batchMatmul(
    a: TypedArray,
    b: TypedArray,
    out: TypedArray,
    batches: number,
    m: number,
    n: number,
    k: number,
    transA?: boolean,
    transB?: boolean,
    accumulate?: boolean,
  ): void;
  /** `out[o, j, i, :] = x[o, i, j, :]` for `x` of `[outer, rows, cols, depth]`: the head layout's rearrangement. */
  transposeHeads(x: TypedArray, out: TypedArray, outer: number, rows: number, cols: number, depth: number): void;
  /** Every entry above the diagonal of each of the `blocks` `size×size` matrices set to −Infinity, in place. */
  causalMask(x: TypedArray, blocks: number, size: number): void;
}

/**
 * The names of the {@link AttentionKernels}, once each.
 *
 * @example
 * ```ts
 * import { ATTENTION_KERNEL_NAMES } from '@gradstream/tensor';
 * console.log(ATTENTION_KERNEL_NAMES.length);
 * ```
 */
export const ATTENTION_KERNEL_NAMES = Object.freeze(['batchMatmul', 'transposeHeads', 'causalMask'] as const satisfies readonly (keyof AttentionKernels)[]);
