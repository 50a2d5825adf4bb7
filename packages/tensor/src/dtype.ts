/**
 * Element type of a tensor: float32 for training, float64 for gradient checks.
 *
 * @example
 * ```ts
 * import type { DType } from '@gradstream/tensor';
 * const forChecks: DType = 'float64';
 * ```
 */
export type DType = 'float32' | 'float64';

/**
 * The typed arrays a tensor's data may live in.
 *
 * @example
 * ```ts
 * import type { TypedArray } from '@gradstream/tensor';
 * const buffer: TypedArray = new Float32Array(4);
 * ```
 */
export type TypedArray = Float32Array | Float64Array;

/**
 * Allocates a zero-filled typed array of the given dtype and length.
 *
 * @example
 * ```ts
 * import { allocate } from '@gradstream/tensor';
 * allocate('float64', 3); // Float64Array [0, 0, 0]
 * ```
 */
export function allocate(dtype: DType, length: number): TypedArray {
  return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

/**
 * The dtype of a typed array.
 *
 * @example
 * ```ts
 * import { dtypeOf } from '@gradstream/tensor';
 * dtypeOf(new Float32Array(2)); // 'float32'
 * ```
 */
export function dtypeOf(data: TypedArray): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}
