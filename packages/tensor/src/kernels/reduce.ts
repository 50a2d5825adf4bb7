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
  const n = x.length;
  let start = 0;
  // Whole blocks without a branch per value: v · 0 is NaN exactly for NaN and ±Infinity, and one
  // NaN makes the block's sum NaN. Only a block that fails is searched value by value. (About
  // twice as fast as testing each value: data is checked in full on every fit.)
  for (; start + FINITE_BLOCK <= n; start += FINITE_BLOCK) {
    let acc = 0;
    for (let i = start; i < start + FINITE_BLOCK; i += 4) {
      acc += (x[i] as number) * 0 + (x[i + 1] as number) * 0 + (x[i + 2] as number) * 0 + (x[i + 3] as number) * 0;
    }
    if (acc !== 0) return firstNonFiniteIn(x, start, start + FINITE_BLOCK);
  }
  return firstNonFiniteIn(x, start, n);
}

/** Values per block of {@link firstNonFinite} (a multiple of 4). */
const FINITE_BLOCK = 1024;

function firstNonFiniteIn(x: TypedArray, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const v = x[i] as number;
    // v - v is NaN exactly for NaN and ±Infinity; cheaper than Number.isFinite in hot loops.
    if (v - v !== 0) return i;
  }
  return -1;
}
