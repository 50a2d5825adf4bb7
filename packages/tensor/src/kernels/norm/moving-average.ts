import type { TypedArray } from '../../dtype.js';

/**
 * An exponential moving average, updated in place: `average[i] = momentum · average[i] + (1 −
 * momentum) · value[i]` for every element of `average` (batch normalization's moving statistics,
 * as Keras and TF.js keep them: momentum 0.99 keeps 99% of the old value).
 *
 * @example
 * ```ts
 * import { movingAverage } from '@gradstream/tensor';
 * const average = new Float64Array([1]);
 * movingAverage(average, new Float64Array([3]), 0.75); // average = [1.5]
 * ```
 */
export function movingAverage(average: TypedArray, value: TypedArray, momentum: number): void {
  const fresh = 1 - momentum;
  for (let i = 0; i < average.length; i++) average[i] = momentum * (average[i] as number) + fresh * (value[i] as number);
}
