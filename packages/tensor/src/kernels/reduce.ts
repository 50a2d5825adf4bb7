import type { TypedArray } from '../dtype.js';

/**
 * Sum of squares of all elements (the squared L2 norm), accumulated in float64.
 *
 * @example
 * ```ts
 * import { sumSquares } from '@gradstream/tensor';
 * sumSquares(new Float32Array([3, 4])); // 25
 * ```
 */
export function sumSquares(x: TypedArray): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    s += v * v;
  }
  return s;
}

/**
 * Index of the first non-finite element (NaN or ±Infinity), or -1 when all are finite.
 *
 * @example
 * ```ts
 * import { firstNonFinite } from '@gradstream/tensor';
 * firstNonFinite(new Float32Array([1, NaN])); // 1
 * ```
 */
export function firstNonFinite(x: TypedArray): number {
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    // v - v is NaN exactly for NaN and ±Infinity; cheaper than Number.isFinite in hot loops.
    if (v - v !== 0) return i;
  }
  return -1;
}
