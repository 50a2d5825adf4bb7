import type { TypedArray } from '../dtype.js';

/**
 * Column sums of a `rows×cols` matrix: `out[c] = Σ_r x[r, c]` (reduces axis 0; a bias gradient).
 *
 * @param accumulate - add into `out` instead of overwriting it
 * @example
 * ```ts
 * import { sumRows } from '@gradstream/tensor';
 * const out = new Float32Array(2);
 * sumRows(new Float32Array([1, 2, 3, 4]), out, 2, 2); // out = [4, 6]
 * ```
 */
export function sumRows(x: TypedArray, out: TypedArray, rows: number, cols: number, accumulate = false): void {
  // The first row assigns (unless accumulating), so no separate zero fill is needed.
  let r = 0;
  if (!accumulate) {
    if (rows === 0) {
      for (let c = 0; c < cols; c++) out[c] = 0;
      return;
    }
    for (let c = 0; c < cols; c++) out[c] = x[c] as number;
    r = 1;
  }
  for (; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) out[c] = (out[c] as number) + (x[o + c] as number);
  }
}

/**
 * Row sums of a `rows×cols` matrix: `out[r] = Σ_c x[r, c]` (reduces the last axis).
 *
 * @example
 * ```ts
 * import { sumCols } from '@gradstream/tensor';
 * const out = new Float32Array(2);
 * sumCols(new Float32Array([1, 2, 3, 4]), out, 2, 2); // out = [3, 7]
 * ```
 */
export function sumCols(x: TypedArray, out: TypedArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let s = 0;
    for (let c = 0; c < cols; c++) s += x[o + c] as number;
    out[r] = s;
  }
}

/**
 * Sum of all elements, accumulated in float64.
 *
 * @example
 * ```ts
 * import { sum } from '@gradstream/tensor';
 * sum(new Float32Array([1, 2, 3])); // 6
 * ```
 */
export function sum(x: TypedArray): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] as number;
  return s;
}

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
 * Dot product of two equally long arrays, accumulated in float64.
 *
 * @example
 * ```ts
 * import { dot } from '@gradstream/tensor';
 * dot(new Float32Array([1, 2]), new Float32Array([3, 4])); // 11
 * ```
 */
export function dot(a: TypedArray, b: TypedArray): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
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
